"""The rules file (data/recommendations/rules.yml): it loads, names only things that exist, and
a broken file gives errors naming the rule and the field."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from needsbook.errors import DataError
from needsbook.evidence.catalogue import indicator_catalogue, read_entries
from needsbook.recommend.rules import check_rules, default_path, load_rules
from needsbook.services.findings import KEYS

SEED_SUBSTANCE = {
    "school_readiness",
    "eha_targeting",
    "hcp_coverage",
    "maternal_focus",
    "social_care_practice",
    "childrens_centres",
    "outcome_measurement",
    "evidence_based_commissioning",
}


@pytest.fixture(scope="module")
def doc() -> dict:
    return yaml.safe_load(default_path().read_text())


def test_rules_load_and_cover_the_seed_recommendations() -> None:
    rules = load_rules()
    ids = [r.id for r in rules]
    assert len(ids) == len(set(ids))
    assert set(ids) >= SEED_SUBSTANCE
    for r in rules:
        assert r.title and r.recommendation and r.why and r.conditions and r.chapter


def test_every_indicator_and_domain_named_in_rules_is_in_the_indicator_catalogue(doc) -> None:
    domains, indicators = indicator_catalogue()
    named_domains, named_indicators = set(), set()
    for rule in doc["rules"]:
        for c in rule["conditions"]:
            if "indicator" in c:
                named_indicators.add(c["indicator"])
            if "domain" in c and c["domain"] != "any":
                named_domains.add(c["domain"])
        ev = rule.get("evidence") or {}
        if isinstance(ev.get("domains"), list):
            named_domains |= set(ev["domains"])
    assert named_indicators and named_domains
    assert named_indicators <= indicators, named_indicators - indicators
    assert named_domains <= domains, named_domains - domains


def test_every_service_key_and_evidence_id_named_in_rules_exists(doc) -> None:
    programmes = {e["id"] for e in read_entries()}
    for rule in doc["rules"]:
        for c in rule["conditions"]:
            if "service" in c:
                key = c["service"]
                assert key in KEYS or (
                    key.endswith("*") and any(k.startswith(key[:-1]) for k in KEYS)
                ), key
        for pid in (rule.get("evidence") or {}).get("ids", []):
            assert pid in programmes, pid


def _broken(doc: dict, edit) -> list[str]:
    bad = copy.deepcopy(doc)
    edit(bad["rules"])
    return check_rules(bad)[1]


def test_unknown_indicator_names_rule_and_field(doc) -> None:
    def edit(rules):
        rules[0]["conditions"][0]["indicator"] = "lait:NoSuchThing"

    assert _broken(doc, edit) == [
        "rule 'school_readiness', field 'conditions[0].indicator': 'lait:NoSuchThing' is not in "
        "data/indicators.yml"
    ]


def test_predicate_that_does_not_apply_to_a_service(doc) -> None:
    def edit(rules):
        rules[1]["conditions"][0]["when"] = ["worst_fifth"]

    (problem,) = _broken(doc, edit)
    assert problem.startswith(
        "rule 'eha_targeting', field 'conditions[0].when': predicate 'worst_fifth' does not "
        "apply to a service"
    )


def test_unknown_threshold_and_unknown_domain(doc) -> None:
    def edit(rules):
        rules[0]["conditions"][1]["when"] = [{"under": 50}]
        rules[4]["conditions"][3]["domain"] = "happiness"

    problems = _broken(doc, edit)
    assert problems[0].startswith(
        "rule 'school_readiness', field 'conditions[1].when': threshold 'under' is not a threshold"
    )
    assert problems[1].startswith(
        "rule 'adolescent_resilience', field 'conditions[3].domain': 'happiness' is not an "
        "outcome domain"
    )


def test_missing_fields_bad_evidence_and_duplicate_id(doc) -> None:
    def edit(rules):
        del rules[0]["title"]
        rules[0]["evidence"]["ids"] = ["no_such_programme"]
        rules[0]["evidence"]["min_strength"] = "excellent"
        rules[1]["id"] = "school_readiness"
        rules[2]["conditions"] = []

    problems = _broken(doc, edit)
    assert "rule 'school_readiness', field 'title': missing or empty" in problems
    assert (
        "rule 'school_readiness', field 'evidence.ids': 'no_such_programme' is not in "
        "data/evidence/programmes.yml"
    ) in problems
    assert any(
        p.startswith("rule 'school_readiness', field 'evidence.min_strength'") for p in problems
    )
    assert "rule 'school_readiness', field 'id': duplicate id" in problems
    assert "rule 'hcp_coverage', field 'conditions': must be a non-empty list" in problems


def test_load_rules_raises_one_error_listing_every_problem(tmp_path: Path, doc) -> None:
    bad = copy.deepcopy(doc)
    bad["rules"][0]["conditions"][0]["service"] = "eha_targeting:nowhere"
    bad["rules"][3]["priority"] = "urgent"
    path = tmp_path / "rules.yml"
    path.write_text(yaml.safe_dump(bad))
    with pytest.raises(DataError) as err:
        load_rules(path)
    text = str(err.value)
    assert f"recommendation rules {path} are invalid" in text
    assert "rule 'school_readiness', field 'conditions[0]': must name exactly one of" in text
    assert (
        "rule 'maternal_focus', field 'priority': 'urgent' not in ['high', 'medium', 'low']" in text
    )


def test_unreadable_rules_file(tmp_path: Path) -> None:
    path = tmp_path / "rules.yml"
    path.write_text("rules: [unclosed")
    with pytest.raises(DataError, match="cannot read the recommendation rules"):
        load_rules(path)
    path.write_text("- just a list\n")
    with pytest.raises(DataError, match="must be a mapping with a 'rules' list"):
        load_rules(path)


def test_action_plan_policy_and_model_report_fields_are_checked(doc) -> None:
    def edit(rules):
        rules[0]["level"] = "urgent"
        rules[0]["lead_partners"] = []
        rules[0]["track"] = "lait:NoSuchThing"
        rules[0]["policy"] = ["no_such_policy"]
        rules[0]["model_report"] = [11]
        rules[1]["seed"] = "R1, R5"
        del rules[2]["track"]

    problems = _broken(doc, edit)
    assert problems == [
        "rule 'school_readiness', field 'model_report': must be a list of recommendation "
        "numbers 1-10",
        "rule 'school_readiness', field 'level': 'urgent' not in ['universal', 'early help', "
        "'targeted', 'specialist']",
        "rule 'school_readiness', field 'lead_partners': must be a non-empty list of names",
        "rule 'school_readiness', field 'track': 'lait:NoSuchThing' is not an indicator id of "
        "data/indicators.yml, a service finding key, or 'from_triggers'",
        "rule 'school_readiness', field 'policy': 'no_such_policy' is not in "
        "data/policy/policy.yml",
        "rule 'eha_targeting', field '(rule)': unknown field(s) ['seed']",
        "rule 'hcp_coverage', field 'track': missing or empty",
    ]


def test_a_tracked_indicator_needs_a_direction_to_aim_for(doc) -> None:
    from needsbook.outcomes.catalogue import load_catalogue
    from needsbook.polarity import JUDGED

    neutral = next(i.id for i in load_catalogue().indicators if i.polarity not in JUDGED)

    def edit(rules):
        rules[0]["track"] = neutral

    (problem,) = _broken(doc, edit)
    assert problem == (
        f"rule 'school_readiness', field 'track': {neutral!r} has no better or worse direction "
        "to aim for"
    )


def test_every_rule_has_an_action_plan_row_and_cites_policy_that_exists() -> None:
    from needsbook.recommend.policy import load_policy

    policies = load_policy()
    for r in load_rules():
        assert r.level in ("universal", "early help", "targeted", "specialist"), r.id
        assert r.lead_partners and all(r.lead_partners), r.id
        assert r.track, r.id
        assert set(r.policy) <= set(policies), r.id
        assert r.model_report and all(1 <= n <= 10 for n in r.model_report), r.id
    cited = {p for r in load_rules() for p in r.policy}
    assert cited == set(policies)  # every policy document is cited by some rule


def test_explicit_evidence_meets_the_rules_minimum_strength() -> None:
    """An explicit id below the rule's minimum could never be listed: none is named."""
    from needsbook.evidence.catalogue import load_catalogue
    from needsbook.evidence.strength import at_least, counts_as_evidence, strengths

    strength = strengths(load_catalogue())
    for r in load_rules():
        for i in r.evidence.ids:
            s = strength[i]
            assert at_least(s, r.evidence.min_strength) or not counts_as_evidence(s), (r.id, i)
