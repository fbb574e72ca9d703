"""Fixtures shared by the jobs tests."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VALIDATE_DS = "2026-10-02"


@pytest.fixture
def validate_cfg(tmp_path):
    """A config whose lakehouse holds two tables for the validate job on ``VALIDATE_DS``.

    ``ops.ingest_log``: two rows on the day (fine) and a file ingested twice on an earlier day
    (not that day's business); ``gold.user_scores``: a churn probability of 1.3 (breached).
    Every other table is missing. Not ``cfg``: that name is the root conftest's fixture.
    """
    import pyarrow as pa
    from deltalake import write_deltalake

    from tailor.config import load_config

    ds, ts = VALIDATE_DS, datetime(2026, 10, 2, 23, tzinfo=timezone.utc)
    lh = tmp_path / "lh"
    write_deltalake(str(lh / "ops" / "ingest_log"), pa.table({
        "landing_file": ["a", "b", "old", "old"], "rows_good": [10, 20, 5, 5],
        "rows_quarantined": [0, 1, 0, 0], "ds": [ds, ds, "2026-10-01", "2026-10-01"],
        "ingested_at": pa.array([ts] * 4, pa.timestamp("us", tz="UTC")),
        "bronze_version": [3, 4, 1, 2]}))
    write_deltalake(str(lh / "gold" / "user_scores"), pa.table({
        "person_id": ["p1", "p2"], "ltv_pred": [1.0, 2.0], "churn_prob": [0.1, 1.3],
        "ltv_version": ["1", "1"], "churn_version": ["1", "1"], "ds": [ds, ds]}),
        partition_by=["ds"])
    return load_config(root=ROOT, overrides={"paths": {"lakehouse": str(lh),
                                                       "runs": str(tmp_path / "runs")}})
