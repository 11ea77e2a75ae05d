"""The section "Demand on children's social care, adjusted for deprivation": findings (one
per measure, each with its sentence), the trend table and the ratio chart."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import altair as alt
import numpy as np
import pandas as pd

from needsbook.adjusted.model import MEASURES, fit_measures
from needsbook.adjusted.ratios import HIGHER, IN_LINE, LOWER, NO_DATA, area_rows
from needsbook.areas import resolve_area
from needsbook.chapters.base import Section
from needsbook.chapters.text import and_join
from needsbook.charts import PALETTE, small_multiples
from needsbook.formatting import (
    RATE_DP,
    RATIO_DP,
    apply_decimals,
    count,
    fixed,
    fmt_ci,
    is_missing,
    percent,
    ratio,
)
from needsbook.outcomes.catalogue import load_catalogue

__all__ = ["KEY", "TITLE", "AdjustedFinding", "findings", "ratio_chart", "section", "trend_table"]

KEY = "adjusted_demand"
TITLE = "Demand on children's social care, adjusted for deprivation"
IOD25 = "English Indices of Deprivation 2025 (MHCLG), LSOA 2021"
REFERENCE = "as expected for its deprivation"
UNIT = "per 10,000 aged 0-17"
#: How the wider (allowing for the spread between councils) comparison reads in text.
SPREAD = {
    HIGHER: "higher than councils usually differ from their prediction",
    LOWER: "lower than councils usually differ from their prediction",
    IN_LINE: "within the usual spread between councils",
}


@dataclass(frozen=True)
class AdjustedFinding:
    """One measure for one area in the latest modelled year up to the book's year."""

    label: str
    noun: str
    period: str  # "31 March 2025" ("no data" when nothing is modelled up to the year)
    has_data: bool
    suppressed: bool
    observed: float  # NaN when suppressed or missing
    observed_rate: float
    expected_rate: float
    ratio: float
    lower: float  # Poisson 95% CI of the ratio
    upper: float
    comparison: str  # higher / lower / in line with expected, no data, not shown
    wide_lower: float
    wide_upper: float
    wide_comparison: str
    dispersion: float
    first_period: str  # the first modelled year with a shown ratio (for the trend)
    first_ratio: float
    last_period: str  # the latest modelled year with a shown ratio
    last_ratio: float

    def sentence(self, area_name: str) -> str:
        """The plain-English finding (for "no data", says so)."""
        when = "" if self.period == NO_DATA else f" on {self.period}"
        if not self.has_data:
            return (
                f"There is no published count of {self.noun} for {area_name}{when}, so it "
                "cannot be compared with what its deprivation predicts."
            )
        expected = f"{fixed(self.expected_rate, RATE_DP)} {self.noun} {UNIT}"
        lead = f"Given its deprivation, {area_name} would be expected to have {expected}{when}"
        if self.suppressed:
            return f"{lead}; its own count is fewer than 5, so it is not shown or compared."
        ci = f"95% CI {ratio(self.lower)} to {ratio(self.upper)}"
        if self.observed == 0:
            return f"{lead}; it has none (ratio 0, {ci}): {self.comparison}."
        return (
            f"{lead}; it has {fixed(self.observed_rate, RATE_DP)}, {ratio(self.ratio)} times "
            f"({ci}) what its deprivation predicts: {self.comparison}."
        )

    @property
    def has_trend(self) -> bool:
        return self.first_period != self.last_period and not is_missing(self.first_ratio)


