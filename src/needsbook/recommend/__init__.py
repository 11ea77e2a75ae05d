"""Recommendations from declarative rules over the book's findings, with the other outcomes of
concern, the action plan and the national policy context."""

from needsbook.recommend.model import (
    Action,
    Concern,
    Recommendation,
    RuleCheck,
    RuleResults,
    recommend,
)

__all__ = ["Action", "Concern", "Recommendation", "RuleCheck", "RuleResults", "recommend"]
