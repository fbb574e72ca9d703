"""Every job execution appends one row to ops.runs: success, wall and CPU seconds > 0, the rows
the summary states; a rerun of the same day appends a second row (history, not overwrite)."""
from __future__ import annotations

import time

from tailor.lakehouse import Lakehouse
from tailor.runtime import execute

DS = "2026-10-02"


def burn(ctx):
    """A Spark-free job that uses some CPU (by construction, not by the clock)."""
    start = time.process_time()
    while time.process_time() - start < 0.2:
        sum(i * i for i in range(1000))
    return {"rows_in": 12, "rows_out": 7}


def test_each_execution_appends_one_measured_row(cfg):
    first = execute("burn", burn, DS, cfg=cfg)
    rows = Lakehouse(cfg).read_arrow("ops.runs").to_pylist()

    assert len(rows) == 1
    row = rows[0]
    assert row["run_id"] == first["run_id"]
    assert (row["job"], row["task"], row["ds"], row["status"]) == ("burn", "burn", DS, "success")
    assert row["error_type"] is None and row["error"] is None
    assert row["cpu_seconds"] >= 0.2 and row["wall_seconds"] > 0
    assert row["finished_at"] >= row["started_at"]
    assert (row["rows_in"], row["rows_out"]) == (12, 7)
    assert (row["clock"], row["profile"]) == (cfg.clock.mode, cfg.env)
    assert first["cpu_seconds"] == row["cpu_seconds"]

    second = execute("burn", burn, DS, cfg=cfg, record_as="burn_again")
    rows = Lakehouse(cfg).read_arrow("ops.runs").to_pylist()
    assert len(rows) == 2
    assert {r["run_id"] for r in rows} == {first["run_id"], second["run_id"]}
    assert {r["task"] for r in rows} == {"burn", "burn_again"}
