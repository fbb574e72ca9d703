"""ops.ingest_log: a landing file logged twice on a day (not exactly once) breaks the contract."""
from __future__ import annotations

import pandas as pd

from tailor.expectations import get_contract
from tailor.quality import validate_frame


def test_file_ingested_twice_fails(good_ingest_log):
    contract = get_contract("ops.ingest_log")
    frame = pd.concat([good_ingest_log, good_ingest_log.iloc[[0]]], ignore_index=True)

    result = validate_frame(frame, contract.suite(frame), table="ops.ingest_log", ds="2026-10-01")

    assert result.failed_expectations == ["expect_column_values_to_be_unique(landing_file)"]
