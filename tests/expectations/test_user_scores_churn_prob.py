"""gold.user_scores: a churn probability outside [0, 1] breaks the contract, naming the person."""
from __future__ import annotations

from tailor.expectations import get_contract
from tailor.quality import validate_frame


def test_churn_prob_above_one_fails(good_user_scores):
    contract = get_contract("gold.user_scores")
    frame = good_user_scores.copy()
    frame.loc[1, "churn_prob"] = 1.2

    result = validate_frame(frame, contract.suite(frame), table="gold.user_scores",
                            ds="2026-10-01", id_column=contract.id_column)

    assert result.failed_expectations == ["expect_column_values_to_be_between(churn_prob)"]
    assert result.outcome("expect_column_values_to_be_between", "churn_prob").sample_ids == ["p2"]
