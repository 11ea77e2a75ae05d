"""The "How accurate the model is" section of the need model's methods page: cross-validated
accuracy, calibration and the deprivation gradient (:func:`validation_report`) as Markdown."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from needsbook.files import atomic_write
from needsbook.formatting import fixed
from needsbook.need.model import AGE_BANDS
from needsbook.need.outcomes import ANCHORS, BY_KEY
from needsbook.need.validation import validation_report

HEADING = "## How accurate the model is"
VALUE_DP = 1  # percentages, points and rates
R2_DP = 2
#: Band outcomes, in age-band order.
BAND_KEYS = tuple(ANCHORS[b].key for b in AGE_BANDS if b in ANCHORS)
BAND_OF = {o.key: band for band, o in ANCHORS.items()}


def _cell(value: object) -> str:
    return str(value).replace("|", r"\|")


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], right_from: int = 1) -> str:
    """A Markdown table, columns from ``right_from`` right-aligned."""
    align = ["---" if i < right_from else "---:" for i in range(len(header))]
    lines = ["| " + " | ".join(_cell(h) for h in header) + " |", "|" + "|".join(align) + "|"]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def _scale(key: str) -> float:
    """Multiplier from the report's per-100 figures to the outcome's published unit."""
    return BY_KEY[key].per / 100


def _unit(key: str) -> str:
    per = BY_KEY[key].per
    return "%" if per == 100 else f" per {per:,.0f}"


def _level(value: float, key: str) -> str:
    """England's value in the outcome's unit: "32.3%", "331.4 per 10,000"."""
    return fixed(value * _scale(key), VALUE_DP) + _unit(key)


def _error(value: float, key: str) -> str:
    """A typical error: "2.4 points" for shares, "74.6 per 10,000" for rates."""
    unit = " points" if BY_KEY[key].per == 100 else _unit(key)
    return fixed(value * _scale(key), VALUE_DP) + unit


def _sentence_case(text: str) -> str:
    return text[:1].upper() + text[1:]


def _count_sentence(better: int, total: int) -> str:
    if better == total:
        which = f"all {total} outcomes" if total > 1 else "the one outcome"
    elif better == 0:
        which = f"none of the {total} outcomes"
    else:
        which = f"{better} of the {total} outcomes"
    return (
        f"The model is more accurate than income deprivation alone (a smaller typical error) "
        f"for {which}."
    )


def accuracy_table(accuracy: pd.DataFrame) -> str:
    """One row per outcome: typical error and R-squared, model and income only."""
    header = [
        "Outcome",
        "Sets need at ages",
        "Period",
        "Areas",
        "England",
        "Typical error: model",
        "Typical error: income only",
        "R-squared: model",
        "R-squared: income only",
        "Model more accurate",
    ]
    rows = []
    for r in accuracy.itertuples(index=False):
        key = str(r.outcome)
        rows.append(
            [
                _sentence_case(str(r.label)),
                BAND_OF.get(key, "none (a check)"),
                str(r.period),
                f"{int(r.areas):,}",
                _level(r.observed_england, key),
                _error(r.rmse_full, key),
                _error(r.rmse_baseline, key),
                fixed(r.r2_full, R2_DP),
                fixed(r.r2_baseline, R2_DP),
                "Yes" if bool(r.beats_baseline) else "No",
            ]
        )
    return _table(header, rows, right_from=3)


def _wide(frame: pd.DataFrame, index: str, columns: dict[str, str], labels: dict[int, str]) -> str:
    """Rows by ``index``; for each band outcome, one column per ``columns`` entry (% 1 dp)."""
    keys = [k for k in BAND_KEYS if k in set(frame["outcome"])]
    header = [labels[0]]
    for key in keys:
        header += [f"Ages {BAND_OF[key]}: {name}" for name in columns.values()]
    rows = []
    for value in sorted(frame[index].unique()):
        row = [labels.get(int(value), str(int(value)))]
        for key in keys:
            sel = frame[(frame["outcome"] == key) & (frame[index] == value)]
            for column in columns:
                row.append(fixed(sel[column].iloc[0], VALUE_DP) if len(sel) else "no data")
        rows.append(row)
    return _table(header, rows)


def calibration_table(calibration: pd.DataFrame) -> str:
    """Predicted and observed % by tenth of areas, for each age band's outcome."""
    labels = {0: "Tenth of areas", 1: "1 (lowest predicted)", 10: "10 (highest predicted)"}
    return _wide(
        calibration, "tenth", {"predicted": "predicted %", "observed": "observed %"}, labels
    )


