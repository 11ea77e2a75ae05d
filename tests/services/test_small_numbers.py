"""No local count of 1-4, nor anything worked out from one, reaches the reader: not in the
text, the tables, the charts, the CSV downloads or the zip, and not by subtraction.

The local folder is the worked example plus distinctive small counts (tests/services/conftest):
each local table with a total holds exactly one count of 1-4. The services, summary and
recommendations notebooks are executed once per session as the pipeline does (CSVs collected,
the zip written); every local table is then read back from the page's HTML tables, from the
CSVs and from the zip, and :func:`tests.services.disclosure.problems` tries to work each hidden
count out: a group (rows adding up to a shown total) with exactly one hidden cell, a total
minus the shown parts of 1-4, a running total around a hidden round, a group share or curve
built on a hidden quintile, and any rate, share, CI, mean or rating shown for a hidden row.
"""

from __future__ import annotations

import html
import json
import re
import zipfile
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

import pandas as pd
import pytest

from needsbook import paths
from needsbook.build import downloads
from needsbook.build.execute import execute_notebook
from needsbook.chapters import services
from needsbook.chapters.display import data_table_html
from tests.services.conftest import TINY_CENTRE, TINY_PROVIDER
from tests.services.disclosure import Group, Spec, html_tables, is_hidden, num, problems, wide

CODE, YEAR = "E10000034", 2024
NOTEBOOKS = ("00_summary", "05_services", "10_recommendations")
COUNT_COLUMNS = (
    "Assessments",
    "Children seen",
    "Population aged 0-4",
    "Completed in time",
    "Due",
    "Referrals",
    "Births",
    "Families with a results claim",
    "Claims, all rounds",
    "Closed EHAs with both scores",
    "EHAs citing the reason",
)
#: Figures of the distinctive small rows (reach 2/7, footfall 3/2, 3 of 4 new birth visits,
#: 3 of 5,478 EHAs, quintile 5's mean change and scores, Q4-5's share with Q5's 3 EHAs).
FORBIDDEN = ("28.6", "28.57", "1.50", "75.0%", "0.05%", "1.03", "4.64", "3.61", "17.12")
#: Figures of a small row that may be shown: they reveal no count of 1-4.
ALLOWED = ("Population aged 0-4", "Area reach %")
MOST, LEAST = ("1 (most deprived 20%)", "2"), ("4", "5 (least deprived 20%)")
MD_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")  # a backslash-escaped ASCII punctuation mark


def _grand(tables: dict[str, pd.DataFrame]) -> float | None:
    t = tables["eha_providers"]
    return num(t.loc[t["Lead provider"] == "All providers", "Assessments"].iloc[0])


def _families(tables: dict[str, pd.DataFrame]) -> float | None:
    """Families counted, as the outcome table shows them (None if a row is hidden)."""
    t = tables["family_outcome_types"]
    values = [num(v) for v in t.loc[t["Counts families"] == "Yes", "Claims, all rounds"]]
    return None if None in values else sum(values)


def _rounds(tables: dict[str, pd.DataFrame]) -> float | None:
    values = [num(v) for v in tables["family_outcomes"]["Families with a results claim"]]
    return None if None in values else sum(values)


def _targeting(tables: dict[str, pd.DataFrame]) -> list[str]:
    """A group share (and ratio) is blank when one of its quintiles is hidden; so is the
    concentration curve of EHAs."""
    q = tables["eha_quintiles"]
    hidden = {r["IMD quintile"] for _, r in q.iterrows() if is_hidden(r, "Assessments")}
    out = []
    t = tables["eha_targeting"]
    for prefix, members in (("most", MOST), ("least", LEAST)):
        if hidden & set(members):
            rows = t[t["Group of areas"].str.startswith(prefix)]
            for col in ("% of EHAs", "Targeting ratio"):
                if rows[col].map(num).notna().any():
                    out.append(f"targeting: {prefix} deprived 40% {col} shown")
    curve = tables["eha_concentration"]["Cumulative % of EHAs"].map(num)
    if hidden and curve.notna().any():
        out.append("concentration curve of EHAs shown with a hidden quintile")
    return out


