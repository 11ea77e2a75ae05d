"""A copy of the worked example with distinctive small counts added (for the small-number
tests): each local table that has a total holds exactly one count of 1-4, so secondary
suppression has something to protect in every one of them.

- EHAs by provider: a provider with 3 EHAs (0.05% of all, 0.0 per 1,000);
- EHAs by district: Wyre Forest 1,500, Bromsgrove 900 and Redditch 2;
- EHAs by quintile: quintile 5 has 3 EHAs (so the least deprived 40% has no share or ratio);
- an earlier period with 800 EHAs (5,478 / 800 = 6.8-fold);
- distance travelled with counts: quintile 5 has 3 closed EHAs (mean change 3.61);
- children's centres, 2015-16 (counts, so RAG with CIs): Malvern Hills saw 3 children, and a
  Worcester centre saw 2 of 7 (28.6%, footfall 1.50) among Worcester's centres;
- specialist midwifery: 3 births in 2014-15;
- family support: a claim round (2015-08) with 2 families;
- reasons (no total: one EHA gives several): a reason cited 3 times (0.05%);
- health visiting (no total): new birth visits 3 of 4 (75.0%), 6-8 week reviews 80 of 100.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from needsbook.local import example_dir
from tests.local.shift import shift_folder

TINY_PROVIDER = "Tiny Test Provider"
TINY_CENTRE = "Little Test Centre"
PERIOD = "2013-08/2015-03"
#: (district, centre, children seen, attendances, population 0-4), 2015-16, excluding nursery
CENTRES_2015 = [
    ("Bromsgrove", "All", 1000, 4000, 2000),
    ("Malvern Hills", "All", 3, 9, 1500),
    ("Redditch", "All", 1800, 7200, 3000),
    ("Worcester", "All", 2200, 8800, 4000),
    ("Wychavon", "All", 1500, 6000, 3100),
    ("Wyre Forest", "All", 1700, 6800, 3200),
    ("All", "All", 8203, 32809, 16800),
    ("Worcester", "Blue Bell Wood", 400, 1600, 700),
    ("Worcester", "Buttercup at Fairfield", 350, 1400, 650),
    ("Worcester", "Lavender @ Warndon", 380, 1520, 720),
    ("Worcester", "Saffron at Stanley Rd", 360, 1440, 640),
    ("Worcester", "Sunflower @ Perdiswell", 340, 1360, 600),
    ("Worcester", "Tudor Way", 368, 1477, 683),
    ("Worcester", TINY_CENTRE, 2, 3, 7),
]
DISTANCE = [  # imd_quintile, cases, mean_pre, mean_post, mean_change
    ("1", 400, 2.10, 3.97, 1.87),
    ("2", 300, 2.00, 4.01, 2.01),
    ("3", 200, 2.05, 4.05, 2.00),
    ("4", 100, 2.08, 4.00, 1.92),
    ("5", 3, 1.03, 4.64, 3.61),
    ("All", 1003, 2.06, 4.00, 1.94),
]


def _append(path: Path, rows: list[list[str]]) -> None:
    with path.open("a", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)


def _write(path: Path, header: list[str], rows: list[list[object]]) -> None:
    with path.open("w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


@pytest.fixture(scope="session")
def small_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("local-small") / "E10000034"
    shutil.copytree(example_dir(), folder)
    eha = folder / "eha_assessments.csv"
    eha.write_text(eha.read_text().replace(f"{PERIOD},All,All,5,612\n", f"{PERIOD},All,All,5,3\n"))
    _append(
        eha,
        [
            [PERIOD, TINY_PROVIDER, "All", "All", "3"],
            [PERIOD, TINY_PROVIDER, "All", "1", "3"],
            ["2012-04/2013-03", "All", "All", "All", "800"],
            [PERIOD, "All", "Wyre Forest", "All", "1500"],
            [PERIOD, "All", "Bromsgrove", "All", "900"],
            [PERIOD, "All", "Redditch", "All", "2"],
        ],
    )
    _write(
        folder / "eha_distance_travelled.csv",
        ["period", "imd_quintile", "cases", "mean_pre", "mean_post", "mean_change"],
        [[PERIOD, *row] for row in DISTANCE],
    )
    _write(
        folder / "eha_reasons.csv",
        ["period", "reason", "assessments_citing", "assessments_total"],
        [[PERIOD, "Behaviour difficulties", 3868, 5478], [PERIOD, "Rare test reason", 3, 5478]],
    )
    _append(folder / "children_centres_register.csv", [["Worcester", TINY_CENTRE, ""]])
    _append(
        folder / "children_centres.csv",
        [["2015-16", "excluded", "all", *map(str, row), "", ""] for row in CENTRES_2015],
    )
    _append(folder / "specialist_midwifery.csv", [["2014-15", "0", "3", ""]])
    _append(
        folder / "family_support_outcomes.csv",
        [["Stronger Families Phase 1", "2015-08", "education_crime_asb", "2"]],
    )
    _write(
        folder / "health_visiting_reviews.csv",
        ["quarter", "review", "completed", "due"],
        [["2015-Q1", "new_birth_14_days", 3, 4], ["2015-Q1", "6_8_weeks", 80, 100]],
    )
    return folder


#: Years the worked example is moved by to make it recent (2013-2015 becomes 2023-2025).
SHIFT = 10


@pytest.fixture(scope="session")
def recent_example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The worked example's figures with every period 10 years later (not historical)."""
    return shift_folder(example_dir(), tmp_path_factory.mktemp("recent") / "E10000034", SHIFT)


@pytest.fixture(scope="session")
def recent_small(tmp_path_factory: pytest.TempPathFactory, small_folder: Path) -> Path:
    """``small_folder`` with every period 10 years later (not historical)."""
    return shift_folder(small_folder, tmp_path_factory.mktemp("recent-small") / "E10000034", SHIFT)