def gradient_table(gradient: pd.DataFrame) -> str:
    """Modelled % by national IMD decile, model and income only, for each age band's outcome."""
    labels = {0: "IMD 2019 decile", 1: "1 (most deprived)", 10: "10 (least deprived)"}
    return _wide(gradient, "imd_decile", {"full": "model %", "baseline": "income only %"}, labels)


def _key(accuracy: pd.DataFrame) -> str:
    """Which outcome each age band's columns are."""
    lines = []
    for r in accuracy.itertuples(index=False):
        if r.outcome in BAND_OF:
            lines.append(f"- Ages {BAND_OF[str(r.outcome)]}: {r.label} ({r.period}).")
    return "\n".join(lines) + "\n"


def validation_section(year: int, data_dir: Path | str | None = None) -> str:
    """Markdown for the methods page: how accurately the need model predicts, for ``year``."""
    report = validation_report(year, data_dir)
    acc = report["accuracy"]
    if acc.empty:
        return (
            f"\n{HEADING}\n\nThe data holds too few areas with published outcomes to test the "
            "model.\n"
        )
    calib, grad = report["calibration"], report["gradient"]
    sizes = calib[calib["outcome"].isin(BAND_KEYS)]["areas"]
    size = (
        f"{int(sizes.min())} to {int(sizes.max())}"
        if sizes.min() != sizes.max()
        else f"{int(sizes.min())}"
    )
    parts = [
        f"\n{HEADING}\n",
        "These figures are worked out from the same data as the rest of the book.\n",
        "England's areas were split at random into ten groups. Each group's areas were "
        "predicted by the model fitted on the other nine groups alone, so no area's prediction "
        "used its own published value, and the predictions were set against the published "
        "values. The same test was run on a simpler model with income deprivation as its only "
        "predictor (the domain the Income Deprivation Affecting Children Index is drawn from), "
        "to show what the other domains and the type of area add.\n",
        "- **Typical error** (root mean square error): the typical gap between an area's "
        "predicted and published value, in percentage points for shares and per 10,000 or "
        "per 100,000 children for the rarer outcomes. Smaller is better.\n"
        "- **R-squared**: the share of the differences between areas that the predictions "
        "explain. 1 would be perfect and 0 no better than giving every area the average of all "
        "areas; it is negative when the predictions do worse than that.\n",
        "### Accuracy for each outcome\n",
        accuracy_table(acc),
        _count_sentence(int(acc["beats_baseline"].sum()), len(acc)) + "\n",
        "### Calibration\n",
        "For each age band's outcome, areas were sorted by their predicted value from the test "
        f"above and put into ten groups ({size} areas each), from the lowest predicted value to "
        "the highest. In each tenth, the share of children predicted to have the outcome is set "
        "against the share who had it. A well-calibrated model has the two close in every "
        "tenth. The columns are:\n",
        _key(acc),
        calibration_table(calib),
        "### How the outcomes rise with deprivation\n",
        "The share of children modelled to have each age band's outcome, by the national IMD "
        "2019 decile of the neighbourhood they live in, from the model fitted on all of "
        "England's areas before any area's calibration, and from income deprivation alone. "
        "Each decile's share is over all of England's children of the measured ages living in "
        "its neighbourhoods. The columns are the same outcomes as above.\n",
        gradient_table(grad),
    ]
    return "\n".join(parts)


def _cache_key(year: int, data_dir: Path) -> str:
    """What the section depends on: the snapshot's manifest, the year and needsbook's code."""
    digest = hashlib.sha256(f"{year}\n".encode())
    manifest = Path(data_dir) / "snapshot" / "MANIFEST"
    digest.update(manifest.read_bytes() if manifest.is_file() else b"no manifest")
    package = Path(__file__).resolve().parent.parent
    for module in sorted(package.rglob("*.py")):
        digest.update(module.read_bytes())
    return digest.hexdigest()[:24]


def cached_validation_section(year: int, data_dir: Path, cache_dir: Path | None) -> str:
    """:func:`validation_section`, kept in ``cache_dir`` (when given) for the same snapshot,
    year and model code, so a batch or a rebuild does not cross-validate again."""
    if cache_dir is None:
        return validation_section(year, data_dir)
    path = Path(cache_dir) / f"need-validation-{_cache_key(year, data_dir)}.md"
    if path.is_file():
        return path.read_text(encoding="utf-8")
    text = validation_section(year, data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, text.encode("utf-8"))
    return text
