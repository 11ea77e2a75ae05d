"""The need model's accuracy: the cross-validation recomputed independently, the model against
the income-only baseline, calibration by tenth, and the methods page that reports them."""

from __future__ import annotations

import html
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import special

from needsbook import paths
from needsbook.need import predictors as pred
from needsbook.need.fitting import fit_outcome, national_fits, national_lsoas
from needsbook.need.outcomes import ANCHORS, BY_KEY
from needsbook.need.validation import FOLDS, folds, validation_report
from needsbook.need.validation_page import cached_validation_section, validation_section
from tests.books import AREAS, Books

YEAR = 2024
BAND_KEYS = [o.key for o in ANCHORS.values()]


@pytest.fixture(scope="module")
def report(snap: Path) -> dict[str, pd.DataFrame]:
    return validation_report(YEAR, snap)


@pytest.fixture(scope="module")
def section(snap: Path) -> str:
    return validation_section(YEAR, snap)


def _rmse_by_hand(snap: Path, key: str, columns: tuple[str, ...]) -> float:
    """Out-of-fold RMSE (points): refit on nine folds, average LSOA shares over each held-out
    area's children of the outcome's ages."""
    outcome = BY_KEY[key]
    counts = national_fits(YEAR, snap)[key].counts.reset_index(drop=True)
    lsoas = national_lsoas(YEAR, snap)
    fold = folds(pd.Index(counts["area_code"]))
    predicted = pd.Series(np.nan, index=counts["area_code"])
    for f in range(FOLDS):
        model = fit_outcome(outcome, counts[fold != f], lsoas, columns)
        for area in counts.loc[fold == f, "area_code"]:
            sel = lsoas[lsoas["utla_code"] == area]
            x = np.column_stack([np.ones(len(sel)), sel[list(columns)].to_numpy(float)])
            p = special.expit(x @ model.coef)
            w = sel[list(outcome.weights)].sum(axis=1).to_numpy(float)
            predicted[area] = float(np.sum(p * w) / np.sum(w))
    err = predicted.to_numpy() - counts["events"].to_numpy() / counts["trials"].to_numpy()
    return float(np.sqrt(np.mean(err**2)) * 100)


@pytest.mark.parametrize(("columns", "name"), [(pred.FULL, "full"), (pred.BASELINE, "baseline")])
def test_cross_validated_error_recomputed_by_hand(
    snap: Path, report: dict[str, pd.DataFrame], columns: tuple[str, ...], name: str
) -> None:
    acc = report["accuracy"].set_index("outcome")
    # the report may come from the committed national tables, made on another processor: the
    # iterative refits then agree to about 1e-8 (their linear algebra's last bits differ)
    assert _rmse_by_hand(snap, "not_gld", columns) == pytest.approx(
        acc.loc["not_gld", f"rmse_{name}"], rel=1e-7
    )


def test_every_outcome_is_tested_on_most_areas(report: dict[str, pd.DataFrame]) -> None:
    acc = report["accuracy"]
    assert set(BAND_KEYS) <= set(acc["outcome"])
    assert (acc["areas"] >= 100).all()
    assert (acc["r2_full"] <= 1).all()


def test_the_model_beats_income_deprivation_alone_on_most_outcomes(
    report: dict[str, pd.DataFrame],
) -> None:
    acc = report["accuracy"]
    assert (acc["rmse_full"] < acc["rmse_baseline"]).equals(acc["beats_baseline"])
    assert acc["beats_baseline"].sum() > len(acc) / 2


def test_calibration_within_three_points_in_every_tenth(report: dict[str, pd.DataFrame]) -> None:
    calib = report["calibration"]
    for key in BAND_KEYS:
        sel = calib[calib["outcome"] == key]
        assert list(sel["tenth"]) == list(range(1, 11)), key
        gap = (sel["predicted"] - sel["observed"]).abs()
        assert (gap < 3).all(), (key, gap.round(2).tolist())


def _unit(key: str) -> tuple[float, str]:
    per = BY_KEY[key].per
    return per / 100, (" points" if per == 100 else f" per {int(per):,}")


def _row(text: str, label: str) -> str:
    """The accuracy table's row (Markdown) for an outcome."""
    rows = [line for line in text.splitlines() if line.startswith(f"| {label[:1].upper()}")]
    matches = [r for r in rows if label[1:] in r]
    assert len(matches) == 1, label
    return matches[0]


