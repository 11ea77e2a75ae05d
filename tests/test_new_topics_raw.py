"""The Worcestershire book's SEND, vulnerable children, maternal and early years health and
deprivation-adjusted demand sections show the values of the raw published files.

Each value is read from the book's own CSV downloads and recomputed here from
``../shared/data-raw`` with plain pandas, without the snapshot or the package's analysis.
"""

from __future__ import annotations

import pandas as pd
import pytest

from tests.books import Books
from tests.conftest import RAW

CODE, LA_NUMBER = "E10000034", 885
ENGLAND = "E92000001"


def download(books: Books, name: str) -> pd.DataFrame:
    return pd.read_csv(books / CODE / "downloads" / f"{CODE}-{name}.csv", dtype=str)


@pytest.fixture(scope="module")
def lait() -> pd.DataFrame:
    raw = pd.read_parquet(RAW / "dfe_lait" / "lait_bds_long.parquet")
    return raw[pd.to_numeric(raw["LA Number"], errors="coerce").eq(LA_NUMBER)]


def lait_value(lait: pd.DataFrame, measure: str, year: str) -> float:
    rows = lait[lait["Short Desc"].eq(measure) & lait["Years"].astype(str).str.startswith(year)]
    assert len(rows) == 1, (measure, year, rows["Years"].tolist())
    return float(rows["Values"].iloc[0])


def shown(table: pd.DataFrame, label_column: str, label: str, column: str) -> str:
    rows = table[table[label_column].eq(label)]
    assert len(rows) >= 1, (label, table[label_column].unique())
    return str(rows[column].iloc[0])


def one_dp(value: float) -> str:
    return f"{value:,.1f}"


@pytest.mark.parametrize(
    ("download_name", "indicator", "measure", "year"),
    [
        ("education-health-and-care-plans", "Pupils with an EHC plan", "SEN_TotStat", "2025"),
        (
            "requests-for-ehc-needs-assessments",
            "Initial requests for an EHC needs assessment refused",
            "EHCP_Initial_req_refused",
            "2024",
        ),
        (
            "ehc-plans-issued-within-20-weeks",
            "New EHC plans issued within 20 weeks",
            "SEN_EHC_All_20wks",
            "2024",
        ),
        (
            "looked-after-children-s-health-and-stability",
            "Emotional and behavioural health of looked-after children",
            "Emotional_LAC",
            "2025",
        ),
        (
            "care-leavers",
            "Care leavers aged 19-21 in education, employment or training",
            "CareLeaverEET",
            "2025",
        ),
        (
            "first-time-entrants-to-the-youth-justice-system",
            "First-time entrants to the youth justice system",
            "FirstYJS",
            "2024",
        ),
        (
            "children-in-low-income-families",
            "Children in relative low-income families",
            "ChildPov",
            "2025",
        ),
    ],
)
def test_lait_values_are_the_published_ones(
    books: Books, lait: pd.DataFrame, download_name: str, indicator: str, measure: str, year: str
) -> None:
    table = download(books, download_name)
    value = shown(table, "Indicator", indicator, "Value (table)")
    assert value == one_dp(lait_value(lait, measure, year))


def test_numbers_of_plans_and_requests_are_the_published_ones(
    books: Books, lait: pd.DataFrame
) -> None:
    plans = download(books, "education-health-and-care-plans")
    number = shown(plans, "Indicator", "Education, health and care plans (number)", "Value (table)")
    assert number == f"{lait_value(lait, 'SEN_CASES_JAN', '2025'):,.0f}" == "6,970"
    requests = download(books, "requests-for-ehc-needs-assessments")
    label = "Initial requests for an EHC needs assessment (number)"
    assert shown(requests, "Indicator", label, "Value (table)") == (
        f"{lait_value(lait, 'SEN_INIT_REQ', '2024'):,.0f}"
    )


def test_timeliness_shows_every_published_year(books: Books, lait: pd.DataFrame) -> None:
    table = download(books, "ehc-plans-issued-within-20-weeks")
    by_year = shown(table, "Indicator", "New EHC plans issued within 20 weeks", "Values by year")
    for year in range(2016, 2025):
        assert f"{year}: {one_dp(lait_value(lait, 'SEN_EHC_All_20wks', str(year)))}%" in by_year


