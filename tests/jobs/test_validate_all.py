"""jobs/validate --table all: tables not written yet are skipped; unpartitioned tables are
checked on the rows of ds only (ops.ingest_log's earlier duplicate does not count)."""
from __future__ import annotations

from tailor.jobs import validate

DS = "2026-10-02"  # the day tests/jobs/conftest.py::validate_cfg writes


def test_all_skips_unwritten_tables_and_filters_unpartitioned_rows_by_ds(validate_cfg):
    cfg = validate_cfg.model_copy(update={"quality": validate_cfg.quality.model_copy(
        update={"fail_on_breach": False})})

    out = validate.check("all", DS, cfg, data_docs=False)

    assert out["breached"] == ["gold.user_scores"] and out["errors"] == {}
    assert "silver.events" in out["skipped"] and "gold.decisions" in out["skipped"]
    log = out["results"]["ops.ingest_log"]
    assert log["success"] and log["rows"] == 2 and log["partition"] == {"ds": DS}
