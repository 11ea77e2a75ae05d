"""The chapters of every book, in order: each is a parameterised papermill template."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Chapter:
    slug: str  # notebook file stem under notebooks/
    title: str

    @property
    def notebook(self) -> str:
        return f"notebooks/{self.slug}.ipynb"

    @property
    def html(self) -> str:
        return f"notebooks/{self.slug}.html"


CHAPTERS: tuple[Chapter, ...] = (
    Chapter("00_summary", "Summary"),
    Chapter("01_population", "Population"),
    Chapter("02_need", "Deprivation and need"),
    Chapter("03_outcomes", "Outcomes"),
    Chapter("04_vulnerable_children", "Special educational needs and vulnerable children"),
    Chapter("05_services", "Service provision"),
    Chapter("06_healthy_child", "The Healthy Child Programme"),
    Chapter("07_local_offer", "The local early help offer"),
    Chapter("08_evidence", "Evidence review"),
    Chapter("09_conclusions", "Conclusions"),
    Chapter("10_recommendations", "Recommendations"),
    Chapter("11_changes", "What changed since the last assessment"),
)

# Static pages every book must contain (relative to the built HTML root).
STATIC_PAGES = (
    "book/intro.html",
    "book/methods/index.html",
    "book/methods/statistics.html",
    "book/data-sources.html",
    "book/glossary.html",
)
