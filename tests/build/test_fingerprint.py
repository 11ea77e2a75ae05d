"""A book is rebuilt when anything it is made from changes: the catalogue and the comparator
group included (an unchanged fingerprint skips the build)."""

from __future__ import annotations

import shutil
from pathlib import Path

from needsbook.build.fingerprint import fingerprint


def test_a_data_folders_own_catalogue_and_the_comparators_change_the_fingerprint(
    data_copy: Path, root: Path
) -> None:
    base = fingerprint("E10000034", 2025, data_copy, None)
    assert fingerprint("E10000034", 2025, data_copy, None) == base
    group = fingerprint("E10000034", 2025, data_copy, None, ("E06000019", "E06000051"))
    assert group != base
    shutil.copy(root / "data" / "indicators.yml", data_copy / "indicators.yml")
    assert fingerprint("E10000034", 2025, data_copy, None) != base
