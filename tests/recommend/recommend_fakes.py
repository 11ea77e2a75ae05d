"""Constructed outcome and service findings for the recommendation-rule tests."""

from __future__ import annotations

from needsbook.outcomes.catalogue import load_catalogue
from needsbook.outcomes.compare import FIFTH_LABELS_JUDGED, FIFTH_LABELS_NEUTRAL
from needsbook.outcomes.findings import Finding
from needsbook.polarity import JUDGED, LOW_IS_GOOD
from needsbook.services.findings import ServiceFinding


def outcome(
    indicator_id: str,
    direction: str = "similar",
    *,
    significant: bool = False,
    quintile: int | None = None,
    trend: str = "No significant change",
    trend_label: str | None = None,
    value: float | None = 50.0,
    england: float | None = 50.0,
    period: str = "2023/24",
) -> Finding:
    """A Finding for one catalogue indicator; CI method when ``quintile`` is None."""
    ind = load_catalogue()[indicator_id]
    tested = trend in ("Increasing", "Decreasing", "No significant change")
    return Finding(
        area_code="E99999999",
        area_name="Testshire",
        indicator_id=indicator_id,
        name=ind.name,
        life_stage=ind.life_stage,
        period=period,
        value=value,
        england=england,
        region=None,
        neighbours=None,
        comparison=direction.capitalize(),
        comparison_label=_label(direction, quintile, value, ind.polarity),
        method="quintiles" if quintile is not None else "confidence interval",
        direction=direction if value is not None else "no data",
        significant=significant,
        quintile=quintile,
        trend=trend,
        trend_label=trend_label or trend,
        trend_reason=None,
        trend_from="2019/20" if tested else None,
        trend_to=period if tested else None,
        magnitude=None if value is None or england is None else value - england,
        relative=None,
        previous_value=None,
        previous_period=None,
        rank=None,
        n_areas=153,
        polarity=ind.polarity,
        indicator=ind,
    )


def _label(direction: str, quintile: int | None, value: float | None, polarity: str) -> str:
    if value is None:
        return "No data"
    if quintile is None:
        return direction.capitalize()
    labels = FIFTH_LABELS_JUDGED if polarity in JUDGED else FIFTH_LABELS_NEUTRAL
    return labels[quintile]


def worse_getting_worse(indicator_id: str) -> Finding:
    return outcome(
        indicator_id,
        "worse",
        significant=True,
        trend="Increasing",
        trend_label="Increasing and getting worse",
    )


def service(
    key: str,
    value: float | None,
    direction: str,
    *,
    benchmark: float | None = 1.0,
    benchmark_label: str = "in proportion to need",
    unit: str = "ratio",
    rising: bool | None = None,
    domains: tuple[str, ...] = (),
    period: str = "2013-08/2015-03",
) -> ServiceFinding:
    return ServiceFinding(
        key=key,
        name=f"Test measure {key}",
        value=value,
        benchmark=benchmark,
        benchmark_label=benchmark_label,
        direction=direction,
        period=period,
        source="local data: test.csv",
        sentence=f"Test measure {key} is {value} ({period}; local data: test.csv).",
        unit=unit,
        rising=rising,
        domains=domains,
    )


def neutral_outcomes() -> list[Finding]:
    """Every catalogue indicator similar to England with no trend: nothing should fire
    (vaccination coverage at 96%, above the 95% goal; everything else at 50)."""
    return [
        outcome(i.id, value=96.0, england=96.0) if i.id.startswith("cover:") else outcome(i.id)
        for i in load_catalogue().indicators
    ]


def with_(items: list[Finding], *replacements: Finding) -> list[Finding]:
    """``items`` with the findings of the same indicators swapped for ``replacements``."""
    by_id = {f.indicator_id: f for f in replacements}
    return [by_id.get(f.indicator_id, f) for f in items]


def improving(indicator_id: str, **kw) -> Finding:
    """Significantly worse than England but getting better."""
    polarity = load_catalogue()[indicator_id].polarity
    trend = "Decreasing" if polarity == LOW_IS_GOOD else "Increasing"
    return outcome(
        indicator_id,
        "worse",
        significant=True,
        trend=trend,
        trend_label=f"{trend} and getting better",
        **kw,
    )


def fake_catalogue(entries: list[tuple[str, str, str, str]]):
    """An evidence catalogue of (id, outcome domain, strength, caveat) entries, each rated
    once with that strength stated explicitly (life stage 0-5)."""
    import pandas as pd

    from needsbook.evidence.catalogue import Catalogue

    ids = [e[0] for e in entries]
    return Catalogue(
        programmes=pd.DataFrame(
            {"id": ids, "name": [f"Programme {i}" for i in ids], "caveat": [e[3] for e in entries]}
        ),
        domains=pd.DataFrame({"programme_id": ids, "outcome_domain": [e[1] for e in entries]}),
        indicators=pd.DataFrame({"programme_id": [], "indicator_id": []}),
        evidence=pd.DataFrame(
            {
                "programme_id": ids,
                "scale": ["test scale"] * len(ids),
                "rating": ["as stated"] * len(ids),
                "strength": [e[2] for e in entries],
            }
        ),
        life_stages=pd.DataFrame({"programme_id": ids, "life_stage": ["0-5"] * len(ids)}),
    )
