"""ops.incrementality: an interval that misses its difference, a channel row labelled randomised
and a day evaluated before its window ended each break the contract."""
from __future__ import annotations

from tailor.expectations import get_contract
from tailor.quality import validate_frame


def test_cross_column_rules(good_incrementality):
    contract = get_contract("ops.incrementality")
    frame = good_incrementality.copy()
    frame.loc[1, "conv_rate_ci_low"] = 0.15               # above its diff 0.1
    frame.loc[1, "comparison"] = "randomised"             # only 'all' is randomised
    frame.loc[0, "decision_ds"] = "2026-09-28"            # + 7 days > ds 2026-10-01

    result = validate_frame(frame, contract.suite(frame), table="ops.incrementality",
                            ds="2026-10-01", prepare=contract.prepare,
                            id_column=contract.id_column)

    assert set(result.failed_expectations) == {
        "expect_column_values_to_be_in_set(_ci_brackets_diff)",
        "expect_column_values_to_be_in_set(comparison) where channel != all",
        "expect_column_values_to_be_in_set(_window_complete)"}
