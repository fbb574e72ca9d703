"""ops.quality rates on a tiny example: count per reason over every line ingested that day."""
from __future__ import annotations

from datetime import datetime, timezone

import pandas as pd
import pytest

from tailor.catalog import table
from tailor.quality.rates import quarantine_rates

DS = "2026-10-01"
NOW = datetime(2026, 10, 2, 1, tzinfo=timezone.utc)


def test_rates_per_reason_share_of_the_days_lines():
    quarantine = pd.DataFrame({
        "reason": ["invalid_json", "missing:item_id", "invalid_json", "bad_ts", "invalid_json"],
        "ingest_date": [DS, DS, DS, DS, "2026-09-30"]})          # last row: another day
    ingest_log = pd.DataFrame({
        "ds": [DS, DS, "2026-09-30"], "rows_good": [60, 36, 1000],
        "rows_quarantined": [3, 1, 1]})                          # 100 lines on DS

    rates = quarantine_rates(quarantine, ingest_log, DS, computed_at=NOW)

    assert list(rates.columns) == table("ops.quality").column_names
    assert rates[["reason", "count", "lines"]].to_dict("records") == [
        {"reason": "invalid_json", "count": 2, "lines": 100},
        {"reason": "bad_ts", "count": 1, "lines": 100},
        {"reason": "missing:item_id", "count": 1, "lines": 100}]
    assert rates["share"].tolist() == pytest.approx([0.02, 0.01, 0.01])
    assert (rates["ds"] == DS).all() and (rates["computed_at"] == pd.Timestamp(NOW)).all()
