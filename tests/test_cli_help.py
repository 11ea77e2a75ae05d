"""`needsbook COMMAND --help`: every command says what it does, shows examples that parse,
states the data years where it takes --year, and lists its exit codes from the one table."""

from __future__ import annotations

import argparse
import shlex
import subprocess
import sys

import pytest

from needsbook.areas import resolve_area
from needsbook.cli import main, parser
from needsbook.cli_help import COMMANDS, EXIT_CODES
from needsbook.errors import BuildError, InputError, NeedsbookError, ValidationFailedError
from needsbook.years import EMBEDDED_YEARS, available_years


def subcommands() -> dict[str, argparse.ArgumentParser]:
    action = next(a for a in parser()._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def help_text(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    with pytest.raises(SystemExit) as exit_:
        main([*args, "--help"])
    assert exit_.value.code == 0
    return capsys.readouterr().out


def takes_year(sub: argparse.ArgumentParser) -> bool:
    return any("--year" in a.option_strings for a in sub._actions)


def test_every_command_has_its_help_entry() -> None:
    assert set(subcommands()) == set(COMMANDS)
    assert {"areas", "build", "validate", "snapshot", "local-template", "fetch", "export"} < set(
        COMMANDS
    )


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_help_has_description_examples_and_exit_codes(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    text = help_text(capsys, command)
    description = text.split("\n\n")[1]
    assert description.startswith(COMMANDS[command].description[:40])
    assert description.rstrip().endswith(".")
    examples = text.split("examples:\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert len(examples) >= 2
    assert all(e.startswith(("  needsbook ", "  cd ")) for e in examples), examples
    codes = text.split("exit codes:\n", 1)[1]
    listed = [int(line.split()[0]) for line in codes.splitlines() if line[:3].strip().isdigit()]
    assert listed[0] == 0 and {1, 2, 130} <= set(listed)
    for code in listed:
        assert f"  {code:<5}{EXIT_CODES[code].split()[0]}" in codes
    if command in ("build", "validate", "snapshot"):
        assert 3 in listed
    assert (4 in listed) == (command == "build")
    assert ("Data years:" in text) == takes_year(subcommands()[command])


def test_year_range_is_stated_where_year_is_an_option(capsys: pytest.CaptureFixture[str]) -> None:
    first, last = EMBEDDED_YEARS
    for command in ("build", "export"):
        text = " ".join(help_text(capsys, command).split())
        assert f"Data years: {first}-{last} in the embedded snapshot" in text
        assert f"the default is the latest, {last}" in text


def test_the_stated_years_are_the_snapshots() -> None:
    assert available_years(resolve_area("Worcestershire")) == list(
        range(EMBEDDED_YEARS[0], EMBEDDED_YEARS[1] + 1)
    )


def test_exit_codes_are_the_ones_the_errors_set() -> None:
    from needsbook.build import interrupts

    assert sorted(EXIT_CODES) == sorted(
        {
            0,
            NeedsbookError.exit_code,
            InputError.exit_code,
            ValidationFailedError.exit_code,
            BuildError.exit_code,
            interrupts.EXIT_CODE,
        }
    )
    assert EXIT_CODES[3].startswith("data validation failed")
    assert EXIT_CODES[2].startswith("bad input")


def test_top_level_help_lists_commands_and_all_exit_codes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    text = help_text(capsys)
    for command in COMMANDS:
        assert f"    {command}" in text
    assert "exit codes:" in text and "  130  interrupted" in text and "  4    a pipeline" in text


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_examples_parse(command: str) -> None:
    """Every example is a valid command line (pipes and `cd` steps aside)."""
    for example in COMMANDS[command].examples:
        for step in example.split("#")[0].split("&&"):
            words = shlex.split(step.split("|")[0])
            if words and words[0] == "needsbook":
                args = parser().parse_args(words[1:])
                assert args.command == words[1]


def test_help_lines_fit_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    for command in COMMANDS:
        for line in help_text(capsys, command).splitlines():
            if not line.startswith("usage:"):
                assert len(line) <= 80, line


def test_help_is_quick_it_loads_no_data_libraries() -> None:
    code = "import sys, needsbook.cli; print(sorted({'pandas', 'pyarrow'} & set(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


def test_build_help_explains_years_and_the_cluster(capsys: pytest.CaptureFixture[str]) -> None:
    text = " ".join(help_text(capsys, "build").split())
    assert "[--year YEAR | --years YEARS]" in text  # one or the other
    assert "--years YEARS build each area for each of these data years" in text
    assert "e.g. 2023,2024 or 2021-2024" in text
    assert "--scheduler ADDRESS the Dask scheduler's address, e.g. tcp://host:8786" in text
    assert "--shared-out with --scheduler: the workers write the books straight into --out" in text
    assert "books per minute and each worker's peak memory" in text
