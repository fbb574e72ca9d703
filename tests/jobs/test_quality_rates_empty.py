"""ops.quality rates, edge cases: no quarantined line → no rows; no ingested line → no share."""
from __future__ import annotations

from datetime import datetime, timezone

import pandas as pd

from tailor.quality.rates import quarantine_rates

DS = "2026-10-01"
NOW = datetime(2026, 10, 2, 1, tzinfo=timezone.utc)


def test_no_quarantine_no_rows_and_no_lines_no_share():
    empty = pd.DataFrame({"reason": [], "ingest_date": []})
    log = pd.DataFrame({"ds": [DS], "rows_good": [10], "rows_quarantined": [0]})
    assert quarantine_rates(empty, log, DS, computed_at=NOW).empty

    bad = pd.DataFrame({"reason": ["invalid_json"], "ingest_date": [DS]})
    no_log = pd.DataFrame({"ds": [], "rows_good": [], "rows_quarantined": []})
    rates = quarantine_rates(bad, no_log, DS, computed_at=NOW)
    assert rates["lines"].tolist() == [0] and rates["share"].isna().all()
