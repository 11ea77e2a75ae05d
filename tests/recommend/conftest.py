"""Fixtures the recommendation tests share: the book's rules and evidence catalogue, and a set
of outcome findings that trigger nothing (to which a test adds the ones it is about)."""

from __future__ import annotations

import pytest
from recommend_fakes import neutral_outcomes

from needsbook.evidence.catalogue import Catalogue, load_catalogue
from needsbook.recommend.rules import Rule, load_rules


@pytest.fixture(scope="session")
def rules() -> list[Rule]:
    return load_rules()


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return load_catalogue()


@pytest.fixture(scope="session")
def base() -> list:
    return neutral_outcomes()
