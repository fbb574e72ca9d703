"""gold.recommendations: two items at the same rank for one person break the contract."""
from __future__ import annotations

from tailor.expectations import get_contract
from tailor.quality import validate_frame


def test_duplicate_rank_fails(good_recommendations):
    contract = get_contract("gold.recommendations")
    frame = good_recommendations.copy()
    frame.loc[1, "rank"] = 1

    result = validate_frame(frame, contract.suite(frame), table="gold.recommendations",
                            ds="2026-10-01")

    assert result.failed_expectations == ["expect_compound_columns_to_be_unique"]
    assert result.outcomes[[o.kwargs.get("column_list") for o in result.outcomes]
                           .index(["person_id", "rank"])].success is False
