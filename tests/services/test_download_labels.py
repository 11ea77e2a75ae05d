"""The CSV downloads of the services chapter label every value with its own period and unit:
EHA counts with the EHA period (not the population's), ratios as "ratio", rates per 1,000,
percentages, and per-row periods for tables by period, quarter or claim round."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from needsbook.build import downloads
from needsbook.chapters import services
from needsbook.local import example_dir

CODE, YEAR = "E10000034", 2024
EHA_PERIOD = "August 2013 to March 2015"


@pytest.fixture(scope="module")
def csvs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, pd.DataFrame]:
    """The worked example's chapter, each section written as the pipeline writes it."""
    chapter = services.build(CODE, YEAR, local_dir=example_dir())
    folder = tmp_path_factory.mktemp("labels")
    out = {}
    for s in chapter.sections:
        path = downloads.write_section(s.table, s.title, s.source, CODE, YEAR, folder)
        assert isinstance(path, Path)
        out[s.key] = pd.read_csv(path, dtype=str, keep_default_na=False)
        out[s.key].attrs["table"] = s.table
    return out


def by_measure(df: pd.DataFrame, measure: str) -> pd.DataFrame:
    rows = df[df["measure"] == measure]
    assert len(rows), measure
    return rows


def test_eha_counts_carry_the_eha_period_not_the_populations(csvs):
    for key in ("eha_providers", "eha_quintiles"):
        counts = by_measure(csvs[key], "Assessments")
        assert set(counts["period"]) == {EHA_PERIOD}, key
        assert set(counts["unit"]) == {"count"}, key
        shares = csvs[key][
            csvs[key]["measure"].str.startswith("% of") & csvs[key]["measure"].str.contains("EHAs")
        ]
        assert set(shares["period"]) == {EHA_PERIOD} and set(shares["unit"]) == {"percent"}
        rates = by_measure(csvs[key], "Rate per 1,000 aged 0-19")
        assert set(rates["unit"]) == {"rate per 1,000"}
        assert all(p.startswith(EHA_PERIOD) and "population mid-" in p for p in rates["period"])
    need = by_measure(csvs["eha_quintiles"], "% of modelled need")
    assert set(need["period"]) == {"mid-2020"}  # the population the need model uses


def test_ratios_are_ratios(csvs):
    q = by_measure(csvs["eha_quintiles"], "Targeting ratio (EHA share / need share)")
    assert set(q["unit"]) == {"ratio"}
    t = csvs["eha_targeting"]
    ratios = by_measure(t, "Targeting ratio")
    assert set(ratios["unit"]) == {"ratio"}
    need = by_measure(t, "% of modelled need")["period"]
    assert set(need) == {"mid-2020"}  # the book's one need model
    assert "Need model" not in t.columns
    fold = by_measure(csvs["demand_social_care"], "Fold-change since first period (ratio)")
    assert set(fold["unit"]) == {"ratio"}
    assert downloads.unit_of("Targeting ratio (EHA share / need share)") == "ratio"
    for key, df in csvs.items():  # no ratio anywhere is labelled a percentage
        ratio = df[df["measure"].str.contains(r"\bratio\b", case=False)]
        assert set(ratio["unit"]) <= {"ratio"}, key


def test_tables_by_period_take_each_rows_period(csvs):
    for key, column in (
        ("cc_districts", "Period"),
        ("cc_ofsted", "Period"),
        ("family_outcomes", "Claim round"),
    ):
        df, table = csvs[key], csvs[key].attrs["table"]
        if column in df:
            assert (df["period"] == df[column]).all(), key
        assert set(df["period"]) == set(table[column].astype(str)), key
    mw = csvs["specialist_midwifery"].set_index("measure")["period"]
    assert mw["Referrals"] == mw["Births"] == mw["Referrals as % of births"] == "2013-14"
    assert mw["% of births likely to need intensive help"] == "mid-2020"
    assert mw["Gap (births a year)"] == "2013-14; need mid-2020"
    cc = csvs["cc_districts"]
    assert set(by_measure(cc, "Footfall (visits per child seen)")["unit"]) == {
        "visits per child seen"
    }
    assert set(by_measure(cc, "Reach %")["unit"]) == {"percent"}
    distance = by_measure(csvs["eha_distance"], "Mean change (score points)")
    assert set(distance["unit"]) == {"score points"} and set(distance["period"]) == {EHA_PERIOD}


def test_historical_downloads_are_labelled_and_name_no_files(csvs):
    """Every local download of the (historical) worked example says so in its section label,
    and names its source by what it holds, never by a template's file name."""
    for key in ("eha_providers", "eha_targeting", "cc_ofsted", "specialist_midwifery"):
        df = csvs[key]
        assert df["section"].str.startswith("Historical context: ").all(), key
        assert df["source"].str.contains("Worcestershire 2015 needs assessment").any(), key
    for key, df in csvs.items():
        text = df.to_csv(index=False)
        assert ".csv" not in text and "seed" not in text.lower(), key