EHA_RATE = "Rate per 1,000 aged 0-19"
MEANS = ("Mean score at start", "Mean score at end", "Mean change (score points)")
CC_KEYS = ("Period", "Nursery education", "Children")
SPECS = {
    "eha_providers": Spec(
        ("Assessments",), ("% of all EHAs", EHA_RATE), (Group("Lead provider", "All providers"),)
    ),
    "eha_trend": Spec(("Assessments",)),
    "eha_districts": Spec(("Assessments",), (EHA_RATE,), (Group("District", external=_grand),)),
    "eha_quintiles": Spec(
        ("Assessments",),
        ("% of EHAs", EHA_RATE, "Targeting ratio (EHA share / need share)"),
        (Group("IMD quintile", external=_grand),),
        extra=(_targeting,),
    ),
    "eha_distance": Spec(
        ("Closed EHAs with both scores",), MEANS, (Group("IMD quintile", "All quintiles"),)
    ),
    "eha_reasons": Spec(("EHAs citing the reason",), ("% of EHAs citing the reason",)),
    "cc": Spec(
        ("Children seen", "Population aged 0-4"),
        ("Reach %", "Reach % 95% CI lower", "Reach % 95% CI upper"),
        (
            Group("Centre", "All centres", (*CC_KEYS, "District")),
            Group("District", "All", CC_KEYS, where=lambda d: d["Centre"] == "All centres"),
        ),
        rating="Compared with the area (RAG)",
    ),
    "specialist_midwifery": Spec(
        ("Referrals", "Births"),
        ("Referrals as % of births", "Gap (percentage points)", "Gap (births a year)"),
    ),
    "health_visiting": Spec(("Completed in time", "Due"), ("Coverage %",)),
    "family_outcomes": Spec(
        ("Families with a results claim",),
        groups=(Group("Claim round", keys=("Programme",), external=_families),),
        running_total=("Families with a results claim", "Cumulative families", "Programme"),
    ),
    "family_outcome_types": Spec(
        ("Claims, all rounds",),
        groups=(
            Group(
                "Outcome",
                keys=("Programme",),
                where=lambda d: d["Counts families"] == "Yes",
                external=_rounds,
            ),
        ),
    ),
}


@dataclass
class Book:
    """What the executed notebooks published: page outputs, CSVs and the zip."""

    chapter: services.ServicesChapter
    outputs: dict[str, list[dict]]  # notebook -> the display data of its outputs, in order
    csv_dir: Path
    zip_path: Path

    def html(self, notebook: str) -> list[str]:
        return [_join(d["text/html"]) for d in self.outputs[notebook] if "text/html" in d]

    def text(self, notebook: str) -> str:
        """Everything shown, as a reader sees the words (Markdown escapes, entities decoded)."""
        parts = [_join(v) for d in self.outputs[notebook] for v in d.values()]
        return html.unescape(MD_ESCAPE.sub(r"\1", "\n".join(parts)))


def _join(value: object) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


@pytest.fixture(scope="session")
def book(small_folder: Path, tmp_path_factory: pytest.TempPathFactory) -> Book:
    """Execute the chapters that show local figures, as the pipeline does (once)."""
    tmp = tmp_path_factory.mktemp("small-book")
    csv_dir, done = tmp / "downloads", []
    with downloads.collecting(csv_dir):
        for name in NOTEBOOKS:
            out = tmp / f"{name}.ipynb"
            execute_notebook(
                paths.repo_root() / "notebooks" / f"{name}.ipynb",
                out,
                {
                    "area_code": CODE,
                    "year": YEAR,
                    "local_dir": str(small_folder),
                    "downloads_dir": str(csv_dir),
                },
            )
            done.append(out)
    zip_path = downloads.publish(csv_dir, tmp / "html", done, CODE, "Worcestershire", YEAR)
    outputs = {
        p.stem: [
            o.get("data", {"text/plain": o.get("text", "")})
            for c in json.loads(p.read_text())["cells"]
            for o in c.get("outputs", [])
        ]
        for p in done
    }
    return Book(services.build(CODE, YEAR, local_dir=small_folder), outputs, csv_dir, zip_path)


