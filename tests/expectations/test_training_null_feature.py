"""training.*: a null / NaN or infinite numeric feature breaks the contract."""
from __future__ import annotations

import math

import pytest

from tailor.expectations import get_contract
from tailor.quality import validate_frame


@pytest.mark.parametrize("bad, rule", [
    (math.nan, "expect_column_values_to_not_be_null(email_response)"),
    (math.inf, "expect_column_values_to_be_between(email_response)"),
])
def test_missing_or_infinite_feature_fails(bad, rule, good_frame):
    contract = get_contract("training.churn")
    frame = good_frame("training.churn")
    frame.loc[1, "email_response"] = bad

    result = validate_frame(frame, contract.suite(frame), table="training.churn",
                            ds="2026-10-01", prepare=contract.prepare)

    assert result.failed_expectations == [rule]
