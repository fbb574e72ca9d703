"""training.*: a null label or a split other than train/test breaks the contract."""
from __future__ import annotations

from tailor.expectations import get_contract
from tailor.quality import validate_frame


def test_null_label_and_unknown_split_fail(good_frame):
    contract = get_contract("training.ltv")
    frame = good_frame("training.ltv")
    frame.loc[0, "label"] = None
    frame.loc[2, "split"] = "validation"

    result = validate_frame(frame, contract.suite(frame), table="training.ltv",
                            ds="2026-10-01", prepare=contract.prepare)

    assert set(result.failed_expectations) == {
        "expect_column_values_to_not_be_null(label)",
        "expect_column_values_to_be_in_set(split)"}