def findings(
    area_code: str, year: int, data_dir: Path | str | None = None, rows: pd.DataFrame | None = None
) -> list[AdjustedFinding]:
    """One finding per measure (in the book's order) for the latest modelled year up to
    ``year``; ``rows`` is :func:`needsbook.adjusted.area_rows` when the caller has it."""
    if rows is None:
        rows = area_rows(area_code, year, data_dir)
    out = []
    for m in MEASURES:
        mine = rows[rows["measure"] == m.key]
        latest = mine.iloc[-1]
        shown = mine[mine["ratio"].notna()]
        first = shown.iloc[0] if len(shown) else None
        last = shown.iloc[-1] if len(shown) else None
        out.append(
            AdjustedFinding(
                label=m.label,
                noun=m.noun,
                period=str(latest["period"]),
                has_data=bool(latest["has_data"]),
                suppressed=bool(latest["suppressed"]),
                observed=float(latest["observed"]),
                observed_rate=float(latest["observed_rate"]),
                expected_rate=float(latest["expected_rate"]),
                ratio=float(latest["ratio"]),
                lower=float(latest["lower_ci_95"]),
                upper=float(latest["upper_ci_95"]),
                comparison=str(latest["comparison"]),
                wide_lower=float(latest["wide_lower_ci_95"]),
                wide_upper=float(latest["wide_upper_ci_95"]),
                wide_comparison=str(latest["wide_comparison"]),
                dispersion=float(latest["dispersion"]),
                first_period="" if first is None else str(first["period"]),
                first_ratio=np.nan if first is None else float(first["ratio"]),
                last_period="" if last is None else str(last["period"]),
                last_ratio=np.nan if last is None else float(last["ratio"]),
            )
        )
    return out


def _trend_sentence(items: list[AdjustedFinding]) -> str:
    parts = [
        f"from {ratio(f.first_ratio)} ({f.first_period}) to {ratio(f.last_ratio)} "
        f"({f.last_period}) for {f.noun}"
        for f in items
        if f.has_trend
    ]
    if not parts:
        return ""
    return f"Over time, the ratio of observed to expected moved {and_join(parts)}."


def _spread_sentence(items: list[AdjustedFinding], area_name: str) -> str:
    lead = next((f for f in items if f.has_data and not f.suppressed), None)
    if lead is None or is_missing(lead.dispersion):
        return ""
    text = (
        "These intervals allow for chance variation only. Councils differ from the model's "
        f"prediction much more than chance explains (for {lead.noun} on {lead.period}, about "
        f"{fixed(lead.dispersion, 0)} times the variation chance alone would give), so the "
        "table also gives a wider interval that allows for this spread"
    )
    if lead.wide_comparison in SPREAD:
        text += (
            f"; on it, {area_name}'s ratio for {lead.noun} ({ratio(lead.wide_lower)} to "
            f"{ratio(lead.wide_upper)}) is {SPREAD[lead.wide_comparison]}"
        )
    return text + "."


def _summary(items: list[AdjustedFinding], area_name: str) -> str:
    sentences = [f.sentence(area_name) for f in items]
    sentences += [_trend_sentence(items), _spread_sentence(items, area_name)]
    return " ".join(s for s in sentences if s)


WIDE = "allowing for the spread between councils"
TABLE_DECIMALS = {
    "Rate per 10,000 aged 0-17": RATE_DP,
    "Expected rate per 10,000 aged 0-17": RATE_DP,
    "Expected number": RATE_DP,
    "Observed/expected ratio": RATIO_DP,
    "Ratio 95% CI lower": RATIO_DP,
    "Ratio 95% CI upper": RATIO_DP,
    "Ratio 99.8% CI lower": RATIO_DP,
    "Ratio 99.8% CI upper": RATIO_DP,
    f"Ratio wider 95% CI lower ({WIDE})": RATIO_DP,
    f"Ratio wider 95% CI upper ({WIDE})": RATIO_DP,
    "Over-dispersion (times chance variation)": RATE_DP,
}


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def trend_table(rows: pd.DataFrame) -> pd.DataFrame:
    """The area's rows as the page shows them: one per measure and year, "no data" where the
    area has no count, small counts as "<5" with nothing derived from them."""
    observed = [
        NO_DATA if not has else (str(shown) if hidden else count(value))
        for has, hidden, shown, value in zip(
            rows["has_data"],
            rows["suppressed"],
            rows["observed_display"],
            rows["observed"],
            strict=True,
        )
    ]
    table = pd.DataFrame(
        {
            "Measure": rows["label"].to_numpy(),
            "Period": rows["period"].to_numpy(),
            "Children (number)": observed,
            "Children aged 0-17": rows["denominator"].astype("Int64").to_numpy(),
            "Rate per 10,000 aged 0-17": rows["observed_rate"].astype(float).to_numpy(),
            "Expected rate per 10,000 aged 0-17": rows["expected_rate"].astype(float).to_numpy(),
            "Expected number": rows["expected"].astype(float).to_numpy(),
            "Observed/expected ratio": rows["ratio"].astype(float).to_numpy(),
            "Ratio 95% CI lower": rows["lower_ci_95"].astype(float).to_numpy(),
            "Ratio 95% CI upper": rows["upper_ci_95"].astype(float).to_numpy(),
            "Compared with expected (95%)": [_capital(c) for c in rows["comparison"]],
            "Ratio 99.8% CI lower": rows["lower_ci_99_8"].astype(float).to_numpy(),
            "Ratio 99.8% CI upper": rows["upper_ci_99_8"].astype(float).to_numpy(),
            "Compared with expected (99.8%)": [_capital(c) for c in rows["comparison_99_8"]],
            f"Ratio wider 95% CI lower ({WIDE})": rows["wide_lower_ci_95"].astype(float).to_numpy(),
            f"Ratio wider 95% CI upper ({WIDE})": rows["wide_upper_ci_95"].astype(float).to_numpy(),
            f"Compared with expected, {WIDE}": [_capital(c) for c in rows["wide_comparison"]],
            "Over-dispersion (times chance variation)": rows["dispersion"].astype(float),
        }
    )
    return apply_decimals(table, TABLE_DECIMALS)


