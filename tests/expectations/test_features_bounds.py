"""features.*: a rate outside [0, 1], an hour outside 0..23 or an infinite value breaks the contract."""
from __future__ import annotations

import math

from tailor.expectations import get_contract
from tailor.features.registry import GROUPS
from tailor.quality import validate_frame


def test_out_of_bounds_and_infinite_values_fail(good_frame):
    table = GROUPS["channel"].table
    contract = get_contract(table)
    frame = good_frame(table)
    frame.loc[0, "email_open_rate"] = 1.5
    frame.loc[1, "preferred_hour"] = 24
    frame.loc[1, "discount_sensitivity"] = -math.inf

    result = validate_frame(frame, contract.suite(frame), table=table, ds="2026-10-01")

    assert set(result.failed_expectations) == {
        "expect_column_values_to_be_between(email_open_rate)",
        "expect_column_values_to_be_between(preferred_hour)",
        "expect_column_values_to_be_between(discount_sensitivity)"}


def test_declared_bounds_win_over_the_naming_convention(good_frame):
    """activity's active_hour is a circular mean in [0, 24): 23.8 is an hour, 24.5 is not."""
    table = GROUPS["activity"].table
    contract = get_contract(table)
    frame = good_frame(table)
    frame["active_hour"] = [23.8, 0.0]

    assert validate_frame(frame, contract.suite(frame), table=table, ds="2026-10-01").success
    frame.loc[0, "active_hour"] = 24.5
    result = validate_frame(frame, contract.suite(frame), table=table, ds="2026-10-01")
    assert result.failed_expectations == ["expect_column_values_to_be_between(active_hour)"]


def test_training_sets_check_the_groups_declared_bounds(good_frame):
    """A training set carries activity's columns: 23.8 is an hour there too."""
    contract = get_contract("training.churn")
    frame = good_frame("training.churn")
    frame["active_hour"] = [23.8] * len(frame)

    result = validate_frame(frame, contract.suite(frame), table="training.churn", ds="2026-10-01")
    assert "expect_column_values_to_be_between(active_hour)" not in result.failed_expectations
    frame["active_hour"] = [24.5] * len(frame)
    result = validate_frame(frame, contract.suite(frame), table="training.churn", ds="2026-10-01")
    assert "expect_column_values_to_be_between(active_hour)" in result.failed_expectations
