"""The area registry: 153 current areas, resolution by code/name, clear errors."""

from __future__ import annotations

import pytest

from needsbook.areas import all_areas, resolve_area
from needsbook.errors import AreaNotFoundError


def test_registry_has_the_153_current_upper_tier_areas() -> None:
    areas = all_areas()
    assert len(areas) == 153
    assert len({a.code for a in areas}) == 153
    assert {a.region_name for a in areas} >= {"West Midlands", "London", "North East"}
    codes = {a.code for a in areas}
    # 2019-2025 reorganisations are on current codes
    assert {
        "E06000058",
        "E06000059",
        "E06000060",
        "E06000061",
        "E06000062",
        "E06000063",
        "E06000064",
        "E06000065",
        "E06000066",
        "E08000038",
        "E08000039",
    } <= codes
    assert not {"E10000002", "E10000006", "E10000021", "E10000023", "E10000027"} & codes


def test_worcestershire_record() -> None:
    w = resolve_area("E10000034")
    assert (w.name, w.dfe_la_code, w.region_code, w.kind) == (
        "Worcestershire",
        885,
        "E12000005",
        "County council",
    )
    assert [name for _, name in w.districts] == [
        "Bromsgrove",
        "Malvern Hills",
        "Redditch",
        "Worcester",
        "Wychavon",
        "Wyre Forest",
    ]


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("Rutland", "E06000017"),
        ("rutland", "E06000017"),
        ("  E06000017 ", "E06000017"),
        ("e06000017", "E06000017"),
        ("Herefordshire", "E06000019"),  # published as "Herefordshire, County of"
        ("Bristol", "E06000023"),
        ("St Helens", "E08000013"),  # published as "St. Helens"
        ("E10000002", "E06000060"),  # Buckinghamshire's pre-2020 code
        ("E08000016", "E08000038"),  # Barnsley before the 2025 boundary change
        ("825", "E06000060"),  # DfE LA number
        ("Durham", "E06000047"),
    ],
)
def test_resolve_by_code_name_or_number(query: str, code: str) -> None:
    assert resolve_area(query).code == code


def test_unknown_area_says_how_to_list_areas() -> None:
    with pytest.raises(AreaNotFoundError) as exc:
        resolve_area("Narnia")
    msg = str(exc.value)
    assert "unknown area 'Narnia'" in msg
    assert "needsbook areas" in msg
    assert "Did you mean" not in msg


def test_near_miss_suggests_the_right_name() -> None:
    with pytest.raises(AreaNotFoundError, match=r"Did you mean: Worcestershire"):
        resolve_area("Worcestershre")


def test_former_area_names_its_successors() -> None:
    with pytest.raises(AreaNotFoundError) as exc:
        resolve_area("Cumbria")
    msg = str(exc.value)
    assert "E10000006 (Cumbria) is a former area" in msg
    assert "Cumberland (E06000063)" in msg and "Westmorland and Furness (E06000064)" in msg


def test_district_names_follow_their_codes() -> None:
    # The raw master list has Essex's district names out of order; names are joined by code.
    essex = dict(resolve_area("Essex").districts)
    assert essex["E07000066"] == "Basildon"
    assert essex["E07000067"] == "Braintree"
    assert len(essex) == 12
