"""bronze.events: a duplicate event_id breaks the contract, and the failure names that rule."""
from __future__ import annotations

import pandas as pd

from tailor.expectations import get_contract
from tailor.quality import ContractBreach, validate_frame


def test_duplicate_event_id_fails_naming_the_uniqueness_expectation(good_events):
    contract = get_contract("bronze.events")
    dup = good_events.iloc[[1]].assign(ingested_at=pd.Timestamp("2026-10-02", tz="UTC"))
    frame = pd.concat([good_events, dup], ignore_index=True)

    result = validate_frame(frame, contract.build_suite(), table="bronze.events",
                            ds="2026-10-01", prepare=contract.prepare)

    assert not result.success
    assert result.failed_expectations == ["expect_column_values_to_be_unique(event_id)"]
    unique = result.outcome("expect_column_values_to_be_unique", "event_id")
    assert unique.unexpected_count == 2          # both copies of e2 are unexpected
    assert unique.sample_unexpected == ["e2"]    # sample values are de-duplicated
    message = str(ContractBreach(result))
    assert "expect_column_values_to_be_unique(event_id)" in message and "e2" in message
