"""ops.quality: a share above 1 (more quarantined than ingested lines) breaks the contract."""
from __future__ import annotations

from tailor.expectations import get_contract
from tailor.quality import validate_frame


def test_count_above_lines_fails(good_quality):
    contract = get_contract("ops.quality")
    frame = good_quality.copy()
    frame.loc[0, ["count", "share"]] = [300, 1.5]

    result = validate_frame(frame, contract.suite(frame), table="ops.quality", ds="2026-10-01")

    assert set(result.failed_expectations) == {
        "expect_column_values_to_be_between(share)",
        "expect_column_pair_values_a_to_be_greater_than_b"}
