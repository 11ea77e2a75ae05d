"""Declarative specs of the local service data templates: the one place that defines them.

Each template is a CSV under ``data/local/<area code>/``. Its columns (type, unit, rule), key
and README text are defined here; the README files, the empty templates written by
``needsbook local-template`` and the Great Expectations suites in ``expectations/local/`` are
all generated from these specs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ALL = "All"  # the marginal ("all districts", "all providers", "all quintiles", "all centres")

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


@dataclass(frozen=True)
class Column:
    """One template column: ``kind`` is text, count (whole number >= 0), number or percent."""

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

    @property
    def numeric(self) -> bool:
        return self.kind in {"count", "number", "percent"}

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
            parts.append("whole number >= 0")
        elif self.numeric:
            lo, hi = self.bounds
            parts.append(f"number between {lo:g} and {hi:g}" if hi is not None else "number")
        if self.allowed:
            parts.append("one of " + ", ".join(self.allowed))
        if self.regex:
            parts.append(f"matches `{self.regex}`")
        if self.district:
            parts.append(f"a district of the area (name or ONS code) or `{ALL}`")
        if self.centre:
            parts.append(f"a centre in children_centres_register.csv (same district) or `{ALL}`")
        return "; ".join(parts) or "text"


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

    def readme(self, preamble: str = "") -> str:
        """The template's README.md: purpose, every column with unit and rule, key, checks."""
        lines = [f"# {self.file}: {self.title}", ""]
        if preamble:
            lines += [preamble, ""]
        lines += [
            self.description,
            "",
            "| column | unit | rule | description |",
            "|---|---|---|---|",
        ]
        lines += [
            f"| `{c.name}` | {c.unit or '-'} | {c.rule()} | {c.description} |" for c in self.columns
        ]
        lines += ["", f"Each row is unique on: {', '.join(f'`{k}`' for k in self.key)}."]
        lines += [f"`{a}` must not exceed `{b}`." for a, b in self.pairs]
        lines += ["", *self.notes] if self.notes else []
        lines += [
            "",
            "Rows are validated before use (`needsbook.local.load_local`): exact columns in this "
            "order, numbers where numbers are due, ranges, unique keys, known districts and "
            "centres, plus the Great Expectations suite "
            f"`expectations/local/{self.name}.json`. Errors name the file, column and row "
            "(row = line number in the CSV, the header being line 1). Counts of 1-4 are "
            'published as "<5" (`needsbook.local.publishable`).',
            "",
        ]
        return "\n".join(lines)


def _period(desc: str = "reporting period, e.g. 2013-08/2015-03 or 2014-15") -> Column:
    return Column("period", "text", desc, unit="period")


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
                Column("assessments", "count", "EHAs started", unit="assessments"),
            ),
            key=("period", "provider", "district", "imd_quintile"),
            by_district=True,
        ),
        Template(
            "eha_reasons",
            "Reasons recorded in Early Help Assessments (multi-response)",
            "Number of EHAs citing each reason. An EHA may cite several reasons, so shares add "
            "to more than 100%.",
            (
                _period(),
                Column("reason", "text", "reason for the assessment"),
                Column("assessments_citing", "count", "EHAs citing the reason", "assessments"),
                Column("assessments_total", "count", "all EHAs in the period", "assessments"),
            ),
            key=("period", "reason"),
            pairs=(("assessments_citing", "assessments_total"),),
        ),
        Template(
            "eha_distance_travelled",
            "EHA distance travelled (pre/post self-rated scores) by national IMD quintile",
            "Mean self-rated scores (1-5 scale) at the start and end of the EHA, and the mean "
            "change (post - pre). Not a validated outcome measure (seed report M13).",
            (
                _period(),
                Column(
                    "imd_quintile",
                    "text",
                    "national IMD quintile, or All",
                    allowed=(*QUINTILES, ALL),
                ),
                Column("cases", "count", "closed EHAs with both scores", "cases", required=False),
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
                _period("year or financial year, e.g. 2014-15"),
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
                Column("children_seen", "count", "unique 0-4s seen", "children", required=False),
                Column("attendances", "count", "attendances by those children", "visits", False),
                Column(
                    "population_0_4", "count", "resident 0-4s in the reach area", "children", False
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
                Column("quarter", "text", "quarter, e.g. 2014-Q3", regex=r"^\d{4}-Q[1-4]$"),
                Column("review", "text", "mandated review", allowed=HV_REVIEWS),
                Column("completed", "count", "reviews completed in time", "reviews"),
                Column("due", "count", "children reaching the due age", "children"),
            ),
            key=("quarter", "review"),
            pairs=(("completed", "due"),),
        ),
        Template(
            "specialist_midwifery",
            "Specialist midwifery referrals and births",
            "Referrals to specialist (vulnerable women) midwives and births to residents per "
            "year. Coverage % = referrals / births x 100, compared with the modelled share of "
            "births in the intensive-need group (seed report M18).",
            (
                _period("year, e.g. 2014-15"),
                Column("referrals", "count", "referrals to specialist midwives", "referrals"),
                Column("births", "count", "births to residents", "births"),
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
                Column(
                    "claim_month",
                    "text",
                    "claim round, YYYY-MM",
                    regex=r"^\d{4}-(?:0[1-9]|1[0-2])$",
                ),
                Column("outcome", "text", "outcome claimed", allowed=FAMILY_OUTCOMES),
                Column("claims", "count", "families claimed for", "families"),
            ),
            key=("programme", "claim_month", "outcome"),
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
        if c.regex:
            exps.append(
                {
                    "type": "expect_column_values_to_match_regex",
                    "kwargs": {"column": c.name, "regex": c.regex},
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
