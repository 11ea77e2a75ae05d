"""Every chart's and table's data as a tidy, spreadsheet-safe CSV, and one zip per book."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import pytest

from needsbook.build import downloads
from needsbook.build.chapters import CHAPTERS
from needsbook.chapters import display
from needsbook.chapters.base import Section
from needsbook.row_sources import split

if TYPE_CHECKING:
    from tests.books import Books

ROOT = Path(__file__).resolve().parents[2]

FORMULA_START = ("=", "+", "-", "@")
NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
ONS = "ONS mid-year population estimates, mid-2020"


def unsafe_cells(data: bytes) -> list[str]:
    """CSV cells a spreadsheet would run as a formula (numbers are fine)."""
    rows = csv.reader(io.StringIO(data.decode("utf-8")))
    return [
        cell
        for row in rows
        for cell in row
        if cell.startswith(FORMULA_START) and not NUMBER.match(cell)
    ]


def untidy(df: pd.DataFrame) -> list[str]:
    """What keeps a download from one row per observation, each naming its one source."""
    problems = []
    if df.duplicated().any():
        problems.append(f"{df.duplicated().sum()} repeated rows")
    several = sorted(s for s in set(df["source"]) if len(split(s)) > 1)
    if several:
        problems.append(f"rows naming several sources: {several}")
    return problems


def section(**kw: object) -> Section:
    table = pd.DataFrame(
        {
            "Area": ["Rutland", '=HYPERLINK("http://x")', "England"],
            "Age band": ["0-4", "5-9", "@SUM(A1)"],
            "Population": [1200, 1300, 3_000_000],
            "% of population": [5.25, -1.5, 6.0],
        }
    )
    return Section(
        key="k",
        title=str(kw.get("title", "Children by age: a test")),
        summary="A summary.",
        table=table,
        source=str(kw.get("source", "ONS mid-year population estimates, mid-2020 (by LSOA)")),
    )


def test_tidy_has_one_row_per_value_with_unit_period_and_source() -> None:
    s = section()
    tidy = downloads.tidy(s.table, s.title, s.source, "E06000017", 2024)
    assert list(tidy.columns) == [
        "area_code",
        "section",
        "Area",
        "Age band",
        "measure",
        "value",
        "unit",
        "period",
        "source",
    ]
    assert len(tidy) == 3 * 2  # 3 rows x 2 measures
    units = dict(zip(tidy["measure"], tidy["unit"], strict=False))
    assert units == {"Population": "persons", "% of population": "percent"}
    assert set(tidy["period"]) == {"mid-2020"}
    assert set(tidy["source"]) == {s.source}
    assert set(tidy["area_code"]) == {"E06000017"}


def test_tidy_takes_the_period_from_a_year_column() -> None:
    table = pd.DataFrame({"Year": [2012, 2013], "Rutland (0-17)": [7866, 7919]})
    tidy = downloads.tidy(table, "Trend", "DfE populations, 2012-2013")
    assert list(tidy["period"]) == ["2012", "2013"]
    assert list(tidy["unit"]) == ["persons", "persons"]


@pytest.mark.parametrize(
    ("source", "period"),
    [
        ("ONS mid-year population estimates, mid-2020 (single year of age)", "mid-2020"),
        ("ONS 2018-based subnational population projections (principal), 2024-2029", "2024-2029"),
        ("IoD 2019; ONS LSOA estimates, mid-2019 and mid-2020", "mid-2019 and mid-2020"),
        ("MHCLG English Indices of Deprivation 2019, File 11 (upper-tier summaries)", "2019"),
        ("needsbook open need model (modelled)", ""),
    ],
)
def test_source_period(source: str, period: str) -> None:
    assert downloads.source_period(source) == period


@pytest.mark.parametrize(
    ("measure", "unit"),
    [
        ("% aged 0-19", "percent"),
        ("Rate per 10,000 children", "rate per 10,000"),
        ("Worcestershire index (2012 = 100)", "index"),
        ("IMD rank", "rank"),
        ("0-19", "number"),
        ("Population", "persons"),
    ],
)
def test_unit_of(measure: str, unit: str) -> None:
    assert downloads.unit_of(measure) == unit


def test_written_csv_is_safe_from_formula_injection(tmp_path: Path) -> None:
    s = section()
    path = downloads.write_section(s.table, s.title, s.source, "E06000017", 2024, tmp_path)
    assert path is not None and path.name == "E06000017-children-by-age-a-test.csv"
    data = path.read_bytes()
    assert unsafe_cells(data) == []
    text = data.decode()
    assert "'=HYPERLINK" in text and "'@SUM(A1)" in text
    assert ",-1.5," in text  # negative numbers stay numbers


def test_two_sections_with_one_title_but_different_data_are_an_error(tmp_path: Path) -> None:
    s = section()
    downloads.write_section(s.table, s.title, s.source, "E1", 2024, tmp_path)
    downloads.write_section(s.table, s.title, s.source, "E1", 2024, tmp_path)  # same: fine
    with pytest.raises(ValueError, match="distinct titles"):
        downloads.write_section(s.table.head(1), s.title, s.source, "E1", 2024, tmp_path)


def test_show_writes_the_csv_and_links_to_it_relatively(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    s = section(title="Where Rutland is")
    display._current.clear()
    display._current.update(area_code="E06000017", year=2024)
    display.show(s)  # no downloads folder given (nbval, plain papermill): link only
    assert not any(tmp_path.iterdir())
    display.setup(str(tmp_path / "downloads"))  # the notebook's downloads_dir parameter
    display._current.update(area_code="E06000017", year=2024)
    display.show(s)
    written = tmp_path / "downloads" / "E06000017-where-rutland-is.csv"
    assert written.is_file()
    link = display.download_link_html(s, "E06000017")
    assert "href='../downloads/E06000017-where-rutland-is.csv'" in link
    assert str(tmp_path) not in link  # relative, no absolute path in notebook output
    display._current.clear()


def test_publish_copies_csvs_and_writes_a_reproducible_zip(tmp_path: Path) -> None:
    staged = tmp_path / "staged"
    s = section()
    downloads.write_section(s.table, s.title, s.source, "E06000017", 2024, staged)
    nb = tmp_path / "01_population.ipynb"
    nb.write_text(json.dumps({"cells": [], "nbformat": 4, "nbformat_minor": 5, "metadata": {}}))
    html = tmp_path / "html"
    out = downloads.publish(staged, html, [nb], "E06000017", "Rutland", 2024)
    assert out == html / "downloads" / "E06000017-data.zip"
    first = out.read_bytes()
    with zipfile.ZipFile(out) as zf:
        names = zf.namelist()
        readme = zf.read("README.txt").decode()
    assert names == [
        "README.txt",
        "data/E06000017-children-by-age-a-test.csv",
        "notebooks/01_population.ipynb",
    ]
    assert "Rutland (E06000017)" in readme and "Children by age: a test" in readme
    assert (html / "downloads" / "E06000017-children-by-age-a-test.csv").is_file()
    again = downloads.publish(staged, tmp_path / "html2", [nb], "E06000017", "Rutland", 2024)
    assert again.read_bytes() == first  # fixed entry dates: same content, same bytes


def test_links_in_finds_relative_download_links() -> None:
    page = (
        "<a href='../downloads/E1-a.csv' download>x</a>"
        '<a href="../downloads/E1-data.zip">y</a><a href="other.html">z</a>'
    )
    assert downloads.links_in(page) == ["E1-a.csv", "E1-data.zip"]


@pytest.mark.slow
def test_built_book_offers_every_section_as_csv_and_a_zip(books: Books) -> None:
    out = books / "E06000017"
    folder = out / "downloads"
    zip_path = folder / "E06000017-data.zip"
    assert zip_path.is_file()
    for chapter in CHAPTERS:
        page = (out / chapter.html).read_text()
        links = downloads.links_in(page)
        n_tables = page.count("class='needsbook-table'") + page.count('class="needsbook-table"')
        assert "E06000017-data.zip" in links, chapter.slug
        assert "needsbook-layout.css" in page, chapter.slug  # the book's stylesheet
        assert len([x for x in links if x.endswith(".csv")]) >= n_tables > 0, chapter.slug
        for name in links:
            assert (folder / name).is_file(), name
    csvs = sorted(folder.glob("*.csv"))
    assert csvs
    with zipfile.ZipFile(zip_path) as zf:
        names = set(zf.namelist())
        for path in csvs:
            assert f"data/{path.name}" in names
            assert unsafe_cells(zf.read(f"data/{path.name}")) == [], path.name
    assert {f"notebooks/{c.slug}.ipynb" for c in CHAPTERS} <= names
    with zipfile.ZipFile(zip_path) as zf:
        readme = zf.read("README.txt").decode()
    untidy_files: dict[str, str] = {}
    for path in csvs:
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
        assert {"area_code", "section", "measure", "value", "unit", "period", "source"} <= set(
            df.columns
        ), path.name
        assert (df["source"].str.len() > 0).all(), path.name
        if problems := untidy(df):  # one row per observation, each naming its one source
            untidy_files[path.name] = "; ".join(problems)
        block = readme.split(f"- data/{path.name}:", 1)[1].split("\n- ", 1)[0]
        assert [c for c in df.columns if f"    {c}: " not in block] == [], path.name
    assert untidy_files == {}, "\n".join(f"{k}: {v}" for k, v in untidy_files.items())
    sources = (out / "book" / "data-sources.html").read_text()
    assert "../downloads/E06000017-data.zip" in sources


@pytest.mark.slow
def test_batch_warm_kernel_gives_the_same_data_and_names_a_failing_cell(
    tmp_path: Path, data_copy: Path, books: Books
) -> None:
    """Batch workers run notebooks in one warm kernel (the test books are built so): the same
    CSVs as a build with a fresh kernel per notebook, and a failure is reported like
    papermill's (notebook, cell), without stopping the batch."""
    import shutil

    from needsbook.build import BuildOptions, build_area
    from needsbook.build.batch import build_many

    single = tmp_path / "single"
    opts = BuildOptions(area="E06000017", out=single, quiet=True, validate=False)
    build_area(replace(opts, warm_kernel=False, in_process_book=False))
    batch = books / "E06000017" / "downloads"
    names = sorted(p.name for p in (single / "downloads").glob("*.csv"))
    assert names == sorted(p.name for p in batch.glob("*.csv"))
    for name in names:
        assert (single / "downloads" / name).read_bytes() == (batch / name).read_bytes(), name
    worcs = {p.name for p in (books / "E10000034" / "downloads").glob("*.csv")}
    assert worcs and all(n.startswith("E10000034-") for n in worcs)

    # the snapshot's national tables still hold (its MANIFEST is unchanged): only the
    # chapter that reads the missing table fails
    shutil.copytree(ROOT / "data" / "national", data_copy / "national")
    (data_copy / "snapshot" / "population_projections.parquet").unlink()
    failed = build_many(
        ["E06000017"],
        BuildOptions(area="", quiet=True, data_dir=data_copy, validate=False),
        out_root=tmp_path / "broken",
    )
    assert failed[0].status == "failed"
    assert "notebook 01_population.ipynb failed in cell" in failed[0].reason
    assert not (tmp_path / "broken" / "E06000017").exists()


