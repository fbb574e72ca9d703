"""bronze.quarantine: a free-text reason (not machine-readable) breaks the contract."""
from __future__ import annotations

from tailor.expectations import get_contract
from tailor.quality import validate_frame


def test_free_text_reason_fails(good_quarantine):
    contract = get_contract("bronze.quarantine")
    frame = good_quarantine.copy()
    frame.loc[1, "reason"] = "something went wrong"

    result = validate_frame(frame, contract.suite(frame), table="bronze.quarantine",
                            ds="2026-10-01")

    assert result.failed_expectations == ["expect_column_values_to_match_regex(reason)"]
