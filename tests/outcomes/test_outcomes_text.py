"""The small plain-English helpers the outcomes chapter added to ``chapters.text``."""

from __future__ import annotations

import pytest

from needsbook.chapters.text import and_join, in_period, lower_first, ordinal


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (1, "1st"),
        (2, "2nd"),
        (3, "3rd"),
        (4, "4th"),
        (11, "11th"),
        (12, "12th"),
        (13, "13th"),
        (21, "21st"),
        (22, "22nd"),
        (101, "101st"),
        (111, "111th"),
    ],
)
def test_ordinal(n: int, expected: str) -> None:
    assert ordinal(n) == expected


def test_and_join() -> None:
    assert and_join([]) == ""
    assert and_join(["a"]) == "a"
    assert and_join(["a", "b"]) == "a and b"
    assert and_join(["a", "b", "c"]) == "a, b and c"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Children looked after", "children looked after"),
        ("Infant mortality", "infant mortality"),
        ("MMR first dose at 24 months", "MMR first dose at 24 months"),
        ("DTaP/IPV/Hib vaccine", "DTaP/IPV/Hib vaccine"),
        ("16-17s NEET or activity not known", "16-17s NEET or activity not known"),
        ("Attainment 8 score at GCSE", "Attainment 8 score at GCSE"),
        ("", ""),
    ],
)
def test_lower_first(name: str, expected: str) -> None:
    assert lower_first(name) == expected


@pytest.mark.parametrize(
    ("period", "expected"),
    [
        ("2019", "in 2019"),
        ("2019/20", "in 2019/20"),
        ("2017/18-19/20", "in 2017/18-19/20"),
        ("31 March 2020", "on 31 March 2020"),
        ("end of 2020", "at the end of 2020"),
    ],
)
def test_in_period(period: str, expected: str) -> None:
    assert in_period(period) == expected
