"""Declarative specs of the local service data templates: the one place that defines them.

Each template is a CSV under ``data/local/<area code>/``. Its columns (type, unit, rule), key
and README text are defined here; the README files, the empty templates written by
``needsbook local-template`` and the Great Expectations suites in ``expectations/local/`` are
all generated from these specs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from needsbook.local.rules import (
    FORMULA_START,
    PERIOD_REGEX,
    TEXT_RULE,
    count_ceiling_rule,
    period_rule,
)
from needsbook.need.model import AGE_BANDS

ALL = "All"  # the marginal ("all districts", "all providers", "all quintiles", "all centres")
EHA_DIMS = ("provider", "district", "imd_quintile")  # the EHA table's dimensions

QUINTILES = ("1", "2", "3", "4", "5")
HV_REVIEWS = ("antenatal", "new_birth_14_days", "6_8_weeks", "12_months", "2_2_5_years")
FAMILY_OUTCOMES = (
    "education_crime_asb",
    "continuous_employment",
    "esf_only",
    "progress_to_work",
    "additional_esf_only",
    "additional_progress_to_work",
)
PRIMARY_FAMILY_OUTCOMES = ("education_crime_asb", "continuous_employment", "esf_only")
#: Levels of need of the local offer, lowest first (what each means, and where it sits among the
#: Healthy Child Programme's levels: ``data/evidence/healthy_child_programme.yml``).
LEVELS_OF_NEED = ("universal", "early help", "targeted", "specialist")
AGE_MAX = 25  # the oldest age a local offer row may serve (young people with SEND, to 25)
#: Plain words accepted for each outcome domain (the catalogue's ``star_domains``) in the local
#: offer's ``outcomes_sought``, besides the domain's id and its name.
OUTCOME_WORDS: dict[str, tuple[str, ...]] = {
    "abuse_neglect": (
        "abuse",
        "neglect",
        "safeguarding",
        "child protection",
        "children in need",
        "children looked after",
        "domestic abuse",
        "family breakdown",
    ),
    "risky_sexual": ("sexual health", "teenage pregnancy", "under-18 conceptions", "chlamydia"),
    "crime": ("crime", "offending", "youth offending", "anti-social behaviour", "violence"),
    "obesity_physical": (
        "physical health",
        "obesity",
        "healthy weight",
        "nutrition",
        "healthy eating",
        "breastfeeding",
        "immunisation",
        "vaccination",
        "injuries",
        "oral health",
        "maternal health",
        "infant health",
    ),
    "substance": ("substance misuse", "drugs", "alcohol", "smoking"),
    "early_development": (
        "early development",
        "child development",
        "school readiness",
        "speech and language",
        "communication",
        "early learning",
    ),
    "mental_health": (
        "mental health",
        "emotional health",
        "emotional wellbeing",
        "wellbeing",
        "resilience",
        "behaviour",
        "attachment",
        "self-harm",
    ),
    "school_employment": (
        "education",
        "attainment",
        "school attendance",
        "employment",
        "training",
    ),
}
DOMAINS_RULE = (
    "one or more outcome domains separated by semicolons, each written as the domain's id "
    "(e.g. `early_development`), its name (e.g. `Early child development`) or one of its plain "
    "words listed below; capitals and spaces around them do not matter"
)


def outcome_words_note() -> str:
    """The README's list of the words accepted for each outcome domain."""
    lines = ["Words accepted in `outcomes_sought` (besides each domain's id and name):", ""]
    lines += [f"- `{d}`: " + ", ".join(f"`{w}`" for w in ws) for d, ws in OUTCOME_WORDS.items()]
    return "\n".join(lines)


