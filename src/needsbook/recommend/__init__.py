"""Recommendations from declarative rules over the book's findings (issue 7)."""

from needsbook.recommend.model import Recommendation, RuleCheck, RuleResults, recommend

__all__ = ["Recommendation", "RuleCheck", "RuleResults", "recommend"]
