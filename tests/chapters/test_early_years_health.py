"""The outcomes chapter's maternal and early years section (three-year figures beside single
years) and its good level of development by district section.

District tests use a temporary snapshot: every committed table linked, plus a small
``district_indicators`` fixture (or none). The fixture's Worcestershire figures are the DfE EYFS
profile 2021/22 district rows (``dfe_send/eyfsp_headline_measures_2022.csv.gz``: children and
children with a good level of development, all pupils), with 95% Wilson intervals.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import pandas as pd
import pytest

from needsbook.areas import all_areas, resolve_area
from needsbook.chapters import early_years_health as eyh
from needsbook.chapters.base import Section
from needsbook.charts import enable
from needsbook.outcomes.catalogue import load_catalogue
from needsbook.outcomes.pooled import DISTRICT_TABLE, pooled
from needsbook.testing.reader_text import check_text
from tests.conftest import ROOT

Z = 1.959963984540054
#: (district code, name, children assessed, children with a good level of development)
WORCS_DISTRICTS = [
    ("E07000234", "Bromsgrove", 1158, 780),
    ("E07000235", "Malvern Hills", 732, 481),
    ("E07000236", "Redditch", 899, 560),
    ("E07000237", "Worcester", 1014, 677),
    ("E07000238", "Wychavon", 1319, 882),
    ("E07000239", "Wyre Forest", 968, 577),
]
EVENTS = "Reconstructed events (approximate)"


def _wilson(x: float, n: float) -> tuple[float, float]:
    centre, half = 2 * x + Z**2, Z * math.sqrt(Z**2 + 4 * x * (1 - x / n))
    return (centre - half) / (2 * (n + Z**2)) * 100, (centre + half) / (2 * (n + Z**2)) * 100


def _fixture(districts: list[tuple[str, str, int, int]]) -> pd.DataFrame:
    rows = []
    for code, name, n, x in districts:
        lo, hi = _wilson(x, n)
        rows.append(
            {
                "indicator_id": "eyfs:gld_all",
                "district_code": code,
                "district_name": name,
                "utla_code": "E10000034",
                "period": "2021/22",
                "year": 2022,
                "value": x / n * 100,
                "count": float(x),
                "denominator": float(n),
                "lower_ci_95": lo,
                "upper_ci_95": hi,
                "source": "DfE EYFSP",
            }
        )
    # another county's district and another indicator: neither is Worcestershire's GLD
    rows.append({**rows[0], "district_code": "E07000032", "utla_code": "E10000007"})
    rows.append({**rows[0], "indicator_id": "eyfs:gld_fsm", "value": 10.0})
    return pd.DataFrame(rows)


def _snapshot(tmp_path: Path, table: pd.DataFrame | None) -> Path:
    """A data folder whose snapshot links every committed table except the district one."""
    data = tmp_path / "data"
    snap = data / "snapshot"
    snap.mkdir(parents=True)
    for f in (ROOT / "data" / "snapshot").iterdir():
        if f.name != f"{DISTRICT_TABLE}.parquet":
            (snap / f.name).symlink_to(f)
    if table is not None:
        table.to_parquet(snap / f"{DISTRICT_TABLE}.parquet", index=False)
    return data


@pytest.fixture(scope="module")
def worcs() -> Section:
    enable()
    return eyh.early_years_health(resolve_area("E10000034"), 2024)


def test_infant_mortality_three_years_beside_the_single_year(worcs: Section) -> None:
    text = worcs.summary
    assert (
        "Infant mortality, three-year pooled, 2021 to 2023: 4.1 per 1,000 live births "
        "(approximate 95% confidence interval 3.2 to 5.2), similar to England's 3.8 over the "
        "same years. In 2023 alone the figure was 5.4 per 1,000 live births, in the worst fifth "
        "of English areas. A single year is too volatile to judge: some years rest on fewer "
        "than 20 infant deaths and changes from one year to the next (up to 2.2 per 1,000 live "
        "births) are larger than the gap to England (0.3 per 1,000 live births). The single "
        "year and the three-year figure point different ways because one year in one area "
        "moves a lot by chance; the three-year pooled value is the firmer guide." in text
    )
    assert (
        "Low birth weight of term babies, three-year pooled, 2022 to 2024: 2.2% (approximate "
        "95% confidence interval 2.0 to 2.5), significantly better than England's 2.9% over "
        "the same years. In 2024 alone the figure was 2.1%, in the best fifth of English "
        "areas." in text
    )
    assert "The single year points the same way as the three-year figure." in text
    assert (
        "Breastfeeding at 6-8 weeks, three-year pooled, 2021/22 and 2023/24 (2022/23 not " in text
    )
    assert (
        "Under-18 conceptions, three-year average, 2020 to 2022: 12.2 per 1,000 women aged "
        "15-17 against England's 13.3 over the same years" in text
    )
    assert (
        "Worcestershire was in the middle fifth of English areas in 2020 and 2021 and the "
        "second-best fifth in 2022." in text
    )
    assert "2-2½ year reviews using ASQ-3: Worcestershire has a figure for only 2021/22" in text


def test_table_shows_every_single_year_and_the_three_year_rows(worcs: Section) -> None:
    t = worcs.table
    im = t[t["Indicator"] == "Infant mortality"]
    single = im[(im["Measure"] == "Single year") & (im["Area"] == "Worcestershire")]
    assert list(single["Period"]) == [str(y) for y in range(2016, 2024)]
    assert list(single["Value"]) == [4.9, 4.1, 3.0, 6.2, 5.2, 3.7, 3.2, 5.4]
    assert list(single["Fifth of English areas (single year)"].iloc[-3:]) == [
        "Middle 20%",
        "2nd best 20%",
        "Worst 20%",
    ]
    three = im[im["Measure"] == "Three-year pooled"].set_index("Area")
    assert three.loc["Worcestershire", "Period"] == "2021 to 2023"
    assert round(three.loc["Worcestershire", "Value"], 4) == 4.0958
    assert three.loc["Worcestershire", "Live births (approximated by the population aged 0)"] == (
        5455 + 5428 + 5384
    )
    assert three.loc["Worcestershire", EVENTS] == "67"
    assert three.loc["Worcestershire", "Compared with England (three-year)"] == "Similar"
    assert three.loc["Worcestershire", "Single year too volatile to judge"] == "Yes"
    assert round(three.loc["England", "Value"], 4) == 3.7675
    u18 = t[(t["Indicator"] == "Under-18 conceptions") & (t["Measure"] == "Three-year average")]
    assert u18["Compared with England (three-year)"].iloc[0] == "Not compared (no interval)"


def test_chart_text_and_sources(worcs: Section) -> None:
    spec = worcs.chart.to_dict()
    assert spec["description"] == worcs.summary
    panels = {v["panel_name"] for v in next(iter(spec["datasets"].values()))}
    assert panels == {
        "Infant mortality",
        "Low birth weight of term babies",
        "Breastfeeding at 6-8 weeks",
        "2-2½ year reviews using ASQ-3",
        "Under-18 conceptions",
    }
    assert "ONS mid-year population estimates" in worcs.source
    text = "\n".join([worcs.title, worcs.summary, worcs.source, *worcs.notes])
    cells = "\n".join(str(v) for c in worcs.table.columns for v in worcs.table[c])
    problems = check_text("early_years_health", text) + check_text("t", cells, prose=False)
    assert not problems, problems
    assert any("counts are reconstructed" in n for n in worcs.notes)


def test_reconstructed_counts_1_to_4_are_not_shown() -> None:
    """Darlington has about 1,100 births a year: its 2023 infant death count rounds to 4, so
    that year and the three-year total (which would reveal it) are withheld."""
    s = eyh.early_years_health(resolve_area("E06000005"), 2024)
    t = s.table[(s.table["Indicator"] == "Infant mortality") & (s.table["Area"] == "Darlington")]
    shown = dict(zip(t["Period"], t[EVENTS], strict=True))
    assert shown["2023"] == "<5" and shown["2021"] == "5"
    assert shown["2021 and 2023"] == "not shown (small numbers)"
    assert not s.table[EVENTS].isin(["1", "2", "3", "4"]).any()


def test_districts_compared_with_the_county_and_england(tmp_path: Path) -> None:
    data = _snapshot(tmp_path, _fixture(WORCS_DISTRICTS))
    s = eyh.district_section(resolve_area("E10000034", data), 2024, data)
    assert s.summary == (
        "Good level of development at the end of reception, 2021/22, by district of "
        "Worcestershire (Worcestershire 65.0%, England 65.2%): from 59.6% in Wyre Forest to "
        "67.4% in Bromsgrove. Compared with Worcestershire as a whole: significantly worse in "
        "Wyre Forest and similar elsewhere. Compared with England: significantly worse in Wyre "
        "Forest and similar elsewhere."
    )
    t = s.table.set_index("District")
    assert list(t.index) == [
        "Bromsgrove",
        "Wychavon",
        "Worcester",
        "Malvern Hills",
        "Redditch",
        "Wyre Forest",
        "Worcestershire (county)",
        "England",
    ]
    # Wyre Forest's interval (56.5-62.7) excludes both; Redditch's (59.1-65.4) holds both
    assert t.loc["Wyre Forest", "95% CI upper (%)"] < 64.98
    assert t.loc["Wyre Forest", "Compared with the county"] == "Worse"
    assert t.loc["Wyre Forest", "Compared with England"] == "Worse"
    assert t.loc["Redditch", "Compared with the county"] == "Similar"
    assert t.loc["Bromsgrove", "Children assessed"] == 1158
    assert round(t.loc["Worcestershire (county)", "Good level of development (%)"], 2) == 64.98
    assert round(t.loc["England", "Good level of development (%)"], 2) == 65.17
    assert s.chart is not None and s.chart.to_dict()["description"] == s.summary


def test_small_district_counts_are_withheld(tmp_path: Path) -> None:
    districts = [d if d[1] != "Malvern Hills" else (*d[:3], 729) for d in WORCS_DISTRICTS]
    data = _snapshot(tmp_path, _fixture(districts))  # 3 children without: withheld
    s = eyh.district_section(resolve_area("E10000034", data), 2024, data)
    row = s.table.set_index("District").loc["Malvern Hills"]
    assert pd.isna(row["Good level of development (%)"])
    assert pd.isna(row["Children with a good level of development"])
    assert row["Compared with England"] == "Not shown (small numbers)"
    assert "Figures for Malvern Hills rest on small numbers and are not shown." in s.summary
    assert "99.6" not in s.summary


def test_without_the_district_table_the_section_says_so(tmp_path: Path) -> None:
    data = _snapshot(tmp_path, None)
    s = eyh.district_section(resolve_area("E10000034", data), 2024, data)
    assert s.summary.startswith("District figures for good level of development are not available")
    assert s.chart is None and s.table.empty


def test_single_tier_areas_have_no_districts() -> None:
    s = eyh.district_section(resolve_area("E06000017"), 2024)
    assert s.summary.startswith("Rutland has no districts")
    assert s.chart is None


def test_unitaries_formed_from_districts_show_their_former_districts() -> None:
    s = eyh.district_section(resolve_area("E06000063"), 2024)
    assert "by former district (the districts the area was formed from) of Cumberland" in s.summary
    assert set(s.table["District"]) >= {"Allerdale", "Carlisle", "Copeland"}
    assert s.chart is not None


def test_outcomes_chapter_appends_both_sections() -> None:
    from needsbook.chapters import outcomes

    keys = [s.key for s in outcomes.build("E06000017", 2024).sections]
    assert keys[-2:] == ["early_years_health", "district_gld"]


@pytest.mark.slow
def test_every_area_builds_both_sections() -> None:
    """All 153 areas: no error; the text covers every indicator, names the three-year figure as
    the firmer guide wherever it and the engine's single year point different ways, and never
    shows a reconstructed count of 1-4."""
    enable()
    names = None
    for area in all_areas():
        health, districts = eyh.sections(area, 2024)
        assert health.key == "early_years_health" and districts.key == "district_gld"
        summary = pooled(area.code, 2024)
        if names is None:
            names = [load_catalogue()[i].name for i in summary["indicator_id"]]
        for name in names:
            assert re.search(rf"{re.escape(name)}[,:]", health.summary), (area.code, name)
        differ = (
            (summary["method"] == "three-year pooled")
            & ~summary["single_direction"].isin(["no data", "not compared"])
            & (summary["direction"] != "not compared")
            & (summary["single_direction"] != summary["direction"])
        )
        assert health.summary.count("point different ways") == int(differ.sum()), area.code
        if not health.table.empty:
            assert not health.table[EVENTS].isin(["1", "2", "3", "4"]).any(), area.code
        if len(area.districts) <= 1:
            assert "has no districts" in districts.summary or (
                "by former district" in districts.summary
            )
        else:
            assert districts.chart is not None or "not available" in districts.summary
