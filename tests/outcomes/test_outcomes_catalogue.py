"""The indicator catalogue: every id exists in the snapshot, the required indicators are there,
polarity decisions are documented, and malformed entries are refused with a clear message."""

from __future__ import annotations

import copy

import pytest
import yaml

from needsbook.data import load_table
from needsbook.errors import DataError
from needsbook.outcomes.catalogue import default_path, load_catalogue, parse, validate
from needsbook.testing.reader_text import check_text

# What the brief asks for -> the catalogue id that supplies it.
REQUIRED = {
    "infant mortality": "lait:InfMort",
    "low birth weight": "lait:Low_Birth_Weight_Babies",
    "breastfeeding 6-8 weeks": "lait:6wksBreast",
    "under-18 conceptions": "lait:Under18concep",
    "DTaP 12 months": "cover:DTaPIPVHib3_12m",
    "MMR1 24 months": "cover:MMR1_24m",
    "MMR2 5 years": "cover:MMR2_Boo_5y",
    "Reception excess weight": "lait:ExcessRec",
    "Year 6 excess weight": "lait:ExcessYr6",
    "good level of development, all": "lait:FSP_NEW_GOODDEV",
    "good level of development, FSM": "lait:FSP_Gooddev_FSM",
    "KS4 Attainment 8": "lait:AVG_Attain8_Score",
    "16-17 NEET": "neet:neet_pct",
    "16-17 not known": "neet:not_known_pct",
    "first-time entrants to youth justice": "lait:FirstYJS",
    "children in low-income families": "lait:ChildPov",
    "injury admissions 0-14": "ft:90284",
    "under-18 alcohol admissions": "lait:Hosp_Adm_Alc_<18yrs",
    "mental-health admissions 0-17": "lait:CMH_0-17yrs",
    "children in need rate": "csc:cin_rate",
    "child protection plan rate": "csc:cpp_rate",
    "children looked after rate": "csc:cla_rate",
    "re-referrals": "csc:rereferral_pct",
    "EHC plans": "lait:SEN_TotStat",
}


@pytest.fixture(scope="module")
def raw_yaml() -> dict:
    return yaml.safe_load(default_path().read_text(encoding="utf-8"))


def test_catalogue_has_at_least_30_indicators_covering_the_brief() -> None:
    cat = load_catalogue()
    assert len(cat) >= 30
    missing = {k: v for k, v in REQUIRED.items() if v not in cat.ids}
    assert not missing


def test_every_id_exists_in_indicator_meta_and_has_rows() -> None:
    cat = load_catalogue()
    meta = load_table("indicator_meta")
    assert validate(cat, meta) == []
    ids = set(load_table("indicators")["indicator_id"].unique())
    assert set(cat.ids) <= ids


def test_life_stages_all_used_and_in_order() -> None:
    cat = load_catalogue()
    assert list(cat.life_stages) == [
        "pregnancy_birth",
        "early_years",
        "school_age",
        "adolescence",
        "social_care",
    ]
    used = {i.life_stage for i in cat.for_use("outcomes")}
    assert used == set(cat.life_stages)


def test_social_care_polarity_follows_the_2015_assessment_and_is_explained() -> None:
    cat = load_catalogue()
    meta = load_table("indicator_meta").set_index("indicator_id")
    for ind_id in ("csc:cin_rate", "csc:cpp_rate", "csc:cla_rate"):
        ind = cat[ind_id]
        assert ind.polarity == "Low is good"
        assert meta.loc[ind_id, "polarity"] == "Low is good"  # generated from the catalogue
        assert "DfE gives no polarity" in ind.polarity_note
        assert "treats a higher rate as worse" in ind.polarity_note
    assert cat["lait:SEN_TotStat"].polarity == "No judgement"


def test_catalogue_text_readers_see_names_no_internals() -> None:
    """Names, definitions and notes are printed in the book: no "seed", codes or file names."""
    cat = load_catalogue()
    problems = [
        p
        for ind in cat.indicators
        for name in ("name", "definition", "polarity_note", "series_note")
        for p in check_text(f"{ind.id} {name}", str(getattr(ind, name, "") or ""))
    ]
    assert not problems, "\n".join(map(str, problems))
    for ind_id in ("csc:cin_rate", "csc:cpp_rate", "csc:cla_rate"):
        assert "Worcestershire 2015 needs assessment" in cat[ind_id].polarity_note