@pytest.mark.parametrize("shift", [0, 10], ids=["as-published", "recent"])
def test_services_chapter_with_local_data_gives_one_source_per_row(
    shift: int, tmp_path: Path
) -> None:
    """Every section of the services chapter built with the worked example (as published,
    the example book's data; and moved to recent periods, the council's own sources) gives a
    download whose rows each name one source, with no repeated rows."""
    from needsbook.chapters import services
    from needsbook.local import example_dir
    from tests.local.shift import shift_folder

    folder = shift_folder(example_dir(), tmp_path / "E10000034", shift) if shift else example_dir()
    year = 2025 if shift else 2017
    chapter = services.build("E10000034", year, None, folder)
    assert chapter.has_local
    problems = {}
    for s in chapter.sections:
        if isinstance(s.table, pd.DataFrame) and not s.table.empty:
            tidy = downloads.tidy(s.table, s.title, s.source, "E10000034", year)
            if found := untidy(tidy):
                problems[s.key] = "; ".join(found)
    assert problems == {}


def test_tidy_gives_each_row_its_own_source_from_a_source_column() -> None:
    table = pd.DataFrame(
        {
            "Measure": ["Children in need", "Children looked after"],
            "Unit": ["per 10,000 aged 0-17", "%"],
            "Period": ["2024/25", "2025"],
            "Value": [302.9, 0.9],
            "95% CI lower": [290.1, 0.8],
            "Source": ["DfE Characteristics of children in need", "DfE Children looked after"],
        }
    )
    tidy = downloads.tidy(table, "Demand", "DfE CIN; DfE CLA", "E1")
    assert list(tidy.columns) == [
        "area_code",
        "section",
        "Measure (table)",  # not two columns called measure
        "measure",
        "value",
        "unit",
        "period",
        "source",
    ]
    cin = tidy[tidy["Measure (table)"] == "Children in need"]
    assert set(cin["source"]) == {"DfE Characteristics of children in need"}
    assert set(cin["unit"]) == {"per 10,000 aged 0-17"}  # the row's unit, also for its CI
    assert set(cin["period"]) == {"2024/25"}
    assert set(tidy.loc[tidy["Measure (table)"] == "Children looked after", "unit"]) == {"percent"}


