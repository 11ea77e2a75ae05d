"""The worked example: Worcestershire's 2013-2015 figures from the seed report."""

from __future__ import annotations

from pathlib import Path

from needsbook import paths

EXAMPLE_AREA = "E10000034"

PREAMBLE = (
    "**Worked example.** These are the 2013-2015 figures from Worcestershire County Council's "
    "*Early Help Needs Assessment* (2015), Tables 2-11 and the specialist midwifery text, "
    "transcribed for demonstration (see `shared/spec/seed-analysis.md` section 2.2). "
    "Transcription caveats (section 8.4): the source prints only percentages for Table 4, so "
    "EHA counts by quintile are reconstructed as round(% x 5,478 / 100), and its quintile "
    "totals add to 100.28% (the validator warns); Table 9's county totals differ from its "
    "district sums (the validator warns); Tables 9 and 10 repeat Tables 7 and 8's 2012 "
    "footfall columns (a source copy error, kept as printed); the source gives no 0-4 "
    "denominators or attendances, so `children_centres.csv` holds the printed children seen, "
    "% seen and footfall; Table 11 (per centre, pooled 2012-2014) prints only rates, and a "
    "deprived population of 0 marks its N/A centres; the specialist midwifery referrals are "
    'the midpoint of the stated 400-500 a year and births the stated "6000 plus". Figure '
    "39's reasons and Figure 41's health-visiting reviews cannot be recovered and are left out."
)

# Modelled need shares used by the seed (PREview, not public): % of need by quintile group and
# the intensive-need share of births. The book uses needsbook.need.need_share_by_quintile.
SEED_NEED_SHARES = {"most deprived 40% (Q1-2)": 73.0, "least deprived 40% (Q4-5)": 7.0}
SEED_INTENSIVE_NEED_PERCENT = 12.5


def example_dir() -> Path:
    """Folder holding the worked example (``data/local/E10000034``)."""
    return paths.default_data_dir() / "local" / EXAMPLE_AREA
