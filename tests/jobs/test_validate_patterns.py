"""jobs/validate --table patterns: 'features.*' names every feature group's table, lists keep
order without duplicates, and an unknown name or a pattern that matches nothing is an error."""
from __future__ import annotations

import pytest

from tailor.features.registry import GROUPS
from tailor.jobs.validate import resolve_tables


def test_patterns_lists_and_unknown_names():
    assert resolve_tables("features.*") == sorted(g.table for g in GROUPS.values())
    assert resolve_tables("training.*,gold.decisions,training.ltv") == [
        "training.churn", "training.ltv", "training.policy", "training.ranker", "gold.decisions"]
    with pytest.raises(KeyError, match="silver.nope"):
        resolve_tables("silver.nope")
    with pytest.raises(KeyError, match="nothing.*"):
        resolve_tables("nothing.*")
