"""Rutland and Hackney build with filled local early help data.

Rutland has no neighbourhood in England's most deprived 40% and Hackney none in the least
deprived 40%, so the modelled need share of that group is 0 and no targeting ratio can exist.
Each area's folder is the `needsbook local-template` output with eha_assessments.csv filled
(All rows, providers, the district and quintile rows, 0 in the quintiles with no
neighbourhoods). The whole book is built once per area and session; the services and summary
pages must say the ratio is not applicable and why, and the rules must read it as no data.
"""

from __future__ import annotations

import csv
import html
import re
from pathlib import Path

import pandas as pd
import pytest

from needsbook.build import BuildOptions, build_area, downloads
from needsbook.build.chapters import CHAPTERS
from needsbook.cli import main
from needsbook.recommend.engine import service_holds
from needsbook.recommend.rules import Predicate
from needsbook.services.findings import NOT_APPLICABLE, service_findings

YEAR = 2024
PERIOD = "2024-25"
#: code: (name, quintile 1-5 assessments, the group with no neighbourhoods, its finding key)
AREAS = {
    "E06000017": ("Rutland", [0, 0, 120, 130, 170], "most", "most_deprived_40"),
    "E09000012": ("Hackney", [900, 1000, 150, 0, 0], "least", "least_deprived_40"),
}
PROVIDERS = {"Early help team": 0.6, "Schools": 0.25, "Health visiting": 0.15}


def fill(folder: Path, district: str, by_quintile: list[int]) -> None:
    """A plausible eha_assessments.csv: grand total, providers, the district and quintiles."""
    total = sum(by_quintile)
    rows = [[PERIOD, "All", "All", "All", total]]
    left = total
    for i, (name, share) in enumerate(PROVIDERS.items()):
        n = round(total * share) if i < len(PROVIDERS) - 1 else left
        left -= n
        rows.append([PERIOD, name, "All", "All", n])
    rows.append([PERIOD, "All", district, "All", total])
    rows += [[PERIOD, "All", "All", str(q), n] for q, n in enumerate(by_quintile, start=1)]
    with (folder / "eha_assessments.csv").open("w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["period", "provider", "district", "imd_quintile", "assessments"])
        w.writerows(rows)


@pytest.fixture(scope="session")
def local_folders(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = {}
    for code, (name, quintiles, _, _) in AREAS.items():
        folder = tmp_path_factory.mktemp(f"local-{name}") / code
        assert main(["local-template", "--area", code, "--out", str(folder)]) == 0
        fill(folder, name, quintiles)
        out[code] = folder
    return out


@pytest.fixture(scope="session")
def books(tmp_path_factory: pytest.TempPathFactory, local_folders) -> dict[str, Path]:
    """The whole book for each area (two builds in the session)."""
    out = {}
    for code, folder in local_folders.items():
        target = tmp_path_factory.mktemp("book") / code
        build_area(
            BuildOptions(area=code, out=target, local_dir=folder, quiet=True, validate=False)
        )
        out[code] = target
    return out


def page_text(book: Path, slug: str) -> str:
    """A built page's visible text, tags dropped and entities decoded, spaces collapsed."""
    chapter = next(c for c in CHAPTERS if c.slug == slug)
    page = (book / chapter.html).read_text()
    page = re.sub(r"<script.*?</script>|<style.*?</style>", " ", page, flags=re.DOTALL)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def reason(code: str) -> str:
    name, _, group, _ = AREAS[code]
    return f"no neighbourhoods in {name} are in the {group} deprived 40% nationally"


@pytest.mark.slow
@pytest.mark.parametrize("code", list(AREAS))
def test_services_page_says_not_applicable_and_why(books, code):
    text = page_text(books[code], "05_services")
    _, _, group, _ = AREAS[code]
    assert f"For the {group} deprived 40% it is not applicable: {reason(code)}." in text
    assert f"not applicable: {reason(code)}" in text  # the targeting table's reading


@pytest.mark.slow
@pytest.mark.parametrize("code", list(AREAS))
def test_summary_page_says_not_applicable_and_why(books, code):
    text = page_text(books[code], "00_summary")
    _, _, group, _ = AREAS[code]
    assert (
        f"the targeting ratio of early help assessments for the {group} deprived 40% of areas "
        f"is not applicable: {reason(code)}" in text
    )


@pytest.mark.slow
@pytest.mark.parametrize("code", list(AREAS))
def test_targeting_csv_has_no_ratio_for_the_empty_group(books, code):
    _, _, group, _ = AREAS[code]
    path = (
        books[code]
        / "downloads"
        / downloads.section_filename(f"Targeting: early help against modelled need, {PERIOD}", code)
    )
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    rows = df[df["Group of areas"].str.startswith(group)]
    ratio = rows[rows["measure"] == "Targeting ratio"].iloc[0]
    assert ratio["value"] == "" and ratio["unit"] == "ratio"
    assert ratio["Reading"] == f"not applicable: {reason(code)}"
    assert set(df["period"]) >= {PERIOD}


@pytest.mark.parametrize("code", list(AREAS))
def test_rules_read_the_ratio_as_not_available(local_folders, code):
    _, _, _, slug = AREAS[code]
    items = {f.key: f for f in service_findings(code, YEAR, local_dir=local_folders[code])}
    f = items[f"eha_targeting:{slug}"]
    assert f.value is None and f.direction == NOT_APPLICABLE and not f.has_data
    assert reason(code) in f.sentence
    assert not service_holds(f, Predicate("worse"))
    other = "least_deprived_40" if slug == "most_deprived_40" else "most_deprived_40"
    assert items[f"eha_targeting:{other}"].has_data  # the other group still has its ratio
