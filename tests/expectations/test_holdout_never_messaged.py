"""gold.decisions governance: a holdout person who gets a message breaks the contract."""
from __future__ import annotations

from tailor.expectations import get_contract
from tailor.quality import validate_frame


def test_messaging_a_holdout_person_fails(good_decisions):
    contract = get_contract("gold.decisions")
    frame = good_decisions.copy()
    # p3 is in the holdout; give them a (consented) push message
    frame.loc[2, ["action_id", "channel", "send_hour"]] = ["push@12", "push", 12]

    result = validate_frame(frame, contract.build_suite(), table="gold.decisions",
                            ds="2026-10-01", prepare=contract.prepare)

    assert result.failed_expectations == [
        "expect_column_values_to_be_in_set(action_id) where holdout == True"]
    assert result.failures[0].sample_unexpected == ["push@12"]
