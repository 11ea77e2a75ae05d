"""The executive summary: headline findings chosen across the chapters (issue 7)."""

from needsbook.summary.headlines import Headline, choose_headlines

__all__ = ["Headline", "choose_headlines"]
