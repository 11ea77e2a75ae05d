"""Service provision: public demand trends and local service analyses (issue 6)."""
