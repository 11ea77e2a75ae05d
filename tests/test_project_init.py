"""`needsbook init`: a council's project folder, and builds that take their settings from it.

Inside a project, `needsbook build` with no area builds the project's area; `year` applies to
every build there, `local_dir` and `comparators` only to the project's own area; options on the
command line win.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from unittest import mock

import pytest

from needsbook.build import BuildOptions
from needsbook.build.chapters import CHAPTERS
from needsbook.cli import main
from needsbook.local import TEMPLATES, write_templates
from needsbook.local.write import readme_name
from needsbook.project import load_config
from tests.books import Books

ROOT = Path(__file__).resolve().parents[1]


def files(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): p.read_text() for p in folder.rglob("*") if p.is_file()}


def test_init_writes_settings_templates_readme_and_gitignore(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "rutland-jsna"
    assert main(["init", str(folder), "--area", "Rutland"]) == 0
    assert "created the project" in capsys.readouterr().out
    written = files(folder)
    expected = {"needsbook.toml", "README.md", ".gitignore", "local/README.md"}
    expected |= {f"local/{t.file}" for t in TEMPLATES.values()}
    expected |= {f"local/{readme_name(t.name)}" for t in TEMPLATES.values()}
    expected |= {c.notebook for c in CHAPTERS}
    assert set(written) == expected

    config = load_config(folder / "needsbook.toml")
    assert (config.area, config.year, config.comparators) == ("E06000017", None, ())
    assert config.local_dir == (folder / "local").absolute()
    toml = written["needsbook.toml"]
    assert 'area = "E06000017"  # Rutland' in toml
    assert "# year = 2024" in toml and "# comparators = [" in toml
    assert written[".gitignore"].splitlines()[-1] == "_build/"

    readme = written["README.md"]
    for text in (
        "# Early-help needs assessment for Rutland (E06000017)",
        "needsbook validate --local-dir local",
        "`_build/html/E06000017/index.html`",
        "keep this repository\nprivate",
        "hides counts of 1-4",
        "Do not commit `_build/`",
        "pip install --upgrade",
    ):
        assert text in readme, text

    reference = tmp_path / "reference"
    write_templates("Rutland", reference)  # the same templates `local-template` writes
    assert {f"local/{k}": v for k, v in files(reference).items()} == {
        k: v for k, v in written.items() if k.startswith("local/")
    }


def test_init_without_an_area_writes_neutral_templates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "jsna"
    assert main(["init", str(folder)]) == 0
    assert load_config(folder / "needsbook.toml").area is None
    assert '# area = "E10000034"' in (folder / "needsbook.toml").read_text()
    assert (folder / "local" / "README.md").read_text().startswith("# Local service data\n")
    register = (folder / "local" / "children_centres_register.csv").read_text()
    header = ",".join(TEMPLATES["children_centres_register"].column_names)
    assert register == header + "\n"  # no districts pre-filled
    assert "First set your area in `needsbook.toml`" in (folder / "README.md").read_text()
    monkeypatch.chdir(folder)
    capsys.readouterr()
    assert main(["validate", "--local-dir", "local", "--area", "Worcestershire"]) == 0
    out = capsys.readouterr().out
    assert "valid: no template holds data yet; header only, so left out of the book" in out


def test_empty_templates_validate_inside_the_project(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["init", str(tmp_path / "p"), "--area", "Worcestershire"]) == 0
    monkeypatch.chdir(tmp_path / "p" / "local")  # anywhere inside the project
    capsys.readouterr()
    assert main(["validate", "--local-dir", "."]) == 0  # the area comes from needsbook.toml
    assert "valid: no template holds data yet" in capsys.readouterr().out


def test_init_into_a_git_clone_and_with_force(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    clone = tmp_path / "clone"
    (clone / ".git").mkdir(parents=True)
    assert main(["init", str(clone), "--area", "Rutland"]) == 0  # only .git: counts as empty
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "notes.md").write_text("ours")
    assert main(["init", str(repo), "--force"]) == 0
    assert (repo / "notes.md").read_text() == "ours"
    assert (repo / "needsbook.toml").is_file()


def captured_options(
    args: list[str], monkeypatch: pytest.MonkeyPatch, cwd: Path
) -> tuple[int, BuildOptions | None]:
    """Run ``needsbook build ARGS`` in ``cwd`` with the build itself replaced; return the exit
    code and the options the single build would have received."""
    monkeypatch.chdir(cwd)
    seen: list[BuildOptions] = []
    with mock.patch("needsbook.build.build_area", side_effect=lambda o, **_k: seen.append(o)):
        code = main(["build", "--quiet", *args])
    return code, (seen[0] if seen else None)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    folder = tmp_path / "rutland"
    assert main(["init", str(folder), "--area", "Rutland"]) == 0
    toml = folder / "needsbook.toml"
    text = toml.read_text().replace("# year = 2024", "year = 2022")
    toml.write_text(text.replace("# comparators = [", 'comparators = ["Leicestershire"] # ['))
    return folder


def test_build_in_a_project_takes_its_settings(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, opts = captured_options([], monkeypatch, project / "local")
    assert code == 0 and opts is not None
    assert (opts.area, opts.year, opts.comparators) == ("E06000017", 2022, ("Leicestershire",))
    assert opts.local_dir == (project / "local").absolute()
    assert opts.out is None  # the default: <project>/_build/html/E06000017


def test_command_line_options_override_the_settings(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = tmp_path / "other-local"
    other.mkdir()
    args = ["--year", "2023", "--comparators", "Lincolnshire", "--local-dir", str(other)]
    _, opts = captured_options(args, monkeypatch, project)
    assert opts is not None
    assert (opts.year, opts.comparators, opts.local_dir) == (2023, ("Lincolnshire",), other)
    _, same = captured_options(["--area", "rutland"], monkeypatch, project)  # the same area
    assert same is not None and same.local_dir == (project / "local").absolute()


def test_another_area_never_reads_the_projects_local_data(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, opts = captured_options(["--area", "Worcestershire"], monkeypatch, project)
    assert opts is not None
    assert (opts.area, opts.year, opts.local_dir, opts.comparators) == (
        "Worcestershire",
        2022,
        None,
        (),
    )
    monkeypatch.chdir(project)
    with mock.patch("needsbook.cli._build_batch", return_value=0) as batch:
        assert main(["build", "--areas", "Rutland,Worcestershire", "--quiet"]) == 0
    template = batch.call_args.args[1]
    assert (template.year, template.local_dir, template.comparators) == (2022, None, ())


def test_a_project_without_an_area_asks_for_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "p"
    assert main(["init", str(folder)]) == 0
    code, opts = captured_options([], monkeypatch, folder)
    assert code == 2 and opts is None
    assert f"set area in {folder / 'needsbook.toml'}" in capsys.readouterr().err
    _, opts = captured_options(["--area", "Rutland"], monkeypatch, folder)
    assert opts is not None and opts.local_dir == (folder / "local").absolute()


def test_outside_a_project_nothing_changes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _, opts = captured_options(["--area", "Rutland"], monkeypatch, tmp_path)
    assert opts is not None
    assert (opts.year, opts.local_dir, opts.comparators) == (None, None, ())


@pytest.mark.slow
def test_a_project_builds_the_book_its_settings_describe(
    books: Books,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A Worcestershire project holding the worked example as its local data describes the
    test book built with ``--local-dir data/examples/E10000034``: the build finds that book
    unchanged (same area, year, local data and code), so it is not rebuilt."""
    from tests.books import EXAMPLE, EXAMPLE_DATA

    folder = tmp_path / "worcs"
    assert main(["init", str(folder), "--area", "Worcestershire"]) == 0
    shutil.rmtree(folder / "local")
    shutil.copytree(EXAMPLE_DATA, folder / "local")
    out = tmp_path / "book"
    shutil.copytree(EXAMPLE / "E10000034", out)
    monkeypatch.chdir(folder)
    capsys.readouterr()
    assert main(["build", "--out", str(out)]) == 0
    assert "Unchanged since the last build" in capsys.readouterr().err
    assert not (folder / "_build").exists()


def test_init_writes_each_chapter_set_to_the_area_for_jupyterlab(tmp_path: Path) -> None:
    import json

    from needsbook.project import init_project

    init_project(tmp_path / "p", "Rutland")
    for chapter in CHAPTERS:
        nb = json.loads((tmp_path / "p" / chapter.notebook).read_text())
        (params,) = [c for c in nb["cells"] if "parameters" in c["metadata"].get("tags", [])]
        source = "".join(params["source"])
        assert 'area_code = "E06000017"  # Rutland' in source, chapter.slug
        assert 'local_dir = "../local"' in source
        assert 'target = "jupyter"' in source
