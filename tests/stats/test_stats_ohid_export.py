"""Cross-check against a real OHID Fingertips export (statistics.md §3.7).

Indicator 90284, hospital admissions caused by unintentional and deliberate injuries in
children aged 0-14, crude rate per 10,000, "Low is good". What the export lets us check:

* "Compared to England value or percentiles" equals the single-level 95% rule (England's
  value inside the area's 95% CI -> Similar) on all 6,749 compared rows;
* "Recent Trend" significance equals the weighted-regression 5-point test on the most
  recent five valid points (gaps allowed) for all 462 area series;
* its direction words are inverted against the data in all 179 significant series (e.g.
  Worcestershire falls from 87.8 to 60.6 and is labelled "Increasing and getting worse"):
  we take the direction from the slope, so ours are the opposite of the export's.
"""

from __future__ import annotations

import pandas as pd
import pytest

from needsbook.paths import default_raw_dir
from needsbook.stats import compare_to_benchmark, recent_trend

pytestmark = pytest.mark.needs_raw

ENGLAND = "E92000001"


@pytest.fixture(scope="module")
def export() -> pd.DataFrame:
    path = default_raw_dir() / "dfe_csc" / "la_hospital_admissions_2324.csv.gz"
    if not path.is_file():
        pytest.skip(f"raw OHID export not present: {path}")
    df = pd.read_csv(path)
    df = df.rename(
        columns={
            "Value": "value",
            "Lower CI 95.0 limit": "lower_ci_95",
            "Upper CI 95.0 limit": "upper_ci_95",
            "Time period Sortable": "period",
        }
    )
    df["series"] = df["Area Code"] + "|" + df["Sex"] + "|" + df["Category"].fillna("")
    return df


def test_compared_to_england_is_the_95_percent_ci_rule(export):
    england = (
        export[(export["Area Code"] == ENGLAND) & export["Category Type"].isna()]
        .drop_duplicates(["Sex", "period"])
        .set_index(["Sex", "period"])["value"]
    )
    keys = pd.MultiIndex.from_frame(export[["Sex", "period"]])
    frame = export.assign(england=england.reindex(keys).to_numpy())
    ours = compare_to_benchmark(frame, "england", polarity="Low is good")
    theirs = export["Compared to England value or percentiles"]
    compared = theirs != "Not compared"
    assert compared.sum() == 6749
    assert (ours.loc[compared, "comparison"] == theirs[compared]).all()
    assert (ours.loc[export["value"].isna(), "comparison"] == "Not compared").all()
    # England itself (its own overall rows) is never compared with itself.
    own = compare_to_benchmark(
        frame.assign(own=frame["series"], bench=ENGLAND + "|" + frame["Sex"] + "|"),
        "england",
        polarity="Low is good",
        area_code="own",
        benchmark_code="bench",
    )
    england_rows = (export["Area Code"] == ENGLAND) & export["Category"].isna()
    assert (own.loc[england_rows, "comparison"] == "Not compared").all()
    assert (own.loc[england_rows, "comparison_reason"] == "area is the benchmark").all()


def test_recent_trend_significance_matches_and_direction_is_from_the_data(export):
    areas = export[export["Category Type"].isna()].drop_duplicates(["series", "period"])
    ours = recent_trend(areas, time="period", group_by="series", polarity="Low is good").set_index(
        "series"
    )
    theirs = (
        areas.dropna(subset=["Recent Trend"])
        .drop_duplicates("series")
        .set_index("series")["Recent Trend"]
    )
    both = ours.join(theirs, how="inner")
    assert len(both) == 462
    their_significant = both["Recent Trend"].str.startswith(("Increasing", "Decreasing"))
    our_significant = both["trend"].isin(["Increasing", "Decreasing"])
    assert their_significant.sum() == 179
    assert (their_significant == our_significant).all()
    assert (
        (both["Recent Trend"] == "Cannot be calculated")
        == (both["trend"] == "Cannot be calculated")
    ).all()
    flip = {"Increasing": "Decreasing", "Decreasing": "Increasing"}
    their_direction = both.loc[their_significant, "Recent Trend"].str.split().str[0]
    assert (both.loc[their_significant, "trend"].map(flip) == their_direction).all()
    worcestershire = both.loc["E10000034|Persons|"]
    assert worcestershire["trend_label"] == "Decreasing and getting better"
    assert worcestershire["Recent Trend"] == "Increasing and getting worse"