def test_tidy_takes_an_indicators_source_from_the_catalogue() -> None:
    from needsbook.outcomes.catalogue import load_catalogue

    used = load_catalogue().for_use("outcomes")
    first = used[0]
    other = next(i for i in used if i.source != first.source)
    table = pd.DataFrame({"Indicator": [first.name, other.name], "Value": [1.0, 2.0]})
    tidy = downloads.tidy(table, "Outcomes", f"{first.source}; {other.source}")
    assert dict(zip(tidy["Indicator"], tidy["source"], strict=True)) == {
        first.name: first.source,
        other.name: other.source,
    }


def test_tidy_names_the_dataset_each_measure_comes_from() -> None:
    table = pd.DataFrame(
        {
            "IMD 2019 decile (1 = most deprived)": [1, 2, 3],
            "Children aged 0-17": [7888, 11287, 9000],
            "Modelled children needing preventive help": [3000.5, 3500.0, 2000.0],
            "% if spread evenly across deciles": [10.0, 10.0, 10.0],
        }
    )
    source = (
        "English Indices of Deprivation 2019 (MHCLG), LSOA 2011; ONS mid-year population "
        "estimates for LSOAs, mid-2020; needsbook open need model (modelled)"
    )
    tidy = downloads.tidy(table, "Deciles", source)
    # the decile is a key of each row, not a measure: every value says which decile it is for
    assert "IMD 2019 decile (1 = most deprived)" in tidy.columns
    assert set(tidy["measure"]) == {
        "Children aged 0-17",
        "Modelled children needing preventive help",
        "% if spread evenly across deciles",
    }
    by_measure = tidy.groupby("measure")["source"].agg(set).to_dict()
    assert by_measure["Children aged 0-17"] == {
        "ONS mid-year population estimates for LSOAs, mid-2020"
    }
    assert by_measure["Modelled children needing preventive help"] == {
        "needsbook open need model (modelled)"
    }
    assert by_measure["% if spread evenly across deciles"] == {
        "English Indices of Deprivation 2019 (MHCLG), LSOA 2011"
    }
    assert not tidy.duplicated().any()


