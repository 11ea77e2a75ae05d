"""Books kept by area and data year (``<root>/<code>/<year>/``): what an area folder may hold,
moving a book published before years were kept apart into its year folder without losing a
byte, and the pages rewritten after a build into that layout. Fake stamped books: no build."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from needsbook.areas import resolve_area
from needsbook.build import BuildOptions, build_area, outdir, pipeline
from needsbook.build.batch import _check_targets, build_many
from needsbook.build.fingerprint import STAMP, book_files
from needsbook.errors import InputError
from needsbook.years import resolve_year

RUTLAND = "E06000017"
AREA_PAGE = '<meta name="generator" content="needsbook 0.1.0">'


def fake_book(
    folder: Path, code: str = RUTLAND, year: int | None = 2024, text: str = "old book"
) -> Path:
    """A folder shaped like a finished book, with a stamp listing its files."""
    (folder / "book").mkdir(parents=True)
    (folder / "index.html").write_text(text)
    (folder / "book" / "intro.html").write_text(text)
    stamp = {"fingerprint": "k", "area_code": code, "needsbook": "0.1.0"}
    if year is not None:
        stamp["year"] = year
    (folder / STAMP).write_text(json.dumps({**stamp, "files": book_files(folder)}))
    return folder


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def staged_html(tmp_path: Path, year: int = 2024) -> Path:
    html = tmp_path / "staging" / "html"
    html.mkdir(parents=True)
    (html / "index.html").write_text(f"new book {year}")
    stamp = {"area_code": RUTLAND, "year": year, "files": ["index.html"]}
    (html / STAMP).write_text(json.dumps(stamp))
    return html


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


# --- what an area folder may hold ----------------------------------------------------------


def test_an_area_folder_of_year_books_and_its_page_is_ours(tmp_path: Path) -> None:
    area = tmp_path / RUTLAND
    assert outdir.area_state(area) == ("new", "")
    fake_book(area / "2023", year=2023)
    fake_book(area / "2024")
    (area / "index.html").write_text(AREA_PAGE)
    (area / f".2025.incoming-{dead_pid()}").mkdir()  # a publish under way (or killed)
    assert outdir.area_state(area) == ("ours", "")
    assert [p.name for p in outdir.year_books(area)] == ["2024", "2023"]  # latest first
    assert outdir.site_state(tmp_path) == ("ours", "")  # a batch root may hold area folders


@pytest.mark.parametrize(
    ("make", "named"),
    [
        (lambda a: (a / "notes.txt").write_text("mine"), "notes.txt"),
        (lambda a: (a / "index.html").write_text("<p>our team's page</p>"), "index.html"),
        (lambda a: (a / "2025").mkdir(), "2025"),  # a year folder holding no book
        (lambda a: (a / "drafts").mkdir(), "drafts"),
    ],
)
def test_anything_else_in_an_area_folder_is_foreign(tmp_path: Path, make, named: str) -> None:
    area = tmp_path / RUTLAND
    fake_book(area / "2024")
    make(area)
    before = tree(tmp_path)
    state, reason = outdir.area_state(area)
    assert state == "foreign" and named in reason
    with pytest.raises(InputError, match="--force") as exc:
        outdir.check_area(area, 2025)
    assert named in str(exc.value)
    assert outdir.check_area(area, 2025, force=True) == "foreign"  # published beside them
    assert tree(tmp_path) == before  # nothing moved, changed or deleted


def test_a_root_holding_other_folders_is_still_refused(tmp_path: Path) -> None:
    fake_book(tmp_path / RUTLAND / "2024")
    (tmp_path / "photos").mkdir()
    state, reason = outdir.site_state(tmp_path)
    assert state == "foreign" and "photos" in reason


def test_an_explicit_out_naming_an_area_folder_is_refused_even_with_force(
    tmp_path: Path,
) -> None:
    area = tmp_path / RUTLAND
    fake_book(area / "2023", year=2023)
    fake_book(area / "2024")
    state, reason = outdir.book_state(area)
    assert state == "area" and "2023, 2024" in reason
    before = tree(tmp_path)
    for force in (False, True):
        with pytest.raises(InputError, match=r"is an area folder.*2023, 2024.*year folder"):
            outdir.book_target(area, force=force)
    assert tree(tmp_path) == before


def test_a_folder_that_became_an_area_folder_during_the_build_is_not_replaced(
    tmp_path: Path,
) -> None:
    out = tmp_path / RUTLAND
    target = outdir.book_target(out)  # new when the build starts ...
    fake_book(out / "2023", year=2023)  # ... an area folder when it ends
    before = tree(tmp_path)
    with pytest.raises(InputError, match="became an area folder"):
        outdir.publish(staged_html(tmp_path / "x"), target, force=True)
    assert tree(out) == {k.removeprefix(f"{RUTLAND}/"): v for k, v in before.items()}
    assert sorted(p.name for p in tmp_path.iterdir()) == [RUTLAND, "x"]


def test_an_area_folder_that_is_a_file_is_refused_even_with_force(tmp_path: Path) -> None:
    (tmp_path / RUTLAND).write_text("a report")
    for force in (False, True):
        with pytest.raises(InputError, match="is a file"):
            outdir.check_area(tmp_path / RUTLAND, 2024, force=force)
    assert (tmp_path / RUTLAND).read_text() == "a report"


def test_publishing_a_year_keeps_every_other_year(tmp_path: Path) -> None:
    area = tmp_path / RUTLAND
    fake_book(area / "2023", year=2023)
    before = tree(area / "2023")
    target = outdir.area_book_target(area / "2024")
    assert target.state == "new"
    outdir.publish(staged_html(tmp_path), target)
    assert (area / "2024" / "index.html").read_text() == "new book 2024"
    assert tree(area / "2023") == before
    assert sorted(p.name for p in area.iterdir()) == ["2023", "2024"]


# --- a book published before years were kept apart ------------------------------------------


def legacy_site(tmp_path: Path, year: int | None = 2023) -> tuple[Path, dict[str, bytes]]:
    """A root with a book published directly in its area folder, plus a file of the user's
    inside that book; returns the area folder and its files."""
    area = fake_book(tmp_path / "site" / RUTLAND, year=year)
    (area / "my-notes.txt").write_text("kept with the book")
    return area, tree(area)


def test_a_legacy_book_is_moved_whole_into_its_year_before_another_year_is_published(
    tmp_path: Path,
) -> None:
    area, before = legacy_site(tmp_path)
    assert outdir.area_state(area)[0] == "legacy"
    target = outdir.area_book_target(area / "2024")
    assert target.state == "new"
    assert tree(area / "2023") == before  # every file, byte for byte, under 2023/
    assert sorted(p.name for p in area.iterdir()) == ["2023"]
    assert sorted(p.name for p in area.parent.iterdir()) == [RUTLAND]  # nothing left beside it
    outdir.publish(staged_html(tmp_path), target)
    assert tree(area / "2023") == before
    assert (area / "2024" / "index.html").read_text() == "new book 2024"


def test_a_legacy_book_of_the_year_being_built_becomes_that_year_book(tmp_path: Path) -> None:
    area, before = legacy_site(tmp_path, year=2024)
    (area / "my-notes.txt").unlink()  # a book exactly as needsbook wrote it
    before.pop("my-notes.txt")
    target = outdir.area_book_target(area / "2024")
    assert target.state == "ours"  # replaced by the new build of that year
    assert tree(area / "2024") == before


def test_a_legacy_book_of_the_same_year_with_files_of_the_user_needs_force(
    tmp_path: Path,
) -> None:
    area, before = legacy_site(tmp_path, year=2024)
    with pytest.raises(InputError, match=r"my-notes\.txt"):
        outdir.area_book_target(area / "2024")
    assert tree(area) == before  # refused before anything was moved


def test_a_legacy_book_without_a_year_is_refused_and_left_as_it_is(tmp_path: Path) -> None:
    area, before = legacy_site(tmp_path, year=None)
    for force in (False, True):
        with pytest.raises(InputError, match="does not record its data year"):
            outdir.area_book_target(area / "2024", force=force)
    assert tree(area) == before


def test_a_killed_migration_is_put_back_and_never_deleted(tmp_path: Path) -> None:
    area = tmp_path / RUTLAND
    aside = tmp_path / f".{RUTLAND}.migrating-{dead_pid()}"
    fake_book(aside / "2023", year=2023)  # killed between the two renames
    before = tree(aside)
    outdir.sweep_siblings(area)
    assert tree(area) == before and not aside.exists()
    # a second leftover while the area folder exists again: kept for the user to look at
    other = tmp_path / f".{RUTLAND}.migrating-{dead_pid()}"
    fake_book(other / "2022", year=2022)
    outdir.sweep_siblings(area)
    assert (other / "2022" / "index.html").read_text() == "old book"
    assert outdir.site_state(tmp_path) == ("ours", "")  # a temporary name, not foreign
    empty = tmp_path / f".{RUTLAND}.migrating-{dead_pid()}"
    empty.mkdir()  # killed before the book was moved
    outdir.sweep_siblings(area)
    assert not empty.exists()


def test_a_batch_refuses_every_bad_folder_before_moving_any_book(tmp_path: Path) -> None:
    root = tmp_path / "site"
    area, before = legacy_site(tmp_path)
    fake_book(root / "E10000034" / "2023", code="E10000034", year=2023)
    (root / "E10000034" / "notes.txt").write_text("mine")
    with pytest.raises(InputError, match=r"E10000034: .*notes.txt"):
        _check_targets({RUTLAND: 2024, "E10000034": 2024}, BuildOptions(area=""), root)
    assert tree(area) == before  # Rutland's book was not moved: nothing is built
    _check_targets({RUTLAND: 2024}, BuildOptions(area=""), root)
    assert tree(area / "2023") == before


# --- builds into the layout: the legacy book moved, the pages rewritten ---------------------


@pytest.fixture
def unchanged(monkeypatch: pytest.MonkeyPatch) -> int:
    """Every build finds its book unchanged (fingerprint "k", as :func:`fake_book` stamps):
    the build is skipped, so the layout and page steps run without executing a chapter."""
    monkeypatch.setattr(pipeline, "fingerprint", lambda *a, **k: "k")
    return resolve_year(None, resolve_area(RUTLAND))


def test_a_single_build_uses_the_layout_and_rewrites_the_pages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, unchanged: int
) -> None:
    year = unchanged
    root = tmp_path / "html"
    monkeypatch.setattr(pipeline, "default_root", lambda: root)
    fake_book(root / RUTLAND, year=year)  # published before years were kept apart
    messages: list[str] = []
    result = build_area(BuildOptions(area="Rutland"), report=messages.append)
    assert result.skipped and result.out == root / RUTLAND / str(year)
    assert (result.out / "index.html").read_text() == "old book"
    page = (root / RUTLAND / "index.html").read_text()
    assert outdir.is_landing(root / RUTLAND / "index.html")
    assert f'href="{year}/index.html"' in page
    landing = (root / "index.html").read_text()
    assert f'href="{RUTLAND}/{year}/index.html"' in landing
    assert f'href="{RUTLAND}/index.html">Rutland</a>' in landing
    assert not [m for m in messages if m.startswith("warning")]


def test_an_explicit_out_is_the_book_folder_and_writes_no_pages(
    tmp_path: Path, unchanged: int
) -> None:
    out = fake_book(tmp_path / "rutland", year=unchanged)
    result = build_area(BuildOptions(area="Rutland", out=out, quiet=True))
    assert result.skipped and result.out == out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rutland"]  # no area or landing page


def test_a_batch_moves_a_legacy_book_and_rewrites_the_pages(tmp_path: Path, unchanged: int) -> None:
    year = unchanged
    root = tmp_path / "site"
    fake_book(root / RUTLAND, year=year)
    (root / "index.html").write_text(AREA_PAGE)  # an earlier landing page
    before = tree(root / RUTLAND)
    written = []
    outcomes = build_many(
        ["Rutland"],
        BuildOptions(area="", quiet=True, validate=False),
        out_root=root,
        on_pages=written.append,
    )
    assert [(o.status, o.out) for o in outcomes] == [("skipped", str(root / RUTLAND / str(year)))]
    assert tree(root / RUTLAND / str(year)) == before
    (pages,) = written
    assert pages.landing == root / "index.html" and pages.warnings == []
    assert pages.area_pages == {RUTLAND: root / RUTLAND / "index.html"}
    assert f'href="{RUTLAND}/{year}/index.html">{year}</a>' in pages.landing.read_text()


def test_a_page_needsbook_did_not_write_is_left_alone_with_a_warning(
    tmp_path: Path, unchanged: int
) -> None:
    from needsbook.site.pages import refresh_pages

    root = tmp_path / "site"
    fake_book(root / RUTLAND / str(unchanged), year=unchanged)
    (root / RUTLAND / "index.html").write_text("<p>our own page</p>")
    with pytest.raises(InputError, match=r"index\.html"):  # refused before anything is built
        build_many(["Rutland"], BuildOptions(area="", quiet=True, validate=False), out_root=root)
    pages = refresh_pages(root, [RUTLAND])  # as after a build with --force
    assert (root / RUTLAND / "index.html").read_text() == "<p>our own page</p>"
    assert RUTLAND not in pages.area_pages
    assert len(pages.warnings) == 1 and "not written by needsbook" in pages.warnings[0]
    assert pages.landing is not None  # it links the year book instead of the area page
    assert f'href="{RUTLAND}/{unchanged}/index.html">Rutland</a>' in pages.landing.read_text()
