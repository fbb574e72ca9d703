"""VACUUM deletes only the files removed longer ago than the retention: every version still
current inside the window stays readable by time travel (the same rows as before the vacuum),
older ones are the only ones lost. Removal times are set in the log (deletionTimestamp), the
clock VACUUM goes by, so the test needs no waiting."""
import time

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from deltalake import DeltaTable
from deltalake.transaction import AddAction, RemoveAction

from tailor.lakehouse import Lakehouse, LakehouseError

HOURS = 200.0
NOW_MS = int(time.time() * 1000)


def _replace_partition(uri, ds, rows, removed_hours_ago, name):
    """One commit replacing partition ``ds``: adds a new file, removes the old ones with a
    deletion timestamp ``removed_hours_ago`` in the past."""
    dt = DeltaTable(uri)
    path = f"ds={ds}/{name}.parquet"
    pq.write_table(pa.table({"id": rows}), f"{uri}/{path}")
    size = len(open(f"{uri}/{path}", "rb").read())
    when = NOW_MS - int(removed_hours_ago * 3600 * 1000)
    removes = [RemoveAction(a["path"], True, when, a["size_bytes"], {"ds": ds})
               for a in pa.table(dt.get_add_actions(flatten=True)).to_pylist()
               if a["partition.ds"] == ds]
    adds = [AddAction(path, size, {"ds": ds}, NOW_MS, True, f'{{"numRecords": {len(rows)}}}')]
    dt.create_write_transaction([*adds, *removes], mode="append",
                                schema=pa.schema(dt.schema().to_arrow()), partition_by=["ds"])


def _snapshot(lh, version):
    return sorted((r["id"], r["ds"]) for r in lh.read_arrow("silver.tt", version=version).to_pylist())


def test_vacuum_keeps_every_version_inside_the_window(cfg):
    lh = Lakehouse(cfg)
    lh.write_arrow(pa.table({"id": [1, 2], "ds": ["d1", "d2"]}), "silver.tt", mode="append",
                   partition_by=["ds"])                                   # v0
    uri = lh.uri("silver.tt")
    _replace_partition(uri, "d1", [10], removed_hours_ago=300, name="v1")  # v0's d1: outside
    _replace_partition(uri, "d1", [11], removed_hours_ago=100, name="v2")  # v1's d1: inside
    _replace_partition(uri, "d2", [20], removed_hours_ago=50, name="v3")   # v0's d2: inside
    before = {v: _snapshot(lh, v) for v in range(4)}
    stored = lh.file_stats("silver.tt").stored_files

    lh.ensure_retention("silver.tt", HOURS)
    result = lh.vacuum("silver.tt", HOURS)

    assert result.files_deleted == 1 and result.bytes_deleted > 0
    assert result.retention_hours == HOURS
    assert lh.file_stats("silver.tt").stored_files == stored - 1
    assert result.time_travel_from_version == 1
    for version in (1, 2, 3):                   # current at some moment inside the window
        assert _snapshot(lh, version) == before[version]
    assert _snapshot(lh, None) == before[3]
    with pytest.raises(FileNotFoundError):      # v0's d1 file was removed 300 h ago: gone
        _snapshot(lh, 0)

    version = lh.version("silver.tt")
    again = lh.vacuum("silver.tt", HOURS)       # nothing left to delete: no commit
    assert again.files_deleted == 0 and lh.version("silver.tt") == version


def test_vacuum_never_goes_below_the_tables_own_retention(cfg):
    lh = Lakehouse(cfg)
    lh.write_arrow(pa.table({"id": [1], "ds": ["d1"]}), "silver.tt", mode="append",
                   partition_by=["ds"])
    assert lh.ensure_retention("silver.tt", HOURS) != {}
    assert lh.ensure_retention("silver.tt", HOURS) == {}         # idempotent: no commit
    assert lh.ensure_retention("silver.tt", 10) == {}            # never lowered
    assert lh.vacuum("silver.tt", 10).retention_hours == HOURS   # the table's longer one wins
    with pytest.raises(LakehouseError, match="shorter than"):
        lh.cleanup_logs("silver.tt", 1000)        # the log's 720 h (Delta's default) < the window