def ratio_chart(rows: pd.DataFrame, area_name: str, description: str) -> alt.FacetChart | None:
    """One panel per measure: the ratio by year with its 95% interval as a band, and a dashed
    reference line at 1 labelled "as expected for its deprivation". None with no ratio."""
    if rows["ratio"].isna().all():
        return None
    data = rows[rows["year"].notna()]  # missing years stay as gaps in the lines
    data = pd.DataFrame(
        {
            "panel": data["label"],
            "panel_order": data["measure"].map({m.key: i for i, m in enumerate(MEASURES)}),
            "year": data["year"].astype(int),
            "period": data["period"],
            "ratio": data["ratio"].astype(float),
            "lower": data["lower_ci_95"].astype(float),
            "upper": data["upper_ci_95"].astype(float),
            "ratio_text": [ratio(v) for v in data["ratio"]],
            "ci_text": [
                fmt_ci(lo, hi, "ratio")
                for lo, hi in zip(data["lower_ci_95"], data["upper_ci_95"], strict=True)
            ],
            "verdict": [_capital(c) for c in data["comparison"]],
        }
    )
    x = small_multiples.year_x("Year (31 March)")
    y_title = "Observed / expected (ratio)"
    band = small_multiples.band(alt.Chart(), x, alt.Y("lower:Q", title=y_title))
    whiskers = (  # the interval of a year with no neighbour, where the band cannot show
        alt.Chart()
        .mark_rule(color=PALETTE[0], strokeWidth=1)
        .encode(x=x, y=alt.Y("lower:Q", title=y_title), y2="upper:Q")
    )
    line = (
        alt.Chart()
        .mark_line(color=PALETTE[0], strokeWidth=2)
        .encode(x=x, y=alt.Y("ratio:Q", title=y_title))
    )
    points = (
        alt.Chart()
        .mark_point(filled=True, size=40, color=PALETTE[0], shape="circle")
        .encode(
            x=x,
            y=alt.Y("ratio:Q", title=y_title),
            tooltip=[
                alt.Tooltip("panel:N", title="Measure"),
                alt.Tooltip("period:N", title="Period"),
                alt.Tooltip("ratio_text:N", title="Observed / expected"),
                alt.Tooltip("ci_text:N", title="95% confidence interval"),
                alt.Tooltip("verdict:N", title="Compared with expected"),
            ],
        )
    )
    rule = (
        alt.Chart()
        .transform_aggregate(groupby=["panel"], rows="count()")
        .transform_calculate(reference=alt.expr.toString(REFERENCE), one="1")
        .mark_rule(color=PALETTE[4], strokeWidth=1.5)
        .encode(
            y=alt.Y("one:Q", title=y_title),
            strokeDash=alt.StrokeDash(
                "reference:N",
                scale=alt.Scale(domain=[REFERENCE], range=[[6, 3]]),
                legend=alt.Legend(title=None, orient="top", symbolStrokeColor=PALETTE[4]),
            ),
        )
    )
    title = alt.TitleParams(
        f"{area_name}: observed against expected for its deprivation",
        subtitle=(
            "Ratio with its 95% confidence interval (shaded band and vertical lines); "
            "1 = as expected"
        ),
    )
    return small_multiples.panels(
        alt.layer(band, whiskers, rule, line, points, data=data),
        title,
        description,
        columns=3,
        width=180,
        height=170,
        shared_x=True,
    )