def _keyed(chapter: services.ServicesChapter, by_title: dict[str, pd.DataFrame]) -> dict:
    """Local tables by section key (children's centre districts and centres as one, "cc")."""
    out = {s.key: by_title[s.title] for s in _local(chapter) if s.title in by_title}
    cc = [out.pop(k) for k in ("cc_districts", "cc_centres") if k in out]
    if cc:
        out["cc"] = pd.concat(cc, ignore_index=True).drop_duplicates(ignore_index=True)
    return out


def _tables(book: Book, where: str) -> dict[str, pd.DataFrame]:
    if where == "page":
        return _keyed(book.chapter, html_tables(book.html("05_services")))
    if where == "csv":
        files = {p.name: p.read_bytes() for p in book.csv_dir.glob("*.csv")}
    else:
        with zipfile.ZipFile(book.zip_path) as zf:
            files = {n[5:]: zf.read(n) for n in zf.namelist() if n.startswith("data/")}
    by_title = {}
    for s in _local(book.chapter):
        name = downloads.section_filename(s.title, CODE)
        if name in files:
            tidy = pd.read_csv(BytesIO(files[name]), dtype=str, keep_default_na=False)
            period = s.table.attrs.get("period")
            by_title[s.title] = wide(tidy, period if period in s.table.columns else None)
    return _keyed(book.chapter, by_title)


def _local(chapter: services.ServicesChapter) -> list:
    return [s for s in chapter.sections if not s.key.startswith("demand_")]


@pytest.mark.slow
@pytest.mark.parametrize("where", ["page", "csv", "zip"])
def test_no_hidden_count_can_be_worked_out(book, where):
    tables = _tables(book, where)
    assert set(SPECS) <= set(tables), set(SPECS) - set(tables)
    found = [p for key, spec in SPECS.items() for p in problems(key, tables[key], spec, tables)]
    assert found == []
    for key in set(SPECS) - {"eha_trend"}:  # each table has its distinctive small count(s)
        assert tables[key]["Small numbers"].str.startswith("fewer").any(), key


@pytest.mark.slow
def test_pages_and_downloads_never_show_the_small_rows_figures(book):
    for notebook in NOTEBOOKS:
        text = book.text(notebook)
        # the services page's national demand part may show such figures; its local part not
        start = text.find("Local data: checks and warnings") if notebook == "05_services" else 0
        assert start >= 0, "the services page has no local data part"
        if notebook == "05_services":
            assert TINY_PROVIDER in text[start:]  # the scanned part shows the small rows
        for value in FORBIDDEN:
            assert value not in text[start:], (notebook, value)
    for f in book.csv_dir.glob("*.csv"):
        df = pd.read_csv(f, dtype=str, keep_default_na=False)
        values = pd.to_numeric(df.loc[df["measure"].isin(COUNT_COLUMNS), "value"], "coerce")
        assert not values.between(1, 4).any(), f.name
        for value in FORBIDDEN:
            assert value not in f.read_text(), (f.name, value)
        for name in (TINY_PROVIDER, TINY_CENTRE):
            rows = df[df.apply(lambda r, n=name: n in r.to_numpy(), axis=1)]
            rows = rows[~rows["measure"].isin(ALLOWED)]
            assert (rows["value"] == "").all(), (f.name, name)
    outputs = book.text("05_services")
    assert TINY_PROVIDER in outputs and TINY_CENTRE in outputs  # the rows are there


@pytest.fixture(scope="module")
def chapter(small_folder: Path) -> services.ServicesChapter:
    return services.build(CODE, YEAR, local_dir=small_folder)