LSOA_REGEX = r"^E01\d{6}$"  # a 2011 LSOA code in England
NEED_MODEL = "need_model"  # the council's own need model (read by the need chapter)
NEED_MODEL_PERCENTS = {  # need group -> its percent column
    "additional": "percent_additional",
    "extra": "percent_extra",
    "intensive": "percent_intensive",
}
NEED_MODEL_NOTE = (
    "The three groups do not overlap: a child counted in extra help is not also counted in "
    "additional help, so give each group's own share, not cumulative shares. "
    "Rules across rows: the three percentages of a row add to at most 100 (the rest are "
    "children likely to have good or very good outcomes); every 2011 LSOA of the area appears "
    f"with every age band ({', '.join(AGE_BANDS)}), once; `model` is the same in every row and "
    f"does not start with {', '.join(f'`{c}`' for c in FORMULA_START)} (a spreadsheet would run "
    "it as a formula).\n\n"
    "When this file holds rows, the book uses these shares in place of its own need model in "
    "every chapter, as supplied: they are not calibrated to the area's observed outcomes, and "
    "the book gives no 95% intervals for them. The chapter on deprivation and need names the "
    "model (`model`) and says the council supplied it. Leave the file with its header alone to "
    "use the book's own model."
)


@dataclass(frozen=True)
class Column:
    """One template column: ``kind`` is text, count (whole number >= 0), age (whole years from
    ``minimum`` to ``maximum``), number or percent."""

    name: str
    kind: str
    description: str
    unit: str = ""
    required: bool = True
    allowed: tuple[str, ...] | None = None
    minimum: float | None = None
    maximum: float | None = None
    regex: str | None = None
    district: bool = False  # values must be the area's districts (name or code) or "All"
    centre: bool = False  # values must be in children_centres_register.csv or "All"
    period: str | None = None  # a period format of rules.PERIOD_FORMATS: period, quarter, month
    per_area: str | None = None  # ceiling relative to the area's "0-19" or "0-4" population
    domains: bool = False  # outcome domains separated by semicolons (see OUTCOME_WORDS)

    @property
    def numeric(self) -> bool:
        return self.kind in {"count", "number", "percent", "age"}

    @property
    def free_text(self) -> bool:
        """Text with no other rule (names, reasons, notes): the printable-text rule applies."""
        return self.kind == "text" and not (
            self.allowed
            or self.regex
            or self.period
            or self.district
            or self.centre
            or self.domains
        )

    @property
    def bounds(self) -> tuple[float | None, float | None]:
        lo = 0.0 if self.kind in {"count", "percent"} else self.minimum
        hi = 100.0 if self.kind == "percent" else self.maximum
        if self.minimum is not None:
            lo = self.minimum
        if self.maximum is not None:
            hi = self.maximum
        return lo, hi

    def rule(self) -> str:
        """The column's rule in words (for the README)."""
        parts = [] if self.required else ["may be blank"]
        if self.kind == "count":
            hi = self.bounds[1]
            parts.append("whole number >= 0" if hi is None else f"whole number from 0 to {hi:,.0f}")
        elif self.kind == "age":
            lo, hi = self.bounds
            parts.append(f"age in whole years from {lo:g} to {hi:g}")
        elif self.numeric:
            lo, hi = self.bounds
            parts.append(f"number between {lo:g} and {hi:g}" if hi is not None else "number")
        if self.allowed:
            parts.append("one of " + ", ".join(self.allowed))
        if self.per_area:
            parts.append(count_ceiling_rule(self.per_area))
        if self.period:
            parts.append(period_rule(self.period))
        if self.regex:
            parts.append(f"matches `{self.regex}`".replace("|", "\\|"))
        if self.free_text:
            parts.append(TEXT_RULE)
        if self.domains:
            parts.append(DOMAINS_RULE)
        if self.district:
            parts.append(f"a district of the area (name or ONS code) or `{ALL}`")
        if self.centre:
            parts.append(f"a centre in children_centres_register.csv (same district) or `{ALL}`")
        return "; ".join(parts) or "text"

    @property
    def pattern(self) -> str | None:
        """The regex a value must match (a period format's, else ``regex``)."""
        return PERIOD_REGEX[self.period] if self.period else self.regex


