"""gold.decisions: channel is null exactly when action_id is 'no_message' (both directions)."""
from __future__ import annotations

from tailor.expectations import get_contract
from tailor.quality import validate_frame


def test_channel_null_iff_no_message(good_decisions):
    contract = get_contract("gold.decisions")
    frame = good_decisions.copy()
    frame.loc[0, "channel"] = None            # a message without a channel
    frame.loc[1, "allowed_channels"] = ["push"]
    frame.loc[1, "channel"] = "push"          # 'no_message' with a channel

    result = validate_frame(frame, contract.build_suite(), table="gold.decisions",
                            ds="2026-10-01", prepare=contract.prepare)

    assert sorted(result.failed_expectations) == [
        "expect_column_values_to_be_null(channel) where action_id == no_message",
        "expect_column_values_to_not_be_null(channel) where action_id != no_message",
    ]
