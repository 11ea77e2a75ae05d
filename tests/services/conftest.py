"""A copy of the worked example with distinctive small counts added (for the small-number
tests): a provider with 3 EHAs, a centre with 2 children seen of 7 (28.6%, footfall 1.50),
health-visiting new birth visits 3 of 4 (75.0%) and 6-8 week reviews 80 of 100; EHAs by
district (Wyre Forest 1,500; Redditch 2), a reason cited 3 times (0.05%) and an earlier
period with 800 EHAs (5,478 / 800 = 6.8-fold)."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from needsbook.local import example_dir

TINY_PROVIDER = "Tiny Test Provider"
TINY_CENTRE = "Little Test Centre"


def _append(path: Path, rows: list[list[str]]) -> None:
    with path.open("a", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)


@pytest.fixture(scope="session")
def small_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("local-small") / "E10000034"
    shutil.copytree(example_dir(), folder)
    period = "2013-08/2015-03"
    _append(
        folder / "eha_assessments.csv",
        [[period, TINY_PROVIDER, "All", "All", "3"], [period, TINY_PROVIDER, "All", "1", "3"]],
    )
    _append(
        folder / "eha_assessments.csv",
        [["2012-04/2013-03", "All", "All", "All", "800"]],
    )
    _append(
        folder / "eha_assessments.csv",
        [[period, "All", "Wyre Forest", "All", "1500"], [period, "All", "Redditch", "All", "2"]],
    )
    with (folder / "eha_reasons.csv").open("w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["period", "reason", "assessments_citing", "assessments_total"])
        w.writerow([period, "Behaviour difficulties", "3868", "5478"])
        w.writerow([period, "Rare test reason", "3", "5478"])
    _append(folder / "children_centres_register.csv", [["Worcester", TINY_CENTRE, ""]])
    _append(
        folder / "children_centres.csv",
        [["2012-2014", "excluded", "all", "Worcester", TINY_CENTRE, "2", "3", "7", "", ""]],
    )
    with (folder / "health_visiting_reviews.csv").open("w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["quarter", "review", "completed", "due"])
        w.writerow(["2015-Q1", "new_birth_14_days", "3", "4"])
        w.writerow(["2015-Q1", "6_8_weeks", "80", "100"])
    return folder
