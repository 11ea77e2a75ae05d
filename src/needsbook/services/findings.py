"""Structured service findings: what the recommendation rules read from the services chapter.

Each :class:`ServiceFinding` is one comparison a reader can check in the services chapter:
a value, what it was compared with, which way it falls, its period and source, and a
plain-English sentence saying all of that.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

WORSE, BETTER, SIMILAR, NO_DATA = "worse", "better", "similar", "no data"
#: No value can exist (e.g. a targeting ratio where the area has no such neighbourhoods);
#: like NO_DATA, the finding has no data for the rules.
NOT_APPLICABLE = "not applicable"
HIGHER, LOWER = "higher", "lower"  # for measures with no better/worse judgement (demand)

#: The keys the recommendation rules may name (value, unit, and when it is "worse"):
KEYS = {
    "eha_targeting:most_deprived_40": "EHA share / need share, ratio; worse below 1",
    "eha_targeting:least_deprived_40": "EHA share / need share, ratio; worse above 1",
    "cc_reach:all": "% of 0-4s seen by children's centres; worse below Ofsted 65%",
    "cc_reach:most_deprived_30": "% of the 30% most deprived 0-4s seen; worse below 65%",
    "cc_no_deprived_lsoa": "% of centres with no 30%-most-deprived LSOA in reach",
    "hv_coverage:antenatal": "% of due reviews completed; worse below target",
    "hv_coverage:new_birth": "% new birth visits within 14 days; worse below target",
    "hv_coverage:6_8_weeks": "% of due reviews completed; worse below target",
    "hv_coverage:12_months": "% of due reviews completed; worse below target",
    "hv_coverage:2_2.5_years": "% of due reviews completed; worse below target",
    "specialist_midwifery_coverage": "referrals / births %; worse below the need share",
    "eha_outcome_measure": "1 if outcomes are measured with a validated tool, else 0 "
    "(distance travelled is not one); worse when 0",
    "demand:referrals": "rate per 10,000 vs England; higher/lower (fold-change in text)",
    "demand:re_referrals": "% re-referred within 12 months vs England; worse when higher",
    "demand:cin": "children in need per 10,000 vs England; higher/lower",
    "demand:cpp": "child protection plans per 10,000 vs England; higher/lower",
    "demand:cpp_subsequent": "% of plans that are a second or later; worse when higher",
    "demand:cla": "children looked after per 10,000 vs England; higher/lower",
    "demand:ehc_plans": "EHC plans per 10,000 (or % within 20 weeks); higher/lower",
}


@dataclass(frozen=True)
class ServiceFinding:
    """One service comparison, e.g. early help's share of the most deprived 40% vs need.

    ``key`` is stable and named in the recommendation rules, e.g.
    ``eha_targeting:most_deprived_40``, ``cc_reach:most_deprived_30``,
    ``hv_coverage:new_birth``, ``specialist_midwifery_coverage``, ``demand:referrals``.
    """

    key: str
    name: str  # plain-English label
    value: float | None
    benchmark: float | None  # what it is compared with (1.0 for a ratio, 65 for Ofsted, ...)
    benchmark_label: str  # e.g. "in proportion to need", "Ofsted 65% engagement", "England"
    direction: str  # WORSE / BETTER / SIMILAR / HIGHER / LOWER / NO_DATA
    period: str
    source: str  # e.g. "the council's early help assessment records" or a public dataset
    sentence: str  # plain English, with the number, its period and source
    unit: str = ""  # "ratio", "%", "per 10,000", ...
    rising: bool | None = None  # demand: the trend is up (fold-change > 1 and significant)
    chapter: str = "05_services"
    domains: tuple[str, ...] = ()  # outcome-star domains (data/indicators.yml star_domains)
    life_stages: tuple[str, ...] = ()  # antenatal / 0-5 / 5-11 / 12-19
    brief: str = ""  # the sentence about now only (no change since a first period), if shorter

    @property
    def current_sentence(self) -> str:
        """The sentence for summaries about now: ``brief`` when there is one."""
        return self.brief or self.sentence

    @property
    def has_data(self) -> bool:
        return self.value is not None and self.direction != NO_DATA


#: A targeting ratio within this distance of 1 counts as "in proportion to need" (SIMILAR).
TARGETING_TOLERANCE = 0.10
OFSTED_BENCHMARK = 65.0
_DEMAND_KEYS = ("referrals", "re_referrals", "cin", "cpp", "cpp_subsequent", "cla", "ehc_plans")
_LIFE = {
    "demand": ("0-5", "5-11", "12-19"),
    "eha": ("0-5", "5-11", "12-19"),
    "cc": ("0-5",),
    "hv": ("antenatal", "0-5"),
    "midwifery": ("antenatal",),
}


def service_findings(
    area_code: str,
    year: int,
    data_dir: str | Path | None = None,
    local_dir: str | Path | None = None,
) -> list[ServiceFinding]:
    """Every service finding for the area: public demand, and local analyses where supplied.

    Raises InputError when the local data is invalid (as the build does)."""
    from needsbook.areas import resolve_area
    from needsbook.data import snapshot_key
    from needsbook.local.folder import local_folder
    from needsbook.services.demand import demand_summary
    from needsbook.services.local_sections import load_context

    area = resolve_area(area_code, data_dir)
    folder = local_folder(area.code, local_dir, data_dir)
    key = (
        area.code,
        int(year),
        data_dir,
        snapshot_key(data_dir),
        _local_key(folder, area, data_dir),
    )
    if key not in _FOUND:  # the summary, services and recommendations chapters all ask
        summary = demand_summary(area.code, year, data_dir)
        ctx = load_context(area, year, folder, data_dir) if folder is not None else None
        _FOUND.clear()  # one area at a time is enough (batch kernels move on)
        _FOUND[key] = tuple(findings_from(area.name, summary, ctx))
    return list(_FOUND[key])


#: The last area's findings (immutable), by area, year, snapshot and local data content.
_FOUND: dict[tuple[Any, ...], tuple[ServiceFinding, ...]] = {}


def _local_key(folder: Path | None, area: Any, data_dir: str | Path | None) -> str | None:
    from needsbook.local.validate import content_key

    return None if folder is None else content_key(folder, area, data_dir)


def findings_from(area_name: str, summary: Any, ctx: Any | None) -> list[ServiceFinding]:
    """Findings from a demand summary (services.demand) and a local context (or None)."""
    out = [f for k in _DEMAND_KEYS if (f := _demand(k, area_name, summary)) is not None]
    if ctx is not None:
        out += _local(ctx)
    return out


def _demand(key: str, area_name: str, summary: Any) -> ServiceFinding | None:
    from needsbook.services.demand_sections import sentence

    rows = summary[summary["key"] == key] if len(summary) else summary
    if rows is None or len(rows) == 0:
        return None
    r = rows.iloc[0]
    direction = str(r["direction"])  # the engine's verdict, as in the outcomes chapter
    rising = r["rising"]
    return ServiceFinding(
        key=f"demand:{key}",
        name=str(r["measure"]),
        value=float(r["value"]),
        benchmark=None if r["england"] != r["england"] else float(r["england"]),
        benchmark_label="England",
        direction=direction,
        period=str(r["period"]),
        source=str(r["source"]),
        sentence=sentence(r, area_name),
        brief=sentence(r, area_name, history=False),
        unit=str(r["unit"]),
        rising=None if rising is None else bool(rising),
        life_stages=_LIFE["demand"],
    )


def _ratio_direction(ratio: float | None, worse_below: bool) -> str:
    if ratio is None or ratio != ratio:
        return NO_DATA
    if abs(ratio - 1) <= TARGETING_TOLERANCE:
        return SIMILAR
    low = ratio < 1
    return WORSE if low == worse_below else BETTER


def _local(ctx: Any) -> list[ServiceFinding]:
    """Findings from the local data that is not historical (data ending more than
    :data:`~needsbook.historical.HISTORICAL_AFTER_YEARS` years before the book's data year is
    context only: it never feeds findings)."""
    out: list[ServiceFinding] = []
    out += _eha_findings(ctx)
    out += _cc_findings(ctx)
    out += _midwifery_findings(ctx)
    out += _hv_findings(ctx)
    return out


def _ratio(tr: Any, group: str) -> float | None:
    if group not in tr.index:
        return None
    value = tr.loc[group, "Targeting ratio"]
    return None if value != value else float(value)


def _targeting_findings(tr: Any, period: str, src: str, model: str) -> list[ServiceFinding]:
    """Targeting ratios for the most and least deprived 40% against the need model (``model``,
    as a source)."""
    from needsbook.services import local_eha as eha
    from needsbook.services.common import during

    when = during(period)
    out = []
    for group, worse_below, slug in (
        (eha.MOST, True, "most_deprived_40"),
        (eha.LEAST, False, "least_deprived_40"),
    ):
        ratio = _ratio(tr, group)
        if ratio is None and group not in tr.index:
            continue
        words = eha.GROUP_WORDS[group]
        share, need = tr.loc[group, "% of EHAs"], tr.loc[group, "% of modelled need"]
        why = eha.why_not_applicable(tr, group)
        applicable = why is None
        if not applicable:
            sentence = (
                f"{when[0].upper()}{when[1:]}, the targeting ratio of early help assessments "
                f"for the {words} of areas is not applicable: {why} ({src})."
            )
        elif ratio is not None:
            sentence = (
                f"{when[0].upper()}{when[1:]}, the {words} of areas received {share:.1f}% of "
                f"early help assessments against {need:.1f}% of modelled need: "
                f"a targeting ratio of {ratio:.2f}, {eha.reading(ratio)} ({src})."
            )
        else:
            sentence = f"The targeting ratio for the {words} is not shown (small numbers) ({src})."
        out.append(
            ServiceFinding(
                key=f"eha_targeting:{slug}",
                name=f"Early help assessments for the {words} against need",
                value=ratio,
                benchmark=1.0,
                benchmark_label="in proportion to need",
                direction=_ratio_direction(ratio, worse_below) if applicable else NOT_APPLICABLE,
                period=period,
                source=f"{src}; {model}",
                sentence=sentence,
                unit="ratio",
                life_stages=_LIFE["eha"],
            )
        )
    return out


def _eha_findings(ctx: Any) -> list[ServiceFinding]:
    from needsbook.services import local_eha as eha
    from needsbook.services.common import during

    if not ctx.current("eha_assessments"):
        return []
    src = ctx.source("eha_assessments")
    period = eha.period_of(ctx) or ""
    out = _targeting_findings(
        eha.targeting(ctx).set_index("Group of areas"), period, src, ctx.model_source
    )
    if "eha_distance_travelled" in ctx.historical:  # no evidence either way about now
        return out
    has_dt = ctx.current("eha_distance_travelled")
    dt_src = ctx.source("eha_distance_travelled")
    # distance travelled (a change in the council's own scores) is not a validated outcome
    # measure: with or without it, outcomes are not measured with a validated tool
    out.append(
        ServiceFinding(
            key="eha_outcome_measure",
            name="Outcomes of early help are measured with a validated tool",
            value=0.0,
            benchmark=1.0,
            benchmark_label="a validated outcome tool for every EHA",
            direction=WORSE,
            period=period,
            source=dt_src if has_dt else src,
            sentence=(
                "Outcomes of early help assessments are recorded "
                f"{during(period)} as distance travelled (change in scores from start to "
                f"end), but not with a validated outcome tool ({dt_src})."
                if has_dt
                else "No outcome measure (distance travelled) was supplied for early help "
                f"assessments ({src}), so outcomes are not recorded with a validated tool."
            ),
            unit="yes = 1",
            life_stages=_LIFE["eha"],
        )
    )
    return out


def _cc_findings(ctx: Any) -> list[ServiceFinding]:
    from needsbook.services import local_centres as cen
    from needsbook.services.common import latest_period

    if not ctx.current("children_centres"):
        return []
    src = ctx.source("children_centres")
    out = []
    for group, words in (
        ("all", "all 0-4s"),
        ("most_deprived_30", "0-4s in the 30% most deprived areas"),
    ):
        r = cen.latest_area_reach(ctx, group)
        if r is None:
            continue
        period, nursery, value = r
        direction = BETTER if value >= OFSTED_BENCHMARK else WORSE
        out.append(
            ServiceFinding(
                key=f"cc_reach:{group}",
                name=f"Children's centre reach, {words}",
                value=value,
                benchmark=OFSTED_BENCHMARK,
                benchmark_label="Ofsted 65% engagement",
                direction=direction,
                period=period,
                source=src,
                sentence=(
                    f"Children's centres saw {value:.0f}% of {words} in {period} "
                    f"({cen.NURSERY[nursery]}), {'at or above' if direction == BETTER else 'below'}"
                    f" Ofsted's 65% engagement benchmark ({src})."
                ),
                unit="%",
                life_stages=_LIFE["cc"],
            )
        )
    none, n = cen.no_deprived(ctx)
    if n:
        pct = len(none) / n * 100
        out.append(
            ServiceFinding(
                key="cc_no_deprived_lsoa",
                name="Children's centres with no deprived area in reach",
                value=pct,
                benchmark=0.0,
                benchmark_label="every centre reaches a deprived area",
                direction=HIGHER if pct > 0 else SIMILAR,
                period=latest_period(ctx.table("children_centres")),
                source=src + "; " + ctx.source("children_centres_register"),
                sentence=(
                    f"{len(none)} of {ctx.area.name}'s {n} children's centres ({pct:.0f}%) have "
                    f"no neighbourhood from the 30% most deprived in their reach area ({src})."
                ),
                unit="%",
                life_stages=_LIFE["cc"],
            )
        )
    return out


def _midwifery_findings(ctx: Any) -> list[ServiceFinding]:
    from needsbook.services import local_other as oth

    m = oth.midwifery(ctx) if ctx.current("specialist_midwifery") else None
    if m is None:
        return []
    row = m.iloc[-1]
    value = row["Referrals as % of births"]
    need = float(row["% of births likely to need intensive help"])
    src = ctx.source("specialist_midwifery")
    if value != value:
        direction, sentence, value = NO_DATA, f"Not shown: small numbers ({src}).", None
    else:
        direction = WORSE if value < need else BETTER
        sentence = (
            f"Specialist midwives received referrals for {value:.1f}% of births in "
            f"{row['Period']}, against {need:.1f}% of young children likely to need intensive "
            f"help ({ctx.model_words}) ({src})."
        )
    return [
        ServiceFinding(
            key="specialist_midwifery_coverage",
            name="Specialist midwifery coverage against need",
            value=None if value is None else float(value),
            benchmark=need,
            benchmark_label=f"share likely to need intensive help ({ctx.model_words})",
            direction=direction,
            period=str(row["Period"]),
            source=f"{src}; {ctx.model_source}",
            sentence=sentence,
            unit="%",
            life_stages=_LIFE["midwifery"],
        )
    ]


def _hv_findings(ctx: Any) -> list[ServiceFinding]:
    from needsbook.services import local_other as oth

    if not ctx.current("health_visiting_reviews"):
        return []
    latest = oth.hv_latest(ctx)
    out = []
    src = ctx.source("health_visiting_reviews")
    for r in latest.itertuples():
        value = None if r.percent != r.percent else float(r.percent)
        if value is None:
            direction, sentence = NO_DATA, f"{r.name}: not shown (small numbers) ({src})."
        else:
            direction = WORSE if value < oth.HV_TARGET else BETTER
            sentence = (
                f"{r.name}: {value:.1f}% of reviews due in {r.quarter} were completed in "
                f"time, {'below' if direction == WORSE else 'meeting'} the "
                f"{oth.HV_TARGET:.0f}% target ({src})."
            )
        out.append(
            ServiceFinding(
                key=r.key,
                name=r.name,
                value=value,
                benchmark=oth.HV_TARGET,
                benchmark_label=f"{oth.HV_TARGET:.0f}% target",
                direction=direction,
                period=str(r.quarter),
                source=src,
                sentence=sentence,
                unit="%",
                life_stages=_LIFE["hv"],
            )
        )
    return out