def _notes(items: list[AdjustedFinding], area_name: str, slope_note: str) -> list[str]:
    notes = [
        "How the expected numbers are worked out: for each year and measure, a Poisson "
        "regression across all English councils with a published count relates the number of "
        "children to the council's children aged 0-17 and its income deprivation (the average, "
        "over its neighbourhoods, of the share of residents who are income deprived in the "
        "English Indices of Deprivation 2025). The expected number is what that model predicts "
        f"for {area_name}; the ratio is the observed number divided by it. {slope_note}",
        "The 95% and 99.8% intervals use exact Poisson limits below 10 children and Byar's "
        "method from 10; a ratio is called higher or lower than expected only when its 95% "
        "interval excludes 1. These intervals allow for chance only. The wider interval in the "
        "table also allows for how much more councils differ from the model than chance "
        "explains (over-dispersion, quasi-Poisson); the text's verdicts use the chance-only "
        "interval.",
        "Read with care: the comparison is between councils, not families, so it says nothing "
        "about which children are at risk; income deprivation is one measure of need and is "
        "held at its 2025 value for every year; counts are at 31 March and the populations "
        "mid-year estimates. A ratio above 1 can reflect need the deprivation score misses as "
        "well as local practice and thresholds.",
    ]
    missing = [f for f in items if not f.has_data]
    if missing:
        notes.append(
            f"{area_name} has no published count for the latest year of "
            + and_join([f.noun for f in missing])
            + ": the area did not exist then, or the publisher did not release the figure."
        )
    if any(f.suppressed for f in items):
        notes.append(
            "Counts of 1 to 4 are not shown, nor any rate or ratio built on them, so that no "
            "child can be identified."
        )
    return notes


def _slope_note(year: int, data_dir: Path | str | None) -> str:
    fits = fit_measures(data_dir).fits
    lead = MEASURES[0]
    mine = fits[(fits["measure"] == lead.key) & (fits["year"] <= year)]
    if mine.empty:
        return ""
    row = mine.sort_values("year").iloc[-1]
    extra = (float(row["rate_ratio_per_point"]) - 1) * 100
    return (
        f"In {int(row['year'])}, across {int(row['areas'])} councils, each percentage point "
        f"more of residents income deprived went with a {percent(extra)} higher expected rate "
        f"of {lead.noun}."
    )


def section(area_code: str, year: int, data_dir: Path | str | None = None) -> Section:
    """The adjusted-demand section for one area and book year (years up to ``year`` only).

    Never raises for one of the 153 current areas: measures or years without a count are
    "no data", counts of 1-4 are hidden with everything derived from them.
    """
    area = resolve_area(area_code, data_dir)
    rows = area_rows(area.code, int(year), data_dir)
    items = findings(area.code, int(year), data_dir, rows=rows)
    summary = _summary(items, area.name)
    table = trend_table(rows)
    chart = ratio_chart(rows, area.name, summary)
    catalogue = load_catalogue(data_dir=data_dir)
    sources = [catalogue[m.indicator_id].source for m in MEASURES]
    # Each row's own source: the dataset of its children's count (the expected figures also
    # rest on the deprivation indices, named in the section's source and notes).
    by_label = {m.label: catalogue[m.indicator_id].source for m in MEASURES}
    table["Source"] = table["Measure"].map(by_label)
    table.attrs["sources"] = "Source"
    source = "; ".join(dict.fromkeys([*sources, IOD25]))
    return Section(
        KEY,
        TITLE,
        summary,
        table,
        chart=chart,
        source=source,
        notes=_notes(items, area.name, _slope_note(int(year), data_dir)),
    )