def test_assessment_factor_rate_and_share_equal_dfe_counts(books: Books) -> None:
    c3 = pd.read_csv(
        RAW / "dfe_csc" / "c3_factors_identified_at_end_of_assessment_2018_to_2025.csv"
    )
    row = c3[c3["time_period"].eq(2025) & c3["new_la_code"].eq(CODE)].iloc[0]
    pop = pd.read_csv(RAW / "dfe_csc" / "ons_mid-year_population_estimates_2012_to_2024.csv")
    children = pop.loc[
        pop["time_period"].eq(2024) & pop["new_la_code"].eq(CODE), "population_estimate"
    ]
    count = float(row["Domestic_Abuse_parent"])
    rate = count / float(children.iloc[0]) * 10_000
    share = count / float(row["Episodes_with_assessment_factor"]) * 100
    table = download(books, "factors-identified-at-the-end-of-assessment")
    label = "Domestic abuse concerning a parent or carer"
    assert shown(table, "Factor", label, "Rate per 10,000 aged 0-17") == one_dp(rate)
    assert shown(table, "Factor", label, "Share of assessments with factors (%)") == one_dp(share)


def test_looked_after_count_and_rate_behind_the_adjusted_ratio(books: Books) -> None:
    cla = pd.read_csv(RAW / "dfe_csc" / "cla_number_and_rate_per_10k_children.csv")
    cla.columns = [c.lstrip("\ufeff") for c in cla.columns]
    row = cla[
        cla["time_period"].eq(2025)
        & cla["new_la_code"].eq(CODE)
        & cla["population_type"].eq("Children looked after on 31 March each year")
    ].iloc[0]
    table = download(books, "demand-on-children-s-social-care-adjusted-for-deprivation")
    mine = table[
        table["Measure (table)"].eq("Looked-after children") & table["period"].eq("31 March 2025")
    ]
    count, population = float(row["children_count"]), float(row["population_estimate"])
    assert mine["Children (number)"].iloc[0] == f"{count:,.0f}"
    children = mine.loc[mine["measure"].eq("Children aged 0-17"), "value"].astype(float).iloc[0]
    assert children == population
    rate = mine.loc[mine["measure"].eq("Rate per 10,000 aged 0-17"), "value"].astype(float).iloc[0]
    assert rate == pytest.approx(count / population * 1e4, abs=1e-9)
    ratio = mine.loc[mine["measure"].eq("Observed/expected ratio"), "value"].astype(float).iloc[0]
    expected = mine.loc[mine["measure"].eq("Expected number"), "value"].astype(float).iloc[0]
    assert ratio == pytest.approx(count / expected, rel=1e-9)


def test_pooled_infant_mortality_from_published_rates_and_births(
    books: Books, lait: pd.DataFrame
) -> None:
    mye = pd.read_csv(RAW / "ons_population" / "mye_syoa_utla_region_england_2021_2024_long.csv.gz")
    age0 = mye[mye["area_code"].eq(CODE) & mye["sex"].eq("persons") & mye["age"].eq(0)]
    births = {int(y): float(n) for y, n in zip(age0["year"], age0["population"], strict=True)}
    years = (2021, 2022, 2023)
    deaths = sum(lait_value(lait, "InfMort", str(y)) * births[y] / 1000 for y in years)
    pooled = deaths / sum(births[y] for y in years) * 1000
    table = download(books, "maternal-and-early-years-health-over-three-years")
    mine = table[
        table["Indicator"].eq("Infant mortality")
        & table["Area"].eq("Worcestershire")
        & table["Measure (table)"].eq("Three-year pooled")
    ]
    value = float(mine.loc[mine["measure"].eq("Value"), "value"].iloc[0])
    assert value == pytest.approx(pooled, abs=1e-9)
    assert mine["period"].iloc[0] == "2021 to 2023"


def test_district_good_level_of_development_equals_the_eyfs_profile(books: Books) -> None:
    eyfs = pd.read_csv(RAW / "dfe_send" / "eyfsp_headline_measures_2022.csv.gz", dtype=str)
    row = eyfs[
        eyfs["lad_name"].eq("Wyre Forest")
        & eyfs["characteristic"].eq("Total")
        & eyfs["gender"].eq("Total")
    ].iloc[0]
    gld = float(row["gld_number"]) / float(row["children_number"]) * 100
    table = download(books, "good-level-of-development-by-district")
    mine = table[table["District"].eq("Wyre Forest")]
    value = float(mine.loc[mine["measure"].eq("Good level of development (%)"), "value"].iloc[0])
    assert value == pytest.approx(gld, abs=1e-9)
