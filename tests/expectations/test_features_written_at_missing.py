"""features.*: a feature table without written_at (or with a null one) breaks the contract."""
from __future__ import annotations

from tailor.expectations import get_contract
from tailor.features.registry import GROUPS
from tailor.quality import validate_frame


def test_missing_written_at_column_fails(good_frame):
    table = GROUPS["profile"].table
    contract = get_contract(table)
    frame = good_frame(table).drop(columns=["written_at"])

    result = validate_frame(frame, contract.suite(frame), table=table, ds="2026-10-01")

    assert "expect_table_columns_to_match_set" in result.failed_expectations
    mismatched = result.outcome("expect_table_columns_to_match_set").details["mismatched"]
    assert mismatched["missing"] == ["written_at"]
