"""The worked example: Worcestershire's 2013-2015 figures from its 2015 needs assessment.

The example lives in ``data/examples/E10000034/`` and is used only when asked for
(``needsbook build --area Worcestershire --local-dir data/examples/E10000034``): the default
book has no local service data.
"""

from __future__ import annotations

from pathlib import Path

from needsbook import paths
from needsbook.historical import OLDER_THAN

EXAMPLE_AREA = "E10000034"

PREAMBLE = (
    "**Worked example.** These are the 2013-2015 figures from Worcestershire County Council's "
    "*Early Help Needs Assessment* (2015), Tables 2-11 and the specialist midwifery text, "
    "transcribed for demonstration. They are shown only when a book is built with "
    "`--local-dir data/examples/E10000034`, and, being "
    f"{OLDER_THAN} older than any recent book's data year, as historical context that feeds "
    "no finding or recommendation. "
    "Transcription caveats: the source prints only percentages for Table 4, so "
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

#: The 2015 assessment's own modelled need shares (from a need model built on individual
#: records that are not public): % of need by quintile group, and the intensive-need share of
#: births. The book never judges with them (it uses needsbook.need); the worked example only
#: quotes them, and tests check the transcription reproduces the 2015 report's ratios.
REPORT_2015_NEED_SHARES = {"most deprived 40% (Q1-2)": 73.0, "least deprived 40% (Q4-5)": 7.0}
REPORT_2015_INTENSIVE_NEED_PERCENT = 12.5


def example_dir() -> Path:
    """Folder holding the worked example (``data/examples/E10000034``)."""
    return paths.default_data_dir() / "examples" / EXAMPLE_AREA
