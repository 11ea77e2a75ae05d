"""The evidence catalogue (data/evidence/programmes.yml) and the HCP service model grid: complete,
valid, in reader text, with caveats and strengths exactly as the catalogue rates them."""

from __future__ import annotations

import copy
import re

import pytest
import yaml

from needsbook.errors import DataError, InputError
from needsbook.evidence import build_catalogue, load_catalogue, load_service_model, programmes_for
from needsbook.evidence import catalogue as cat
from needsbook.evidence.coverage import contacts, grid, high_impact_areas
from needsbook.evidence.strength import (
    RANK,
    STRENGTHS,
    at_least,
    counts_as_evidence,
    rating_strength,
    strengths,
)
from needsbook.testing.reader_text import check_text
from needsbook.validate import validate_frame

#: Every programme named in Appendix 1 of the Worcestershire 2015 needs assessment: id -> a
#: name fragment.
APPENDIX_1 = {
    "triple_p_level1": "Triple P level 1",
    "triple_p_standard": "Standard Triple P",
    "triple_p_enhanced": "Enhanced Triple P",
    "incredible_years": "Incredible Years",
    "fast": "Families and Schools Together",
    "family_nurse_partnership": "Family Nurse Partnership",
    "early_start": "Early Start",
    "media_interventions": "Media-based",
    "functional_family_therapy": "Functional Family Therapy",
    "pmto": "Oregon",
    "strengthening_families_10_14": "Strengthening Families",
    "solihull_approach": "Solihull",
    "family_links": "Family Links",
    "skin_to_skin": "Skin-to-skin",
    "nbas": "Brazelton",
    "baby_massage": "Baby massage",
    "kangaroo_care": "Kangaroo care",
}
#: Every other intervention or approach named in the 2015 assessment's text.
ASSESSMENT_TEXT = {
    "pregnancy_smoking_alcohol_drugs": "Smoking, alcohol and drug",
    "perinatal_mental_health_pathway": "perinatal mental health pathway",
    "domestic_violence_identification_pregnancy": "Domestic violence",
    "specialist_midwives": "Specialist midwives",
    "infant_carriers": "Infant carriers",
    "promotional_interviews": "promotional interviews",
    "attachment_based_interventions": "Attachment-based",
    "perinatal_home_visiting": "home visiting",
    "brief_group_parenting": "Brief group-based parenting",
    "language_rich_environments": "Language-rich",
    "early_childhood_education_care": "early childhood education",
    "childrens_centres": "Children's centres",
    "stay_and_play": "Stay and Play",
    "baby_yoga": "Baby yoga",
    "pnd_treatment": "postnatal depression",
    "video_feedback": "Video-feedback",
    "early_literacy_learning_model": "Early Literacy and Learning Model",
    "healthy_schools_seal": "SEAL",
    "pshe": "PSHE",
    "school_physical_activity_healthy_eating": "physical activity",
    "school_nursing": "School nursing",
    "sdq_cbcl_screening": "SDQ and CBCL",
    "classroom_emotional_problem_solving": "Classroom-based",
    "group_parent_training_cg158": "Group parent training",
    "group_foster_carer_training": "foster carer",
    "group_social_cognitive_problem_solving": "problem-solving",
    "pcit": "Parent-child interaction therapy",
    "multidimensional_treatment_foster_care": "Multidimensional treatment foster care",
    "family_therapy_maltreatment_prevention": "Maltreatment-prevention",
    "multisystemic_therapy": "Multisystemic therapy",
    "brief_strategic_family_therapy": "Brief strategic family therapy",
    "adolescent_depression_therapies": "interpersonal psychotherapy",
    "roni_neet_prevention": "RONI",
    "troubled_families_keyworker": "Troubled Families",
    "local_early_help_family_support": "EIFS",
    "asq3_asq_se": "ASQ-3",
    "newborn_behavioural_observation": "Newborn Behavioural Observation",
    "epds": "Edinburgh Postnatal Depression Scale",
    "caf_beck_inventories": "Beck",
    "every_child_a_talker": "Every Child a Talker",
    "communication_language_groups": "Communication and language groups",
    "flying_start_keyworkers": "Flying Start",
    "family_mentors": "Family Mentors",
    "health_visiting_hcp_0_5": "Health visiting",
    "breastfeeding_nutrition_support": "Breastfeeding",
    "school_sew_nice": "NICE PH12",
    "adolescent_common_risk_factors": "Common-risk-factor",
    "digital_self_help": "Digital self-help",
}


@pytest.fixture(scope="module")
def catalogue() -> cat.Catalogue:
    return load_catalogue()


@pytest.fixture()
def entries() -> list[dict]:
    return copy.deepcopy(cat.read_entries())


