"""jobs/maintenance on real Delta tables: one ops.maintenance row per table with the files and
bytes before and after; the same rows are read back; a rerun on the maintained tables is a
no-op recorded as such; training.* keeps its whole history."""
from __future__ import annotations

import pyarrow as pa

from tailor.jobs import maintenance
from tailor.lakehouse import Lakehouse
from tailor.runtime import JobContext

DS = "2026-10-15"


def _rows(lh, run_id):
    rows = lh.read_arrow("ops.maintenance").to_pylist()
    return {r["table_name"]: r for r in rows if r["run_id"] == run_id}


def test_records_before_and_after_and_reruns_are_noops(cfg):
    lh = Lakehouse(cfg)
    for i in range(12):                                   # small appends, as the nearline DAG's
        lh.write_arrow(pa.table({"id": [i, 100 + i], "ds": ["2026-10-14", "2026-10-15"]}),
                       "silver.scratch", mode="append", partition_by=["ds"])
    lh.write_arrow(pa.table({"id": [1]}), "training.scratch", mode="append")
    ids = sorted(lh.read_arrow("silver.scratch")["id"].to_pylist())

    first = JobContext(cfg, DS, "maintenance")
    summary = maintenance.run(first)

    row = _rows(lh, first.run_id)["silver.scratch"]
    assert row["ds"] == DS and row["status"] == "done"
    assert row["operations"].split(",") == ["compact", "retention", "checkpoint"]
    assert (row["files_before"], row["files_after"], row["files_compacted"]) == (24, 2, 24)
    assert row["bytes_after"] < row["bytes_before"]
    assert row["stored_files_before"] == 24 and row["stored_files_after"] == 26  # kept for time travel
    assert row["version_after"] > row["version_before"] == 11
    assert row["checkpoint_version"] == row["version_after"]
    assert row["retention_hours"] == cfg.maintenance_retention_hours == 744
    assert row["files_vacuumed"] == 0 and row["time_travel_from_version"] == 0
    assert sorted(lh.read_arrow("silver.scratch")["id"].to_pylist()) == ids
    training = _rows(lh, first.run_id)["training.scratch"]
    assert training["time_travel_from_version"] is None and "keep_history" in training["note"]
    assert summary["tables"] == 2 and summary["files_before"] == 25 and summary["files_after"] == 3

    second = JobContext(cfg, DS, "maintenance")
    maintenance.run(second)
    again = _rows(lh, second.run_id)
    for name in ("silver.scratch", "training.scratch"):
        assert again[name]["status"] == "noop" and again[name]["operations"] == ""
        assert again[name]["version_after"] == again[name]["version_before"]
    assert again["silver.scratch"]["files_before"] == again["silver.scratch"]["files_after"] == 2
    assert "ops.maintenance" in again                     # the record table is maintained too