def test_ci_methods_match_the_snapshot() -> None:
    cat = load_catalogue()
    meta = load_table("indicator_meta").set_index("indicator_id")
    for ind in cat.indicators:
        assert ind.has_ci == bool(meta.loc[ind.id, "has_ci"]), ind.id
    assert cat["cover:MMR1_24m"].trend_method == "chi2"
    assert cat["csc:cla_rate"].trend_method == "regression"
    assert cat["lait:InfMort"].trend_method is None


def test_every_star_domain_has_an_indicator() -> None:
    cat = load_catalogue()
    assert len(cat.star_domains) == 8
    assert {i.domain for i in cat.indicators if i.domain} == set(cat.star_domains)


def test_format_writes_units_plainly() -> None:
    cat = load_catalogue()
    assert cat["lait:FSP_NEW_GOODDEV"].format(61.234) == "61.2%"
    assert cat["lait:InfMort"].format(4.05) == "4.0 per 1,000 live births"
    assert cat["csc:cla_rate"].format(1234.56) == "1,234.6 per 10,000 aged 0-17"
    assert cat["csc:cla_rate"].format(None) == "no data"
    assert cat["csc:cla_rate"].format(float("nan")) == "no data"


def test_emergency_admissions_alias_is_really_the_injury_indicator() -> None:
    """LAIT's 'Emergency Hospital Admissions 0-14' equals OHID 90284 (injuries) to rounding,
    which is why the catalogue shows it once and lists the alias under not_available."""
    cat = load_catalogue()
    alias = next(m for m in cat.not_available if m.get("alias_of") == "ft:90284")
    t = load_table("indicators")
    a = t[t["indicator_id"] == alias["snapshot_id"]][["area_code", "year", "value"]]
    published = (t["indicator_id"] == "ft:90284") & (t["source"] == "OHID Fingertips")
    b = t[published][["area_code", "year", "value"]]
    m = a.merge(b, on=["area_code", "year"])
    assert len(m) > 1000
    assert (m["value_x"] - m["value_y"]).abs().max() <= 0.005 + 1e-9


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"polarity": "Higher is better"}, "polarity 'Higher is better'"),
        ({"life_stage": "teens"}, "life_stage 'teens' is not a life stage"),
        ({"ci_method": "bootstrap"}, "ci_method 'bootstrap'"),
        ({"colour": "red"}, "unknown field(s) colour"),
        ({"domain": "happiness"}, "domain 'happiness' unknown"),
    ],
)
def test_bad_entries_are_refused(raw_yaml: dict, change: dict, message: str) -> None:
    data = copy.deepcopy(raw_yaml)
    data["indicators"][0].update(change)
    with pytest.raises(DataError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse(data)


def test_missing_field_and_duplicate_ids_are_refused(raw_yaml: dict) -> None:
    data = copy.deepcopy(raw_yaml)
    del data["indicators"][0]["unit"]
    with pytest.raises(DataError, match="missing field"):
        parse(data)
    data = copy.deepcopy(raw_yaml)
    data["indicators"].append(copy.deepcopy(data["indicators"][0]))
    with pytest.raises(DataError, match="duplicate indicator id"):
        parse(data)


def test_validate_reports_unknown_ids_and_a_stale_snapshot(raw_yaml: dict) -> None:
    data = copy.deepcopy(raw_yaml)
    data["indicators"][0]["id"] = "lait:NoSuchThing"
    cin = next(e for e in data["indicators"] if e["id"] == "csc:cin_rate")
    cin["polarity"] = "No judgement"  # the snapshot was generated with the catalogue's
    problems = validate(parse(data), load_table("indicator_meta"))
    assert "lait:NoSuchThing: not in indicator_meta" in problems
    assert any(p.startswith("csc:cin_rate: polarity 'No judgement' differs") for p in problems)
    assert validate(load_catalogue(), load_table("indicator_meta")) == []