def test_small_counts_are_hidden_in_tables(chapter):
    for s in _local(chapter):
        shown = html_tables([data_table_html(s)])[s.title]
        for col in COUNT_COLUMNS:
            if col in shown.columns:
                values = shown[col].map(num)
                assert not values.between(1, 4).any(), (s.key, col)


def test_distinctive_rows_show_nothing_derived(chapter):
    prov = chapter.section("eha_providers").table.set_index("Lead provider")
    tiny = prov.loc[TINY_PROVIDER]
    assert pd.isna(tiny["Assessments"]) and pd.isna(tiny["% of all EHAs"])
    assert pd.isna(tiny["Rate per 1,000 aged 0-19"]) and tiny["Small numbers"].startswith("fewer")
    # the next smallest provider is hidden too, or 5,478 minus the others would give 3
    assert pd.isna(prov.loc["Integrated working team", "Assessments"])
    assert prov.loc["Integrated working team", "Small numbers"].startswith("not shown")
    cc = chapter.section("cc_centres").table
    row = cc[cc["Centre"] == TINY_CENTRE].iloc[0]
    assert pd.isna(row["Children seen"]) and pd.isna(row["Reach %"])
    assert pd.isna(row["Footfall (visits per child seen)"])
    assert row["Compared with the area (RAG)"] == "Not shown (small numbers)"
    trend = chapter.section("eha_trend")
    assert trend.table["Assessments"].tolist() == [800, 5478]
    assert "from 800 in April 2012 to March 2013 to 5,478" in trend.summary
    assert "6.85 times as many" in trend.summary  # a fold-change is a ratio: 2 decimals
    dist = chapter.section("eha_districts").table.set_index("District")
    assert pd.isna(dist.loc["Redditch", "Assessments"])
    assert pd.isna(dist.loc["Redditch", "Rate per 1,000 aged 0-19"])
    assert pd.isna(dist.loc["Bromsgrove", "Assessments"])  # secondary
    assert dist.loc["Wyre Forest", "Assessments"] == 1500
    assert dist.loc["Wyre Forest", "Rate per 1,000 aged 0-19"] == 70.7  # 1,500 / 21,206 aged 0-19
    assert "The highest is Wyre Forest: 70.7 per 1,000" in chapter.section("eha_districts").summary
    tr = chapter.section("eha_targeting").table.set_index("Group of areas")
    assert tr["Targeting ratio"].isna().tolist() == [False, True]  # Q5 hidden: no Q4-5 share
    assert "an undisclosed share (small numbers) to the least" in (
        chapter.section("eha_quintiles").summary
    )
    reasons = chapter.section("eha_reasons").table.set_index("Reason")
    assert round(reasons.loc["Behaviour difficulties", "% of EHAs citing the reason"], 2) == 70.61
    assert pd.isna(reasons.loc["Rare test reason", "% of EHAs citing the reason"])
    assert "Behaviour difficulties (70.6%)" in chapter.section("eha_reasons").summary
    hv = chapter.section("health_visiting").table.set_index("Review")
    assert pd.isna(hv.loc["New birth visit within 14 days", "Coverage %"])
    assert hv.loc["6-8 week review", "Coverage %"] == 80.0
    mw = chapter.section("specialist_midwifery").table.set_index("Period")
    assert pd.isna(mw.loc["2014-15", "Births"])
    assert pd.isna(mw.loc["2014-15", "Gap (births a year)"])


def test_text_and_charts_never_show_the_derived_values(chapter):
    for s in _local(chapter):
        chart = json.dumps(s.chart.to_dict()) if s.chart is not None else ""
        text = "\n".join([s.summary, *s.notes, data_table_html(s), chart])
        for value in FORBIDDEN:
            assert value not in text, (s.key, value)
        assert not re.search(rf"{TINY_PROVIDER}\D{{0,40}}\b3\b", text), s.key
