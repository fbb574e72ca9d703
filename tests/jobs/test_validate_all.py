"""jobs/validate --table all: tables not written yet are skipped; unpartitioned tables are
checked on the rows of ds only (ops.ingest_log's earlier duplicate does not count)."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pyarrow as pa
import pytest
from deltalake import write_deltalake

from jobs import validate
from tailor.config import load_config

ROOT = Path(__file__).resolve().parents[2]
DS = "2026-10-02"
TS = datetime(2026, 10, 2, 23, tzinfo=timezone.utc)


@pytest.fixture
def cfg(tmp_path):
    lh = tmp_path / "lh"
    # ingest log: two rows on DS (fine), a duplicate file on an earlier day (not DS's business)
    write_deltalake(str(lh / "ops" / "ingest_log"), pa.table({
        "landing_file": ["a", "b", "old", "old"], "rows_good": [10, 20, 5, 5],
        "rows_quarantined": [0, 1, 0, 0], "ds": [DS, DS, "2026-10-01", "2026-10-01"],
        "ingested_at": pa.array([TS] * 4, pa.timestamp("us", tz="UTC")),
        "bronze_version": [3, 4, 1, 2]}))
    # user scores with a churn probability of 1.3: breached
    write_deltalake(str(lh / "gold" / "user_scores"), pa.table({
        "person_id": ["p1", "p2"], "ltv_pred": [1.0, 2.0], "churn_prob": [0.1, 1.3],
        "ltv_version": ["1", "1"], "churn_version": ["1", "1"], "ds": [DS, DS]}),
        partition_by=["ds"])
    return load_config(root=ROOT, overrides={"paths": {"lakehouse": str(lh),
                                                       "runs": str(tmp_path / "runs")}})


def test_all_skips_unwritten_tables_and_filters_unpartitioned_rows_by_ds(cfg):
    cfg = cfg.model_copy(update={"quality": cfg.quality.model_copy(
        update={"fail_on_breach": False})})

    out = validate.run("all", DS, cfg, data_docs=False)

    assert out["breached"] == ["gold.user_scores"] and out["errors"] == {}
    assert "silver.events" in out["skipped"] and "gold.decisions" in out["skipped"]
    log = out["results"]["ops.ingest_log"]
    assert log["success"] and log["rows"] == 2 and log["partition"] == {"ds": DS}
