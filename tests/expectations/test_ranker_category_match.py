"""training.ranker: category_match of data without categories (all 0, the declared fill) passes;
a null or a value other than 0 / 1 is a breach — the contract still catches real breakage."""
from __future__ import annotations

import math

import pytest

from tailor.expectations import get_contract
from tailor.features.candidates import FILLS
from tailor.quality import validate_frame


def _validate(frame):
    contract = get_contract("training.ranker")
    return validate_frame(frame, contract.suite(frame), table="training.ranker",
                          ds="2026-10-01", prepare=contract.prepare)


def test_no_category_fill_passes(good_frame):
    frame = good_frame("training.ranker")
    frame["category_match"] = float(FILLS["category_match"])
    assert _validate(frame).failed_expectations == []


@pytest.mark.parametrize("bad, rule", [
    (math.nan, "expect_column_values_to_not_be_null(category_match)"),
    (2.0, "expect_column_values_to_be_between(category_match)"),
])
def test_null_or_out_of_range_category_match_fails(bad, rule, good_frame):
    frame = good_frame("training.ranker")
    frame["category_match"] = [1.0, 0.0, 0.0]
    frame.loc[1, "category_match"] = bad
    assert _validate(frame).failed_expectations == [rule]
