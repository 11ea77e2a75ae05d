"""One number, one verdict, the latest data: read the built books as a reader would.

Three books (Worcestershire, Rutland, Halton; built once per session, tests/books.py). Every
indicator that appears in more than one place -- the outcomes chapter, the summary, the services
chapter's demand tables, the recommendations and the Fingertips-layout export -- must have one
period, one value, one comparison with England and one trend; every rank lies within 1..N; and by
default every catalogue indicator shows the latest period the snapshot holds.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from needsbook.data import load_table
from needsbook.export import export_area
from needsbook.outcomes.catalogue import load_catalogue
from needsbook.outcomes.compare import ENGLAND, display_period
from needsbook.polarity import HIGH_IS_GOOD, LOW_IS_GOOD
from tests.books import AREAS, Books

pytestmark = pytest.mark.slow

OUTCOMES = "children-s-outcomes-compared-with-england"
DEMAND = (
    "demand-on-children-s-social-care",
    "childhood-vaccination-coverage",
    "education-health-and-care-ehc-plans",
)
FINDINGS = "what-the-indicators-show-by-life-stage"
GLANCE = "summary-outcomes-at-a-glance"
RECOMMENDATIONS = "recommendations-and-the-findings-behind-them"
NEIGHBOURS = "comparison-with-statistical-neighbours"
VULNERABLE = (
    "education-health-and-care-plans",
    "requests-for-ehc-needs-assessments",
    "ehc-plans-issued-within-20-weeks",
    "looked-after-children-s-health-and-stability",
    "care-leavers",
    "first-time-entrants-to-the-youth-justice-system",
    "children-in-low-income-families",
)
FACTORS = "factors-identified-at-the-end-of-assessment"
SHOWN_IN = ("outcomes chapter", "services chapter", "vulnerable children chapter")


def _csv(books: Books, code: str, name: str) -> pd.DataFrame:
    """A book's tidy CSV download of one section, every cell as text."""
    return pd.read_csv(books / code / "downloads" / f"{code}-{name}.csv", dtype=str)


def _by_indicator(table: pd.DataFrame, column: str = "Indicator") -> pd.DataFrame:
    """A section's tidy rows, one per indicator, indexed by the indicator's name.

    A table of figures has one tidy row per figure (``measure``: Value, 95% CI lower, England,
    ...); the row whose measure is ``Value`` is the indicator's own, with its ``period``. A table
    of text has one row per indicator already. An indicator on two rows would be two statements
    of one indicator in one table, so it fails here rather than being dropped."""
    if table["measure"].notna().any():
        table = table[table["measure"] == "Value"]
    twice = table.loc[table[column].duplicated(), column]
    assert twice.empty, f"{table['section'].iloc[0]}: {sorted(set(twice))} on several rows"
    return table.set_index(column)


def _outcomes(books: Books, code: str) -> pd.DataFrame:
    """The outcomes chapter's table, one row per indicator: its period is ``period`` and its
    value, as the page shows it, ``Value (table)``."""
    return _by_indicator(_csv(books, code, OUTCOMES))


def _services(books: Books, code: str) -> dict[str, pd.DataFrame]:
    """The services chapter's demand tables the book has, one row per indicator each: its value
    is ``value`` and its period ``period``."""
    return {
        name: _by_indicator(_csv(books, code, name), "Measure (table)")
        for name in DEMAND
        if (books / code / "downloads" / f"{code}-{name}.csv").is_file()
    }


def _latest_periods() -> dict[str, str]:
    """Each catalogue indicator's latest period with an England value, as a reader reads it."""
    ind = load_table("indicators")
    cat = load_catalogue()
    eng = ind[(ind["area_code"] == ENGLAND) & ind["indicator_id"].isin(cat.ids)]
    eng = eng.dropna(subset=["value"]).sort_values("year").groupby("indicator_id").tail(1)
    return {
        cat[i].name: display_period(p, t)
        for i, p, t in zip(eng["indicator_id"], eng["period"], eng["period_type"], strict=True)
    }


def _statements(books: Books, code: str) -> pd.DataFrame:
    """Every (place, indicator, period, value, comparison, trend) a book states."""
    rows: list[dict[str, object]] = []
    for indicator, r in _outcomes(books, code).iterrows():
        rows.append(
            {
                "place": "outcomes chapter",
                "indicator": indicator,
                "period": r["period"],
                "value": r["Value (table)"],
                "comparison": r["Compared with England"],
                "trend": r["Recent trend"],
            }
        )
    for name, place in ((FINDINGS, "findings by life stage"), (GLANCE, "summary at a glance")):
        for indicator, r in _by_indicator(_csv(books, code, name)).iterrows():
            rows.append(
                {
                    "place": place,
                    "indicator": indicator,
                    "period": r["period"],
                    "value": None,
                    "comparison": r["Compared with England"],
                    "trend": r["Recent trend"],
                }
            )
    for table in _services(books, code).values():
        for indicator, r in table.iterrows():
            rows.append(
                {
                    "place": "services chapter",
                    "indicator": indicator,
                    "period": r["period"],
                    "value": r["value"],
                    "comparison": r["Compared with England"],
                    "trend": r["Recent trend"],
                }
            )
    for name in VULNERABLE:
        for indicator, r in _by_indicator(_csv(books, code, name)).iterrows():
            rows.append(
                {
                    "place": "vulnerable children chapter",
                    "indicator": indicator,
                    "period": r["period"],
                    "value": r["Value (table)"],
                    "comparison": r["Compared with England"],
                    "trend": r["Recent trend"],
                }
            )
    rec = _csv(books, code, RECOMMENDATIONS)
    for _, r in rec.iterrows():
        rows.append(
            {
                "place": "recommendations",
                "indicator": r["Finding"],
                "period": r["period"],
                "value": None,
                "comparison": None,
                "trend": None,
            }
        )
    return pd.DataFrame(rows)