@dataclass(frozen=True)
class Template:
    """One local data template (a CSV file)."""

    name: str
    title: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    by_district: bool = False  # district names are pre-filled in the empty template
    pairs: tuple[tuple[str, str], ...] = field(default_factory=tuple)  # (a, b): a <= b
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def file(self) -> str:
        return f"{self.name}.csv"

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def _period(desc: str = "reporting period, e.g. 2013-08/2015-03 or 2014-15") -> Column:
    return Column("period", "text", desc, unit="period", period="period")


def _count(
    name: str, desc: str, unit: str, maximum: float, per_area: str | None, required: bool = True
) -> Column:
    """A count column: a whole number from 0 to ``maximum`` (and the area ceiling)."""
    return Column(name, "count", desc, unit, required, maximum=maximum, per_area=per_area)


MILLION = 1_000_000


TEMPLATES: dict[str, Template] = {
    t.name: t
    for t in (
        Template(
            "eha_assessments",
            "Early Help Assessments by provider, district and national IMD quintile",
            "Number of Early Help Assessments (EHAs) started in the period, by lead provider, "
            f"district of residence and national IMD quintile of the child's LSOA. Use `{ALL}` for "
            "a total over providers, districts or quintiles (the grand total row is "
            f"`{ALL}`/`{ALL}`/`{ALL}`); shares are taken of that grand total.",
            (
                _period(),
                Column("provider", "text", f"lead worker group / provider, or `{ALL}`"),
                Column("district", "text", "district of residence", district=True),
                Column(
                    "imd_quintile",
                    "text",
                    "national IMD quintile (1 = most deprived 20%)",
                    allowed=(*QUINTILES, ALL),
                ),
                _count("assessments", "EHAs started", "assessments", MILLION, "0-19"),
            ),
            key=("period", *EHA_DIMS),
        ),
        Template(
            "eha_reasons",
            "Reasons recorded in Early Help Assessments (multi-response)",
            "Number of EHAs citing each reason. An EHA may cite several reasons, so shares add "
            "to more than 100%.",
            (
                _period(),
                Column("reason", "text", "reason for the assessment"),
                _count("assessments_citing", "EHAs citing it", "assessments", MILLION, "0-19"),
                _count(
                    "assessments_total", "all EHAs in the period", "assessments", MILLION, "0-19"
                ),
            ),
            key=("period", "reason"),
            pairs=(("assessments_citing", "assessments_total"),),
        ),
        Template(
            "eha_distance_travelled",
            "EHA distance travelled (pre/post self-rated scores) by national IMD quintile",
            "Mean self-rated scores (1-5 scale) at the start and end of the EHA, and the mean "
            "change (post - pre). Not a validated outcome measure.",
            (
                _period(),
                Column(
                    "imd_quintile",
                    "text",
                    "national IMD quintile, or All",
                    allowed=(*QUINTILES, ALL),
                ),
                _count("cases", "closed EHAs with both scores", "cases", MILLION, "0-19", False),
                Column("mean_pre", "number", "mean score at start", "score 1-5", False, None, 1, 5),
                Column("mean_post", "number", "mean score at end", "score 1-5", False, None, 1, 5),
                Column(
                    "mean_change", "number", "mean post - pre", "score points", True, None, -4, 4
                ),
            ),
            key=("period", "imd_quintile"),
        ),
        Template(
            "children_centres_register",
            "Children's centres: the register of centres by district",
            "Every children's centre (or cluster) in the area, with its district. Activity rows "
            "in children_centres.csv must name a centre listed here.",
            (
                Column("district", "text", "district the centre is in", district=True),
                Column("centre", "text", "centre name as used in children_centres.csv"),
                Column("note", "text", "e.g. merged with another centre", required=False),
            ),
            key=("district", "centre"),
            by_district=True,
        ),
        Template(
            "children_centres",
            "Children's centres: 0-4s seen, attendances and 0-4 population",
            "Children aged 0-4 seen at least once (unique children), their attendances and the "
            "resident 0-4 population of the reach area, by centre (or `All` for a district "
            "total; district `All` for the area), for all 0-4s or those living in the 30% most "
            "deprived LSOAs (national IMD deciles 1-3), including or excluding nursery-education "
            "contacts. Reach % = seen / population x 100. Footfall rate = attendances / unique "
            "children seen (mean visits per child seen). Where only the published % and "
            "footfall are known, leave the counts blank and fill `percent_seen` and "
            "`footfall_rate`; where both are given they must agree. A population of 0 means the "
            "reach area has no such LSOA (reach not applicable).",
            (
                _period("year, financial year or span of years, e.g. 2014-15 or 2012-2014"),
                Column(
                    "nursery",
                    "text",
                    "nursery-education contacts",
                    allowed=("included", "excluded"),
                ),
                Column(
                    "population_group",
                    "text",
                    "all 0-4s, or 0-4s in the 30% most deprived LSOAs",
                    allowed=("all", "most_deprived_30"),
                ),
                Column("district", "text", "district of the centre", district=True),
                Column("centre", "text", "children's centre", centre=True),
                _count("children_seen", "unique 0-4s seen", "children", MILLION, "0-4", False),
                _count("attendances", "attendances by those children", "visits", 1e7, None, False),
                _count(
                    "population_0_4",
                    "resident 0-4s in the reach area",
                    "children",
                    MILLION,
                    "0-4",
                    False,
                ),
                Column("percent_seen", "percent", "published reach", "%", required=False),
                Column(
                    "footfall_rate",
                    "number",
                    "published footfall",
                    "visits per child",
                    False,
                    None,
                    0,
                    100,
                ),
            ),
            key=("period", "nursery", "population_group", "district", "centre"),
            pairs=(("children_seen", "population_0_4"), ("children_seen", "attendances")),
        ),
        Template(
            "health_visiting_reviews",
            "Health visiting mandated reviews: completed and due, by quarter",
            "The five mandated reviews: antenatal contact, new birth visit within 14 days, 6-8 "
            "week review, 12-month review (by 12 months), 2-2.5 year review (by 2.5 years). "
            "Coverage % = completed in time / children due in the quarter x 100.",
            (
                Column("quarter", "text", "quarter, e.g. 2014-Q3", "quarter", period="quarter"),
                Column("review", "text", "mandated review", allowed=HV_REVIEWS),
                _count("completed", "reviews completed in time", "reviews", 100_000, "0-4"),
                _count("due", "children reaching the due age", "children", 100_000, "0-4"),
            ),
            key=("quarter", "review"),
            pairs=(("completed", "due"),),
        ),
        Template(
            "specialist_midwifery",
            "Specialist midwifery referrals and births",
            "Referrals to specialist (vulnerable women) midwives and births to residents per "
            "year. Coverage % = referrals / births x 100, compared with the modelled share of "
            "births in the intensive-need group.",
            (
                _period("year, e.g. 2014-15"),
                _count(
                    "referrals", "referrals to specialist midwives", "referrals", MILLION, "0-4"
                ),
                _count("births", "births to residents", "births", MILLION, "0-4"),
                Column("specialist_midwives", "number", "posts (FTE)", "FTE", False, None, 0, 1000),
            ),
            key=("period",),
            pairs=(("referrals", "births"),),
        ),
        Template(
            "family_support_outcomes",
            "Family support programme outcomes (payment-by-results claims)",
            "Families for whom a results payment was claimed, by claim round and outcome. "
            "Primary outcomes (education_crime_asb, continuous_employment, esf_only) count "
            "families; the others are additional payments for families already counted.",
            (
                Column("programme", "text", "e.g. Stronger Families Phase 1"),
                Column("claim_month", "text", "claim round, YYYY-MM", "month", period="month"),
                Column("outcome", "text", "outcome claimed", allowed=FAMILY_OUTCOMES),
                _count("claims", "families claimed for", "families", 100_000, "0-19"),
            ),
            key=("programme", "claim_month", "outcome"),
        ),
        Template(
            "local_offer",
            "The local early help offer: services by level of need, age and outcomes sought",
            "One row per service and level of need (a service offered at two levels has two "
            "rows): the ages it serves, its provider and the outcomes it seeks. The book lists "
            "the offer by level of need and life stage and maps it against the outcomes of "
            "concern it finds. Levels of need, lowest first: universal (for every child and "
            "family), early help (extra help as soon as a need arises, usually after an early "
            "help assessment), targeted (a service for children or families with a specific "
            "additional need) and specialist (continuing complex needs, with specialist "
            "services). Leave the ages blank when the service does not state them.",
            (
                Column("service", "text", "name of the service"),
                Column(
                    "level_of_need",
                    "text",
                    "level of need the service works at",
                    allowed=LEVELS_OF_NEED,
                ),
                Column(
                    "age_from",
                    "age",
                    "youngest age served, in completed years (0 from birth and in pregnancy)",
                    "years",
                    False,
                    None,
                    0,
                    AGE_MAX,
                ),
                Column(
                    "age_to",
                    "age",
                    "oldest age served, in completed years (a service for under-fives: 4)",
                    "years",
                    False,
                    None,
                    0,
                    AGE_MAX,
                ),
                Column("provider", "text", "who provides it", required=False),
                Column(
                    "outcomes_sought",
                    "text",
                    "the outcome domains the service aims to improve",
                    domains=True,
                ),
                Column("delivery", "text", "how or where it is delivered", required=False),
                Column("contact", "text", "how families or professionals reach it", required=False),
            ),
            key=("service", "level_of_need"),
            pairs=(("age_from", "age_to"),),
            notes=(outcome_words_note(),),
        ),
        Template(
            NEED_MODEL,
            "The council's own need model: % of children likely to need preventive help",
            "One row per neighbourhood (2011 LSOA) of the area and age band: the council's own "
            "model's % of the band's children likely to need additional, extra and intensive "
            "preventive help (e.g. from a commercial tool scoring births), and the model's name. "
            "The book then uses these shares for every chapter's modelled need, in place of its "
            "own open need model.",
            (
                Column(
                    "lsoa11_code",
                    "text",
                    "2011 LSOA code of a neighbourhood in the area",
                    regex=LSOA_REGEX,
                ),
                Column("band", "text", "age band of the children", "years", allowed=AGE_BANDS),
                Column(
                    NEED_MODEL_PERCENTS["additional"],
                    "percent",
                    "% likely to need additional help only (not extra or intensive)",
                    "%",
                ),
                Column(
                    NEED_MODEL_PERCENTS["extra"],
                    "percent",
                    "% likely to need extra help only (not intensive)",
                    "%",
                ),
                Column(
                    NEED_MODEL_PERCENTS["intensive"],
                    "percent",
                    "% likely to need intensive preventive help",
                    "%",
                ),
                Column("model", "text", "name of the model, e.g. PREview, 2024 births"),
            ),
            key=("lsoa11_code", "band"),
            notes=(NEED_MODEL_NOTE,),
        ),
    )
}


def suite_for(template: Template) -> dict[str, Any]:
    """The Great Expectations suite for a template's generic rules (generated from the spec)."""
    exps: list[dict[str, Any]] = []
    for c in template.columns:
        if c.required:
            exps.append(
                {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": c.name}}
            )
        if c.allowed:
            exps.append(
                {
                    "type": "expect_column_values_to_be_in_set",
                    "kwargs": {"column": c.name, "value_set": list(c.allowed)},
                }
            )
        if c.pattern:
            exps.append(
                {
                    "type": "expect_column_values_to_match_regex",
                    "kwargs": {"column": c.name, "regex": c.pattern},
                }
            )
        if c.numeric:
            lo, hi = c.bounds
            exps.append(
                {
                    "type": "expect_column_values_to_be_between",
                    "kwargs": {"column": c.name, "min_value": lo, "max_value": hi},
                }
            )
    if len(template.key) == 1:
        exps.append(
            {"type": "expect_column_values_to_be_unique", "kwargs": {"column": template.key[0]}}
        )
    else:
        exps.append(
            {
                "type": "expect_compound_columns_to_be_unique",
                "kwargs": {"column_list": list(template.key)},
            }
        )
    return {"name": f"local_{template.name}", "expectations": exps}
