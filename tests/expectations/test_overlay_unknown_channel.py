"""gold.overlay: a revoked channel that is not a known channel breaks the contract."""
from __future__ import annotations

from tailor.expectations import get_contract
from tailor.quality import validate_frame


def test_unknown_revoked_channel_fails(good_overlay):
    contract = get_contract("gold.overlay")
    frame = good_overlay.copy()
    frame.at[1, "revoked_channels"] = ["fax"]

    result = validate_frame(frame, contract.suite(frame), table="gold.overlay", ds="2026-10-01",
                            prepare=contract.prepare, id_column=contract.id_column)

    assert result.failed_expectations == [
        "expect_column_values_to_be_in_set(_revoked_channels_known)"]
    assert result.outcome("expect_column_values_to_be_in_set",
                          "_revoked_channels_known").sample_ids == ["p2"]