def test_section_reports_every_outcome_with_the_report_figures(
    report: dict[str, pd.DataFrame], section: str
) -> None:
    assert section.lstrip().startswith("## How accurate the model is")
    for r in report["accuracy"].itertuples():
        scale, unit = _unit(r.outcome)
        row = _row(section, r.label)
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert f"{r.rmse_full * scale:.1f}{unit}" == cells[5]
        assert f"{r.rmse_baseline * scale:.1f}{unit}" == cells[6]
        assert f"{r.r2_full:.2f}".replace("-0.00", "0.00") == cells[7]
        assert cells[9] == ("Yes" if r.beats_baseline else "No")
    better, total = int(report["accuracy"]["beats_baseline"].sum()), len(report["accuracy"])
    if 0 < better < total:
        assert f"for {better} of the {total} outcomes." in section
    for internal in ("seed", "rmse", "baseline", "validation", "_"):
        assert internal not in section.lower(), internal


def test_section_tables_have_ten_rows(section: str) -> None:
    for first in ("| 1 (lowest predicted) |", "| 1 (most deprived) |"):
        assert first in section
    assert "| 10 (highest predicted) |" in section
    assert "| 10 (least deprived) |" in section


def _cell(fragment: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", "", fragment))).strip()


def _page_text(page: Path) -> str:
    """The page's table rows, one a line, cells joined by " | "."""
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", page.read_text(), flags=re.DOTALL)
    rows = re.findall(r"<tr\b.*?</tr>", text, flags=re.DOTALL)
    return "\n".join(
        " | ".join(_cell(c) for c in cells)
        for cells in (re.findall(r"<t[dh]\b.*?</t[dh]>", r, flags=re.DOTALL) for r in rows)
    )


@pytest.mark.slow
def test_built_methods_page_shows_the_accuracy_table(books: Books) -> None:
    book = books / next(iter(AREAS))  # built from the default data folder
    acc = validation_report(int(book.name), paths.default_data_dir())["accuracy"]
    rows = _page_text(book / "book" / "methods" / "need-model.html").splitlines()
    for r in acc.itertuples():
        scale, unit = _unit(r.outcome)
        label = r.label[:1].upper() + r.label[1:]
        row = [line for line in rows if line.startswith(label + " |")]
        assert len(row) == 1, label
        cells = row[0].split(" | ")
        assert cells[5] == f"{r.rmse_full * scale:.1f}{unit}"
        assert cells[6] == f"{r.rmse_baseline * scale:.1f}{unit}"


def test_the_section_is_cached_per_snapshot_and_year(snap: Path, section: str, tmp_path: Path):
    first = cached_validation_section(YEAR, snap, tmp_path)
    assert first == section
    (cached,) = tmp_path.glob("need-validation-*.md")
    assert cached.read_text(encoding="utf-8") == section
    cached.write_text("kept")  # a second build reads the cache instead of recomputing
    assert cached_validation_section(YEAR, snap, tmp_path) == "kept"
    assert cached_validation_section(YEAR, snap, None) == section


def test_no_area_is_predicted_by_a_fit_that_saw_it(snap: Path, monkeypatch: pytest.MonkeyPatch):
    from needsbook.need import validation

    trained: list[set[str]] = []
    predicted: list[set[str]] = []
    real_fit, real_design = validation.fit_outcome, validation.design

    def fit_spy(outcome, counts, lsoas, columns):  # type: ignore[no-untyped-def]
        trained.append(set(counts["area_code"]))
        return real_fit(outcome, counts, lsoas, columns)

    def design_spy(lsoas, outcome, areas, columns):  # type: ignore[no-untyped-def]
        predicted.append(set(areas))
        return real_design(lsoas, outcome, areas, columns)

    monkeypatch.setattr(validation, "fit_outcome", fit_spy)
    monkeypatch.setattr(validation, "design", design_spy)
    of = national_fits(YEAR, snap)["not_gld"]
    cv = validation.cross_validated(of, national_lsoas(YEAR, snap))
    assert len(trained) == len(predicted) == 2 * FOLDS
    for seen, tested in zip(trained, predicted, strict=True):
        assert tested and not seen & tested
    every = set(of.counts["area_code"])
    assert set().union(*predicted[:FOLDS]) == every == set(cv["area_code"])
