"""`needsbook fetch`: partial failures, the fetch record, the cache, and bad input."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from needsbook.cli import main

from .conftest import SNAPSHOT, Routes

DATA_DIR = str(SNAPSHOT.parent)
DATA = "/api/all_data/csv/by_indicator_id"


def fetch(cache: Path, *args: str) -> int:
    return main(["fetch", "--cache-dir", str(cache), "--data-dir", DATA_DIR, *args])


def test_partial_failure_keeps_the_successes_and_names_each_failure(
    routes: Routes, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cache = tmp_path / "cache"
    assert fetch(cache, "--indicators", "90284,90813", "93563") == 1
    out, err = capsys.readouterr()
    assert "ok      ft:90284" in out and "[downloaded, 2 requests]" in out
    # 90813 (a directly standardised rate) has metadata but no recorded data here: a 404
    assert "FAILED  ft:90813               OHID Fingertips, ft:90813: HTTP 404" in out
    assert "FAILED  ft:93563" in out and "no data for Counties & UAs" in out
    assert (
        "URL: https://fingertips.phe.org.uk/api/all_data/csv/by_indicator_id?indicator_ids=93563"
        in out
    )
    assert "1 of 3 items fetched into" in err
    assert "needsbook: error: needsbook fetch: 2 of 3 items failed: ft:90813, ft:93563" in err
    record = json.loads((cache / "fetched.json").read_text())
    assert list(record["items"]) == ["ft:90284"]
    assert sorted(record["failed"]) == ["ft:90813", "ft:93563"]
    assert record["items"]["ft:90284"]["urls"][-1].endswith(
        "by_indicator_id?indicator_ids=90284&child_area_type_id=502&parent_area_type_id=6"
    )
    assert (cache / ".gitignore").read_text().endswith("*\n")


def test_second_fetch_is_served_from_the_cache(
    routes: Routes, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cache = tmp_path / "cache"
    assert fetch(cache, "--indicators", "90284") == 0
    assert fetch(cache, "--indicators", "90284") == 0
    assert "ok      ft:90284" in capsys.readouterr().out.splitlines()[-1]
    assert routes.count(DATA) == 1
    assert fetch(cache, "--indicators", "90284", "--max-age", "0") == 0
    assert routes.count(DATA) == 2


def test_failed_refresh_keeps_the_previous_download(
    routes: Routes, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cache = tmp_path / "cache"
    assert fetch(cache, "--indicators", "90284") == 0
    first = json.loads((cache / "fetched.json").read_text())["items"]["ft:90284"]
    bodies = {p: p.read_bytes() for p in cache.rglob("*.body")}
    routes.add(DATA, httpx.Response(500), indicator_ids="90284")
    assert fetch(cache, "--indicators", "90284", "--refresh") == 1
    out = capsys.readouterr().out
    assert "FAILED  ft:90284" in out and "gave up after 3 attempts: HTTP 500" in out
    record = json.loads((cache / "fetched.json").read_text())
    assert record["items"]["ft:90284"] == first
    assert "HTTP 500" in record["failed"]["ft:90284"]["error"]
    assert {p: p.read_bytes() for p in cache.rglob("*.body")} == bodies


def test_list(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fetch", "--list"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("ft:90284\tOHID Fingertips API\t") and out[0].endswith("id checked")
    assert any(line.startswith("ft:hv_2_years\t") for line in out)
    assert any(line.startswith("ees:cla\tDfE explore-education-statistics API\t") for line in out)
    assert any(
        line.startswith("ft:ae_0_4\t") and line.endswith("id looked up by name") for line in out
    )
    assert any(line.startswith("ons:mye\tONS population statistics (Nomis API)\t") for line in out)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--indicators", "ees:nope"], "unknown indicator 'ees:nope': use a Fingertips id"),
        (["--sources", "nhs"], "unknown source(s) nhs: choose from fingertips, ees, ons"),
        (["--sources", "ons", "--indicators", "90284"], "select nothing together"),
        (["--data-set", "ees:cla"], "--data-set wants KEY=ID"),
        (["--max-age", "-1"], "--max-age must be zero or more hours"),
    ],
)
def test_bad_input_is_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert fetch(tmp_path / "cache", *args) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "cache" / "fetched.json").exists()
