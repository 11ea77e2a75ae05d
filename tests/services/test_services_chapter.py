"""The services chapter: the worked example's 2013-2015 figures as the reader sees them (as
historical context), the warnings, the public demand sections, and the chapter for an area
without local data."""

from __future__ import annotations

import pytest

from needsbook.chapters import services
from needsbook.chapters.display import data_table_html
from needsbook.local import example_dir
from needsbook.local.analysis import round_half_up
from needsbook.outcomes.compare import area_benchmarks
from needsbook.services.demand import demand_summary

YEAR = 2024


@pytest.fixture(scope="module")
def worcs() -> services.ServicesChapter:
    return services.build("E10000034", YEAR, local_dir=example_dir())


@pytest.fixture(scope="module")
def rutland() -> services.ServicesChapter:
    return services.build("E06000017", YEAR)


def test_worked_example_is_labelled(worcs):
    assert worcs.is_example and worcs.has_local
    checks = worcs.section("local_checks").summary
    assert "Worked example" in checks and "2013 to 2015" in checks
    assert "Worcestershire's 2013-2015 figures" in worcs.key_findings[0]
    assert worcs.historical["eha_providers"] == (
        "Historical context: early help assessments, August 2013 to March 2015"
    )
    assert worcs.section("eha_providers").title.startswith("Historical context: ")


def test_default_worcestershire_book_has_no_local_data():
    """The worked example is used only when asked for (--local-dir)."""
    chapter = services.build("E10000034", YEAR)
    assert not chapter.has_local and not chapter.is_example and not chapter.historical
    assert chapter.parts == {"templates": ["local_templates"]}


def test_table2_shares_in_the_provider_table(worcs):
    t = worcs.section("eha_providers").table.set_index("Lead provider")
    assert t["% of all EHAs"].tolist()[:6] == [4.73, 58.65, 20.92, 2.85, 9.49, 3.36]
    assert t.loc["All providers", "Assessments"] == 5478
    assert "<td>58.65</td>" in data_table_html(worcs.section("eha_providers"))


def test_targeting_uses_only_the_open_need_model(worcs):
    t = worcs.section("eha_targeting").table
    assert "Need model" not in t.columns
    assert t.set_index("Group of areas")["Targeting ratio"].tolist() == [1.47, 0.68]
    s = worcs.section("eha_targeting")
    assert "1.47 for the most deprived 40% and 0.68 for the least deprived 40%" in s.summary
    text = " ".join([s.summary, *s.notes])
    # the 2015 assessment's need shares are quoted, labelled, with no ratio or verdict of theirs
    assert "Worcestershire 2015 needs assessment used its own need model" in text
    assert "73.0% of need in the most deprived 40% and 7.0%" in text
    for other in ("0.71", "4.03", "opposite", "concluded", "too little"):
        assert other not in text
    q = worcs.section("eha_quintiles").table
    assert q["% of EHAs"].tolist() == [29.63, 22.33, 20.08, 17.07, 11.17]
    assert "52.0%" in worcs.section("eha_quintiles").summary  # 51.96: shares to 1 decimal


def test_concentration_curve_ends_at_100(worcs):
    c = worcs.section("eha_concentration").table
    assert c["Cumulative % of modelled need"].iloc[-1] == 100.0
    assert c["Cumulative % of EHAs"].is_monotonic_increasing
    assert worcs.section("eha_concentration").chart is not None


def test_children_centre_reach_footfall_and_ofsted(worcs):
    o = worcs.section("cc_ofsted").table
    latest = o[o["Period"].isin(["2014-15", "2014"])]
    assert latest["Reach %"].tolist() == [71.0, 56.0, 43.0, 49.0]
    assert latest["Meets the 65% benchmark"].tolist() == ["Yes", "No", "No", "No"]
    d = worcs.section("cc_districts").table
    area = d[(d["District"] == "All") & (d["Children"].str.startswith("0-4s in the 30%"))]
    excl = area[area["Nursery education"] == "excluding nursery education"]
    excl = excl[excl["Period"].isin(["2012", "2013", "2014"])]
    assert excl["Footfall (visits per child seen)"].tolist() == [5.19, 3.92, 3.36]
    # published percentages only: nothing can be tested, and the chapter says so
    assert d["Compared with the area (RAG)"].str.startswith(("Not tested", "Area value")).all()
    assert any("no difference can be" in n for n in worcs.section("cc_districts").notes)
    centres = worcs.section("cc_centres")
    assert "29 children's centres; 10 have no neighbourhood" in centres.summary


def test_specialist_midwifery_against_the_open_need_model(worcs):
    sec = worcs.section("specialist_midwifery")
    m = sec.table.iloc[0]
    assert len(sec.table) == 1 and "Need model" not in sec.table.columns
    assert round_half_up(m["Referrals as % of births"]) == 8
    assert m["% of births likely to need intensive help"] == 6.1
    assert "put 12.5% of births in that group" in sec.summary  # quoted, no verdict
    assert "gap" not in sec.summary.lower()