def test_catalogue_loads_and_validates(catalogue: cat.Catalogue) -> None:
    df = catalogue.programmes
    assert list(df.columns) == cat.COLUMNS
    assert df["id"].is_unique
    report = validate_frame(cat.TABLE, df)
    assert report.success, report.text()
    assert report.evaluated >= 40


@pytest.mark.parametrize("pid,fragment", sorted({**APPENDIX_1, **ASSESSMENT_TEXT}.items()))
def test_every_programme_of_the_2015_assessment_is_catalogued(
    catalogue: cat.Catalogue, pid: str, fragment: str
) -> None:
    row = catalogue.programmes.set_index("id")
    assert pid in row.index, f"{pid} ({fragment}) missing from the evidence catalogue"
    assert fragment.lower() in row.loc[pid, "name"].lower()
    assert row.loc[pid, "from_2015_assessment"], f"{pid} comes from the 2015 assessment"


def test_domains_and_indicators_exist_in_indicator_catalogue(catalogue: cat.Catalogue) -> None:
    domains, indicators = cat.indicator_catalogue()
    assert len(domains) == 8
    assert set(catalogue.domains["outcome_domain"]) <= domains
    assert set(catalogue.indicators["indicator_id"]) <= indicators
    # every domain is addressed by at least one programme
    assert set(catalogue.domains["outcome_domain"]) == domains


def test_appendix_1_levels_follow_the_crosswalk(catalogue: cat.Catalogue) -> None:
    df = catalogue.programmes.set_index("id")
    for pid in APPENDIX_1:
        level = df.loc[pid, "hcp_level"]
        assert df.loc[pid, "hv_level"] == cat.CROSSWALK[level]
        assert df.loc[pid, "evidence_source"].startswith(
            ("Worcestershire 2015 needs assessment", "University", "WHO")
        )
    assert df.loc["skin_to_skin", "hcp_level"] == "community"  # Appendix 1 level 1
    assert df.loc["solihull_approach", "hcp_level"] == "universal"  # level 2
    assert df.loc["pmto", "evidence_rating"] == "4 stars"
    assert df.loc["solihull_approach", "evidence_rating"] == "1 star"
    assert df.loc["solihull_approach", "level_in_2015_review"] == "2 = Universal"
    assert df.loc["triple_p_standard", "name"] == "Standard Triple P (level 2)"
    assert df.loc["fast", "evidence_source"] == (
        "Worcestershire 2015 needs assessment, Appendix 1 (Review of Parenting Interventions), "
        "PPET rating"
    )


def test_fnp_is_flagged_outdated_with_the_uk_rct(catalogue: cat.Catalogue) -> None:
    fnp = catalogue.programmes.set_index("id").loc["family_nurse_partnership"]
    assert fnp["outdated"]
    assert "Building Blocks" in fnp["outdated_note"]
    assert "no short-term benefit" in fnp["outdated_note"]
    assert "Robling" in fnp["references"]


def test_unchecked_ratings_carry_a_reader_note(catalogue: cat.Catalogue) -> None:
    ev = catalogue.evidence
    eif = ev[ev["scale"] == "EIF Guidebook"]
    assert len(eif) and eif["needs_check"].all()
    assert set(eif["note"]) == {
        "Rating not checked against the current EIF Guidebook; check before relying on it."
    }
    assert set(ev["scale"]) <= set(cat.SCALES)
    assert (ev["source"].str.len() > 0).all() and (ev["date"].str.len() > 0).all()
    flagged = catalogue.programmes.set_index("id")
    assert flagged.loc[["incredible_years", "family_nurse_partnership"], "needs_check"].all()
    own = flagged[flagged["check_note"] != ""]
    assert own["needs_check"].all()
    assert "'older children'" in flagged.loc["multidimensional_treatment_foster_care", "check_note"]


