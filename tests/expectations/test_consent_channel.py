"""gold.decisions governance: messaging on a channel outside allowed_channels breaks the contract."""
from __future__ import annotations

from tailor.expectations import get_contract
from tailor.expectations.gold_decisions import CONSENT_COLUMN
from tailor.quality import validate_frame


def test_message_on_a_channel_without_consent_fails(good_decisions):
    contract = get_contract("gold.decisions")
    frame = good_decisions.copy()
    # p1 gets an sms although only email and push are allowed (consent); otherwise valid
    frame.loc[0, ["channel", "action_id"]] = ["sms", "sms@18:pct10"]

    result = validate_frame(frame, contract.build_suite(), table="gold.decisions",
                            ds="2026-10-01", prepare=contract.prepare)

    assert not result.success
    assert result.failed_expectations == [f"expect_column_values_to_be_in_set({CONSENT_COLUMN})"]
    consent = result.failures[0]
    assert consent.unexpected_count == 1
    assert "allowed_channels" in consent.description
