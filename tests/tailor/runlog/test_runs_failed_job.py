"""A failing job is recorded in ops.runs as failed (error type and first line) and its
exception still propagates."""
from __future__ import annotations

import pytest

from tailor.lakehouse import Lakehouse
from tailor.runtime import JobError, execute


def broken(ctx):
    raise JobError("\ncontract gold.decisions breached: 3 expectations failed\nsee the report")


def test_failed_job_is_recorded_then_raises(cfg):
    with pytest.raises(JobError, match="contract gold.decisions breached"):
        execute("validate", broken, "2026-10-02", cfg=cfg, record_as="validate_gold_decisions")

    rows = Lakehouse(cfg).read_arrow("ops.runs").to_pylist()
    assert len(rows) == 1
    row = rows[0]
    assert (row["job"], row["task"], row["status"]) == ("validate", "validate_gold_decisions",
                                                        "failed")
    assert row["error_type"] == "JobError"
    assert row["error"] == "contract gold.decisions breached: 3 expectations failed"
    assert row["wall_seconds"] > 0 and row["cpu_seconds"] is not None
    assert row["rows_in"] is None and row["rows_out"] is None
