"""No local count of 1-4, nor anything worked out from one, reaches the reader: not in the
text, the tables, the charts or the CSV downloads.

The local folder is the worked example plus distinctive small counts (tests/services/conftest):
a provider with 3 EHAs (0.05% of all, 0.0 per 1,000), a centre with 2 children seen of 7 (28.6%,
footfall 1.50) and new birth visits 3 of 4 (75.0%). The example itself has per-round family
support claims of 1-4. The scan looks at the rows those counts would appear in, and at every
count column of every local table."""

from __future__ import annotations

import json
import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from needsbook.build import downloads
from needsbook.chapters import services
from needsbook.chapters.display import data_table_html
from tests.services.conftest import TINY_CENTRE, TINY_PROVIDER

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
FORBIDDEN = ("28.6", "28.57", "1.50", "75.0%", "0.05%")
#: Figures of a small row that may be shown: they reveal no count of 1-4.
ALLOWED = ("Population aged 0-4", "Area reach %")


@pytest.fixture(scope="module")
def chapter(small_folder: Path) -> services.ServicesChapter:
    return services.build("E10000034", 2024, local_dir=small_folder)


class _Table(HTMLParser):
    """The header and body cells of the first HTML table (no lxml needed)."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def read_table(html: str) -> pd.DataFrame:
    parser = _Table()
    parser.feed(html)
    if not parser.rows:
        return pd.DataFrame()
    return pd.DataFrame(parser.rows[1:], columns=parser.rows[0])


def _local(chapter: services.ServicesChapter) -> list:
    return [s for s in chapter.sections if not s.key.startswith("demand_")]


def _rendered(section) -> str:
    chart = json.dumps(section.chart.to_dict()) if section.chart is not None else ""
    return "\n".join([section.summary, *section.notes, data_table_html(section), chart])


def test_small_counts_are_hidden_in_tables(chapter):
    for s in _local(chapter):
        html = data_table_html(s)
        shown = read_table(html)
        for col in COUNT_COLUMNS:
            if col in shown.columns:
                values = pd.to_numeric(shown[col].astype(str).str.replace(",", ""), errors="coerce")
                assert not values.between(1, 4).any(), (s.key, col)


def test_distinctive_rows_show_nothing_derived(chapter):
    prov = chapter.section("eha_providers").table.set_index("Lead provider").loc[TINY_PROVIDER]
    assert pd.isna(prov["Assessments"]) and pd.isna(prov["% of all EHAs"])
    assert pd.isna(prov["Rate per 1,000 aged 0-19"]) and prov["Small numbers"].startswith("fewer")
    cc = chapter.section("cc_centres").table
    row = cc[cc["Centre"] == TINY_CENTRE].iloc[0]
    assert pd.isna(row["Children seen"]) and pd.isna(row["Reach %"])
    assert pd.isna(row["Footfall (visits per child seen)"])
    trend = chapter.section("eha_trend")
    assert trend.table["Assessments"].tolist() == [800, 5478]
    assert "from 800 in April 2012 to March 2013 to 5,478" in trend.summary
    assert "6.8 times as many" in trend.summary
    dist = chapter.section("eha_districts").table.set_index("District")
    assert pd.isna(dist.loc["Redditch", "Assessments"])
    assert pd.isna(dist.loc["Redditch", "Rate per 1,000 aged 0-19"])
    assert dist.loc["Wyre Forest", "Assessments"] == 1500
    assert dist.loc["Wyre Forest", "Rate per 1,000 aged 0-19"] == 70.7  # 1,500 / 21,206 aged 0-19
    assert "The highest is Wyre Forest: 70.7 per 1,000" in chapter.section("eha_districts").summary
    reasons = chapter.section("eha_reasons").table.set_index("Reason")
    assert round(reasons.loc["Behaviour difficulties", "% of EHAs citing the reason"], 2) == 70.61
    assert pd.isna(reasons.loc["Rare test reason", "% of EHAs citing the reason"])
    assert "Behaviour difficulties (71%)" in chapter.section("eha_reasons").summary
    hv = chapter.section("health_visiting").table.set_index("Review")
    assert pd.isna(hv.loc["New birth visit within 14 days", "Coverage %"])
    assert hv.loc["6-8 week review", "Coverage %"] == 80.0


def test_text_charts_and_tables_never_show_the_derived_values(chapter):
    for s in _local(chapter):
        text = _rendered(s)
        for value in FORBIDDEN:
            assert value not in text, (s.key, value)
        assert not re.search(rf"{TINY_PROVIDER}\D{{0,40}}\b3\b", text), s.key


def test_csv_downloads_hold_no_small_count(chapter, tmp_path):
    with downloads.collecting(tmp_path):
        for s in _local(chapter):
            downloads.write_section(s.table, s.title, s.source, "E10000034", 2024)
    files = list(tmp_path.glob("*.csv"))
    assert len(files) >= 10
    for f in files:
        df = pd.read_csv(f, dtype=str, keep_default_na=False)
        counts = df[df["measure"].isin(COUNT_COLUMNS)]
        values = pd.to_numeric(counts["value"], errors="coerce")
        assert not values.between(1, 4).any(), f.name
        text = f.read_text()
        for value in FORBIDDEN:
            assert value not in text, (f.name, value)
        for name in (TINY_PROVIDER, TINY_CENTRE):
            rows = df[df.apply(lambda r, n=name: n in r.to_numpy(), axis=1)]
            rows = rows[~rows["measure"].isin(ALLOWED)]
            assert (rows["value"] == "").all(), (f.name, name)


@pytest.mark.slow
def test_executed_chapter_and_its_downloads(small_folder, tmp_path):
    """Execute notebooks/04_services.ipynb as the pipeline does and scan what it wrote."""
    from needsbook import paths
    from needsbook.build.execute import execute_notebook

    out = tmp_path / "04_services.ipynb"
    csv_dir = tmp_path / "downloads"
    with downloads.collecting(csv_dir):
        execute_notebook(
            paths.repo_root() / "notebooks" / "04_services.ipynb",
            out,
            {"area_code": "E10000034", "year": 2024, "local_dir": str(small_folder)},
        )
    assert os.environ.get(downloads.ENV_DIR) is None
    cells = json.loads(out.read_text())["cells"]
    heads = ["".join(c["source"]) for c in cells]
    start = next(i for i, h in enumerate(heads) if h.startswith("## The council"))
    key = next(i for i, h in enumerate(heads) if h.startswith("## Key findings"))
    key_findings = json.dumps(cells[key + 1].get("outputs", []))
    assert "75.0%" not in key_findings
    outputs = json.dumps([c.get("outputs", []) for c in cells[start:]])  # the local parts
    assert TINY_PROVIDER in outputs and TINY_CENTRE in outputs  # the rows are there ...
    for value in FORBIDDEN:  # ... but not their numbers
        assert value not in outputs, value
    for f in csv_dir.glob("*.csv"):
        df = pd.read_csv(f, dtype=str, keep_default_na=False)
        values = pd.to_numeric(df.loc[df["measure"].isin(COUNT_COLUMNS), "value"], errors="coerce")
        assert not values.between(1, 4).any(), f.name