def _number(text: object) -> float | None:
    if text is None or pd.isna(text):  # type: ignore[arg-type]
        return None
    m = re.search(r"-?[\d,]*\.?\d+", str(text))
    return float(m.group(0).replace(",", "")) if m else None


@pytest.mark.parametrize("code", list(AREAS))
def test_every_indicator_has_one_period_value_comparison_and_trend(books: Books, code: str) -> None:
    st = _statements(books, code)
    names = {i.name for i in load_catalogue().indicators}
    st = st[st["indicator"].isin(names)]
    assert st["indicator"].nunique() >= 30
    several = st.groupby("indicator").filter(lambda g: g["place"].nunique() > 1)
    assert several["indicator"].nunique() >= 10  # the demand measures and findings at least
    problems = []
    for name, g in several.groupby("indicator"):
        for column in ("period", "comparison", "trend"):
            told = g.dropna(subset=[column])
            if told[column].nunique() > 1:
                problems.append(
                    f"{name}: {column} "
                    + "; ".join(
                        f"{p}: {v}" for p, v in zip(told["place"], told[column], strict=True)
                    )
                )
        values = {round(v, 1) for v in g["value"].map(_number).dropna()}
        if len(values) > 1:
            problems.append(f"{name}: values {sorted(values)}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("code", list(AREAS))
def test_every_catalogue_indicator_shows_its_latest_period(books: Books, code: str) -> None:
    latest = _latest_periods()
    st = _statements(books, code)
    shown = st[st["place"].isin(SHOWN_IN)]
    shown = shown.drop_duplicates("indicator").set_index("indicator")["period"]
    cat = load_catalogue()
    factors = _csv(books, code, FACTORS)
    for ind in cat.indicators:
        if ind.id.startswith("c3:"):  # one table row per factor: its rate and its share
            assert len(factors["Factor"].unique()) == 15
            assert set(factors["period"]) == {latest[ind.name]}, ind.name
            continue
        assert ind.name in shown.index, f"{ind.name} is not shown in the {AREAS[code]} book"
        if shown[ind.name] != "no data":
            assert shown[ind.name] == latest[ind.name], ind.name


def test_worcestershire_shows_2025_social_care_and_end_of_2024_neet(books: Books) -> None:
    out = _outcomes(books, "E10000034")
    assert out.loc["Children looked after", "period"] == "31 March 2025"
    assert out.loc["Children on child protection plans", "period"] == "31 March 2025"
    neet = out.loc[out.index.str.contains("not in education, employment or training")]
    assert len(neet) >= 1 and set(neet["period"]) == {"end of 2024"}
    social = _services(books, "E10000034")[DEMAND[0]]
    assert social.loc["Children looked after", "period"] == "31 March 2025"
    assert (
        social.loc["Children looked after", "Compared with England"]
        == out.loc["Children looked after", "Compared with England"]
    )


@pytest.mark.parametrize("code", list(AREAS))
def test_every_rank_is_within_its_group(books: Books, code: str) -> None:
    out = _outcomes(books, code)
    nb = _csv(books, code, NEIGHBOURS)
    texts = [
        *out["Rank (1 = best)"].dropna(),
        *out["Rank among neighbours"].dropna(),
        *nb["Rank (1 = best)"].dropna(),
    ]
    assert texts
    for text in texts:
        m = re.fullmatch(r"(\d+)(?:st|nd|rd|th)? of (\d+)", str(text))
        assert m, text
        assert 1 <= int(m.group(1)) <= int(m.group(2)), text


def _fingertips_word(label: str, polarity: str) -> str:
    """A book's comparison label as the Fingertips layout writes it."""
    fifths = ["Best 20%", "2nd best 20%", "Middle 20%", "2nd worst 20%", "Worst 20%"]
    neutral = ["Lowest 20%", "2nd lowest 20%", "Middle 20%", "2nd highest 20%", "Highest 20%"]
    words = [
        "Lowest quintile",
        "2nd lowest quintile",
        "Middle quintile",
        "2nd highest quintile",
        "Highest quintile",
    ]
    if label in neutral:
        return words[neutral.index(label)]
    if label in fifths:
        k = fifths.index(label)
        if polarity == HIGH_IS_GOOD:
            k = 4 - k
        assert polarity in (HIGH_IS_GOOD, LOW_IS_GOOD)
        return words[k]
    return {"No data": "Not compared"}.get(label, label)


@pytest.mark.parametrize("code", list(AREAS))
def test_export_agrees_with_the_book(books: Books, code: str, tmp_path: Path) -> None:
    path = export_area(code, tmp_path / "export.zip")
    with zipfile.ZipFile(path) as z:
        name = next(n for n in z.namelist() if "fingertips" in n)
        with z.open(name) as f:
            ft = pd.read_csv(f, dtype=str)
    ft = ft[ft["Area Code"] == code].set_index("Indicator Name")
    out = _outcomes(books, code)
    compared = 0
    for name, r in out.iterrows():
        if name not in ft.index:
            assert r["Compared with England"] == "No data", name
            continue
        row = ft.loc[name]
        # Fingertips writes a pooled range with spaces ("2021/22 - 23/24")
        assert row["Time period"].replace(" - ", "-") == r["period"], name
        assert round(float(row["Value"]), 1) == pytest.approx(_number(r["Value (table)"])), name
        expected = _fingertips_word(r["Compared with England"], r["Polarity"])
        assert row["Compared to England value or percentiles"] == expected, name
        assert row["Recent Trend"] == r["Recent trend"], name
        compared += 1
    assert compared >= 25