def test_tidy_drops_repeated_rows() -> None:
    table = pd.DataFrame({"Area": ["A", "A", "B"], "Children": [5, 5, 7]})
    tidy = downloads.tidy(table, "Repeats", "ONS mid-year population estimates, mid-2020")
    assert len(tidy) == 2 and not tidy.duplicated().any()


def test_declared_sources_win() -> None:
    table = pd.DataFrame({"Area": ["A"], "Children": [5], "Modelled need": [1.5]})
    table.attrs["sources"] = {"Modelled need": "the need model"}
    tidy = downloads.tidy(table, "Declared", f"{ONS}; the need model")
    assert dict(zip(tidy["measure"], tidy["source"], strict=True)) == {
        "Children": ONS,
        "Modelled need": "the need model",
    }


@pytest.mark.parametrize(
    ("source", "parts"),
    [
        ("A; B", ["A", "B"]),
        (
            "Service model (schedule; review 2009-2015); local data",
            ["Service model (schedule; review 2009-2015)", "local data"],
        ),
        (
            "ONS boundaries, OGL v3; contains OS data (c) Crown copyright",
            ["ONS boundaries, OGL v3, contains OS data (c) Crown copyright"],
        ),
    ],
)
def test_split_sources(source: str, parts: list[str]) -> None:
    assert split(source) == parts


def test_readme_describes_every_column_of_every_csv(tmp_path: Path) -> None:
    staged = tmp_path / "staged"
    s = section()
    downloads.write_section(s.table, s.title, s.source, "E06000017", 2024, staged)
    out = downloads.publish(staged, tmp_path / "html", [], "E06000017", "Rutland", 2024)
    with zipfile.ZipFile(out) as zf:
        readme = zf.read("README.txt").decode()
        for name in (n for n in zf.namelist() if n.endswith(".csv")):
            header = next(csv.reader(io.StringIO(zf.read(name).decode())))
            block = readme.split(f"- {name}:", 1)[1].split("\n- ", 1)[0]
            for column in header:
                assert f"    {column}: " in block, (name, column)
    assert "unit: persons" in readme or "(unit: " in readme


def test_readme_counts_rows_and_lists_sources_as_pandas_reads_them(tmp_path: Path) -> None:
    path = tmp_path / "E06000017-odd.csv"
    path.write_text(
        "area_code,section,measure,value,source\n"
        'E06000017,"Odd, quoted",a,1,ONS\n'
        'E06000017,"Odd, quoted",b,,"Two\nlines"\n'
        'E06000017,"Odd, quoted",\'=c,NA,ONS\n',
        encoding="utf-8",
    )
    header, rows = downloads._read_text(path)
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert header == list(df.columns) and rows == df.values.tolist()
    readme = downloads._readme("E06000017", "Rutland", 2024, [path], [])
    assert "- data/E06000017-odd.csv: Odd, quoted (3 rows)" in readme
    assert "  Sources: ONS | Two\nlines" in readme