def test_family_support_cumulative_833(worcs):
    t = worcs.section("family_outcomes").table
    assert t["Cumulative families"].tolist() == [34, 79, 197, 280, 303, 613, 710, 833]
    o = worcs.section("family_outcome_types").table.set_index("Outcome")
    assert o["Claims, all rounds"].iloc[:3].tolist() == [787, 33, 13]  # 787 + 33 + 13 = 833


def test_warnings_are_shown(worcs):
    checks = worcs.section("local_checks").table
    detail = " ".join(checks["Detail"])
    assert "add to 14,929, not the area total 14,800" in detail
    assert "Children's centre reach: 2012, excluded, all: district totals" in detail
    assert ".csv" not in detail
    missing = checks[checks["Check"] == "Not supplied"]["Detail"].tolist()
    assert missing == [
        "Reasons recorded in Early Help Assessments (multi-response)",
        "Health visiting mandated reviews: completed and due, by quarter",
        "The local early help offer: services by level of need, age and outcomes sought",
    ]
    templates = worcs.section("local_templates").summary
    assert templates.startswith("6 of the 9 kinds of local service data were supplied")


def test_demand_sections(worcs):
    sc = worcs.section("demand_social_care")
    assert sc.chart is not None
    t = sc.table.set_index("Measure")
    assert t.loc["Children on child protection plans", "Value"] == 49.8
    # the engine's verdict, as in the outcomes chapter (the catalogue: lower is better)
    assert t.loc["Children on child protection plans", "Compared with England"] == "Worse"
    assert t.loc[
        "Referrals to children's social care", "Fold-change since first period (ratio)"
    ] == (1.45)
    assert "Rising: children in need" in sc.summary
    vac = worcs.section("demand_vaccination").table
    assert (vac["Compared with England"] == "Better").all()


def test_demand_summary_values():
    s = demand_summary("E10000034", YEAR).set_index("key")
    assert round_half_up(s.loc["referrals", "value"], 1) == 399.8
    assert round_half_up(s.loc["referrals", "england"], 1) == 515.7
    assert s.loc["referrals", "first_year"] == 2013
    assert round_half_up(s.loc["referrals", "fold_change"], 2) == 1.45  # 399.8 / 275.7
    # 2020-2024 with the snapshot's recalculated earlier years: the outcomes chapter's trend
    assert s.loc["cla", "trend"] == "Increasing"
    outcome = area_benchmarks("E10000034", YEAR).set_index("indicator_id").loc["csc:cla_rate"]
    assert (s.loc["cla", "value"], s.loc["cla", "comparison"]) == (
        outcome["value"],
        outcome["comparison"],
    )


def test_area_without_local_data(rutland):
    assert not rutland.has_local
    assert rutland.parts == {"templates": ["local_templates"]}
    s = rutland.section("local_templates")
    assert "```bash\nneedsbook local-template --area E06000017\n```" in s.summary  # code block
    assert (s.table["Status"] == "Not supplied").all() and len(s.table) == 9
    assert ".csv" not in s.summary and "data/local" not in s.summary
    assert rutland.section("demand_social_care").chart is not None
    assert "No local service data was supplied for Rutland" in rutland.key_findings[0]


def test_rag_uses_wilson_intervals_when_counts_exist():
    import pandas as pd

    from needsbook.services.local_centres import RAG_WORDS, with_rag

    def row(district, centre, seen, pop):
        return {
            "period": "2024-25",
            "nursery": "excluded",
            "population_group": "all",
            "district": district,
            "centre": centre,
            "children_seen": float(seen),
            "attendances": float(seen * 4),
            "population_0_4": float(pop),
            "percent_seen": float("nan"),
            "footfall_rate": float("nan"),
        }

    cc = pd.DataFrame(
        [
            row("All", "All", 6000, 10000),  # area value 60%
            row("A", "All", 700, 1000),  # 70%, Wilson 95% CI 67.1-72.8: above
            row("B", "All", 31, 50),  # 62%, CI 48.1-74.1: contains 60%
            row("C", "All", 500, 1000),  # 50%, CI 46.9-53.1: below
        ]
    )
    r = with_rag(cc).set_index("district")
    assert r.loc["A", "rag"] == RAG_WORDS["Better"]
    assert r.loc["B", "rag"] == RAG_WORDS["Similar"]
    assert r.loc["C", "rag"] == RAG_WORDS["Worse"]
    assert r.loc["All", "rag"] == "Area value"
    assert (
        round(r.loc["A", "lower_ci_95"], 1) == 67.1 and round(r.loc["A", "upper_ci_95"], 1) == 72.8
    )
    assert r.loc["A", "footfall"] == 4.0