@pytest.mark.parametrize(
    "break_it,field",
    [
        (lambda e: e[0]["outcome_domains"].append("happiness"), "outcome_domains"),
        (lambda e: e[0].update(target_age_min=15, target_age_max=3), "target_age_min"),
        (lambda e: e[1].update(id=e[0]["id"]), "id"),
        (lambda e: e[0]["evidence"][0].pop("source"), "evidence[0].source"),
        (lambda e: e[0]["indicator_ids"].append("lait:Nope"), "indicator_ids"),
        (lambda e: e[0].update(hcp_level="tier 2"), "hcp_level"),
        (lambda e: e[0].update(life_stages=["0-4"]), "life_stages"),
        (lambda e: e[0].update(references=[]), "references"),
        (lambda e: e[0]["evidence"][0].update(scale="stars"), "evidence[0].scale"),
        (lambda e: e[0].update(seed_level="1 = Population"), "seed_level"),
        (lambda e: e[0].update(verify=True), "verify"),
        (lambda e: e[0]["evidence"][0].update(verify=True), "evidence[0].verify"),
        (lambda e: e[0]["evidence"][0].update(strength="strong"), "evidence[0].strength"),
        (lambda e: e[0].update(caveat="No full stop"), "caveat"),
        (lambda e: e[0].update(caveat="Far too long. " * 20), "caveat"),
        (lambda e: e[0].update(needs_check=True, check_note=""), "check_note"),
        (
            lambda e: e[0]["evidence"].append(
                {"scale": "EIF Guidebook", "rating": "3", "source": "EIF", "date": "2020"}
            ),
            "evidence[1].needs_check",
        ),
    ],
)
def test_broken_copy_names_programme_and_field(entries: list[dict], break_it, field: str) -> None:
    break_it(entries)
    with pytest.raises(DataError) as exc:
        build_catalogue(entries)
    msg = str(exc.value)
    assert f"programme '{entries[0]['id']}'" in msg
    assert f"field '{field}'" in msg


def test_expectation_suite_catches_what_python_checks_catch(entries: list[dict]) -> None:
    entries[0].update(target_age_min=15, target_age_max=3)
    entries[1].update(id=entries[0]["id"])
    entries[2]["outcome_domains"] = ["happiness"]
    entries[3]["evidence"][0]["source"] = ""
    report = validate_frame(cat.TABLE, cat.programmes_frame(entries))
    failed = {(f.expectation, f.column) for f in report.failures}
    assert (
        "expect_column_pair_values_a_to_be_greater_than_b",
        "target_age_max vs target_age_min",
    ) in failed
    assert ("expect_column_values_to_be_unique", "id") in failed
    assert ("expect_column_values_to_match_regex", "outcome_domains") in failed
    assert ("expect_column_value_lengths_to_be_between", "evidence_source") in failed


def test_programmes_for_filters(catalogue: cat.Catalogue) -> None:
    crime_teens = programmes_for(["crime"], "12-19", catalogue=catalogue)
    assert "functional_family_therapy" in set(crime_teens["id"])
    assert "multisystemic_therapy" in set(crime_teens["id"])
    assert all("crime" in d.split("; ") for d in crime_teens["outcome_domains"])
    assert all("12-19" in s.split("; ") for s in crime_teens["life_stages"])
    assert list(crime_teens["id"]) == sorted(crime_teens["id"])
    antenatal = programmes_for(["abuse_neglect", "early_development"], "antenatal", catalogue)
    assert "family_nurse_partnership" in set(antenatal["id"])
    assert "functional_family_therapy" not in set(antenatal["id"])
    every_stage = programmes_for(["risky_sexual"], catalogue=catalogue)
    assert set(every_stage["id"]) >= {"pshe", "school_nursing"}
    with pytest.raises(InputError, match="domain"):
        programmes_for(["happiness"], catalogue=catalogue)
    with pytest.raises(InputError, match="life_stage"):
        programmes_for(["crime"], "0-4", catalogue=catalogue)


def test_service_model_grid_is_complete() -> None:
    model = load_service_model()
    levels = [lv["id"] for lv in model["levels"]]
    stages = [s["id"] for s in model["life_stages"]]
    assert levels == list(cat.HCP_LEVELS) and stages == list(cat.LIFE_STAGES)
    assert {lv["id"]: lv["hv_level_2009"] for lv in model["levels"]} == cat.CROSSWALK
    cells = {(g["level"], g["life_stage"]) for g in model["grid"]}
    assert cells == {(lv, st) for lv in levels for st in stages}
    assert len(model["grid"]) == 16
    mandated = [c["id"] for c in model["contacts"] if c["mandated"]]
    assert mandated == [
        "antenatal_review",
        "new_birth_visit",
        "six_to_eight_week",
        "one_year",
        "two_year",
    ]
    assert all(c["life_stage"] in stages for c in model["contacts"])
    hia = model["high_impact_areas"]
    assert len(hia["health_visiting_2015"]["areas"]) == 6
    assert len(hia["school_aged_current"]["areas"]) == 6
    assert set(hia["early_years_current"]["to_check"]) <= set(hia["early_years_current"]["areas"])
    publications = set(model["publications"].values())
    for block in [*model["levels"], *model["contacts"], *model["grid"], *hia.values()]:
        assert block["source"] and set(block["source"]) <= publications, block


def test_schema_documents_every_field(root) -> None:
    schema = (root / "data" / "evidence" / "SCHEMA.md").read_text()
    raw = yaml.safe_load((root / "data" / "evidence" / "programmes.yml").read_text())
    fields = {k for e in raw["programmes"] for k in e} | set(cat.COLUMNS)
    for field in fields:
        assert f"`{field}`" in schema, f"{field} not documented in SCHEMA.md"
    for scale in cat.SCALES:
        assert scale in schema


# --- reader text ------------------------------------------------------------------------------


def _strings(value: object) -> list[str]:
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list | tuple):
        return [s for v in value for s in _strings(v)]
    return [value] if isinstance(value, str) else []


def test_catalogue_frames_hold_reader_text_only(catalogue: cat.Catalogue) -> None:
    """Every cell and column name a reader can see (page or download) passes the checker."""
    readable = catalogue.programmes.drop(columns=["id", "outcome_domains", "indicator_ids"])
    cells = [str(v) for v in readable.to_numpy().ravel()]
    cells += [str(v) for v in catalogue.evidence.drop(columns="programme_id").to_numpy().ravel()]
    cells += list(catalogue.programmes.columns) + list(catalogue.evidence.columns)
    problems = [p for text in cells for p in check_text("catalogue", text)]
    assert problems == [], problems[:5]
    assert not catalogue.programmes.isin(["not stated in the seed"]).any().any()
    pick = catalogue.programmes.set_index("id")
    assert pick.loc["baby_yoga", "cost_notes"] == "Not stated"
    assert {"PPET stars", "Statement in the 2015 assessment"} <= set(catalogue.evidence["scale"])


def test_service_model_holds_reader_text_only() -> None:
    model = load_service_model()
    frames = [grid([]), contacts(model), high_impact_areas(model)]
    texts = [str(v) for f in frames for v in [*f.columns, *f.to_numpy().ravel()]]
    texts += _strings({k: v for k, v in model.items() if k != "version"})
    problems = [p for text in texts for p in check_text("service model", text)]
    assert problems == [], problems[:5]
    hia = high_impact_areas(model).set_index("High impact area")
    assert hia.loc["HIA 3: Supporting breastfeeding", "Note"].startswith("Not named")
    assert hia.loc["HIA 1: Supporting the transition to parenthood", "Note"] == ""


# --- caveats and strength -----------------------------------------------------------------------


def test_caveat_column(catalogue: cat.Catalogue) -> None:
    df = catalogue.programmes.set_index("id")
    assert df.loc["family_nurse_partnership", "caveat"] == (
        "The UK trial (Building Blocks, Robling et al. 2016) found no short-term benefit on its "
        "main outcomes over usual care."
    )
    assert df.loc["fast", "caveat"] == ""
    assert df["caveat"].map(type).eq(str).all()
    # an out-of-date entry whose newer trial found no benefit or effect carries a caveat
    for pid, row in df[df["outdated"]].iterrows():
        if re.search(
            r"no (?:short-term |significant )?(?:benefit|effect|reduction)", row["outdated_note"]
        ):
            assert row["caveat"], f"{pid}: outdated note says the evidence is weaker"
    assert "Building Blocks" in df.loc["perinatal_home_visiting", "caveat"]


def test_little_or_no_evidence_is_the_lowest_strength(catalogue: cat.Catalogue) -> None:
    s = strengths(catalogue)
    assert s["stay_and_play"] == s["baby_yoga"] == "little or no evidence"
    assert s["family_nurse_partnership"] == "strong"
    assert s["healthy_schools_seal"] == "not graded"
    assert STRENGTHS[-1] == "little or no evidence"
    assert RANK["little or no evidence"] > RANK["not graded"]
    assert not at_least("little or no evidence", "weak")
    assert at_least("little or no evidence", "any")
    assert at_least("strong", "moderate") and not at_least("not graded", "weak")
    stated = catalogue.evidence[catalogue.evidence["strength"] != ""]
    assert set(stated["programme_id"]) == {"stay_and_play", "baby_yoga"}


def test_counts_as_evidence() -> None:
    assert [counts_as_evidence(s) for s in STRENGTHS] == [True, True, True, True, False]
    with pytest.raises(ValueError, match="unknown evidence strength"):
        counts_as_evidence("excellent")


@pytest.mark.parametrize(
    ("scale", "rating", "stated", "expected"),
    [
        ("PPET stars", "4 stars", "", "strong"),
        ("PPET stars", "2 stars", "", "moderate"),
        ("Statement in the 2015 assessment", "effective", "", "not graded"),
        (
            "Statement in the 2015 assessment",
            "not evidenced",
            "little or no evidence",
            "little or no evidence",
        ),
        ("PPET stars", "1 star", "", "weak"),
        ("EIF Guidebook", "NL2", "", "weak"),
    ],
)
def test_rating_strength(scale: str, rating: str, stated: str, expected: str) -> None:
    assert rating_strength(scale, rating, stated) == expected
