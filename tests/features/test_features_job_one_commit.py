"""The features job writes each table once per run — one Delta commit holding every as-of day —
and a group's one-pass path (``compute_days``) and the per-day path (``compute`` day by day, used
for a group without it) write the same table: rows, values, ``ds`` and ``written_at``."""
from dataclasses import replace
from datetime import datetime, timezone

import pyarrow as pa
import pytest

from tailor.features.registry import GROUPS
from tailor.jobs import materialize_features as features_job
from tailor.runtime import JobContext

DS = "2026-09-30"          # cutoffs (horizon 14, step 7): 09-16 and 09-09
SCHEMA = ("person_id string, event_type string, event_ts timestamp, item_id string, category string, "
          "price double, quantity int, ingested_at timestamp")


def ts(day, hour=12):
    return datetime(2026, 9, day, hour, tzinfo=timezone.utc)


def _sorted(lh, table):
    frame = lh.read_arrow(table)
    key = "person_id" if "person_id" in frame.column_names else "item_id"
    return frame.sort_by([("ds", "ascending"), (key, "ascending")])


def _same(a: pa.Table, b: pa.Table) -> None:
    assert a.schema == b.schema and a.num_rows == b.num_rows
    for name in a.column_names:
        left, right = a.column(name).to_pylist(), b.column(name).to_pylist()
        if pa.types.is_floating(a.schema.field(name).type):
            assert [x is None for x in left] == [y is None for y in right], name
            assert [x for x in left if x is not None] == pytest.approx(
                [y for y in right if y is not None], rel=1e-9), name
        else:
            assert left == right, name


def test_one_commit_per_table_and_the_same_table_either_path(spark, cfg_with, as_table, monkeypatch):
    from tailor.lakehouse import Lakehouse

    cfg = cfg_with(clock={"mode": "replay", "run_delay_minutes": 60}, models={"training_cutoffs": 2})
    lh = Lakehouse(cfg, spark)
    rows = [("p1", "view", ts(2), "i1", "hats", None, None, ts(3, 0)),
            ("p1", "purchase", ts(8), "i1", "hats", 10.0, 2, ts(9, 0)),
            ("p2", "add_to_cart", ts(12), "i2", "bags", 30.0, None, ts(13, 0)),
            ("p2", "purchase", ts(15), "i2", "bags", 30.0, 1, ts(20, 0)),   # late: not in 09-16
            ("p3", "view", ts(29), "i1", "hats", None, None, ts(30, 0))]
    lh.write(as_table(spark.createDataFrame(rows, SCHEMA), "silver.events"), "silver.events",
             mode="overwrite")
    ctx = JobContext(cfg=cfg, ds=DS, job="features", _spark=spark, _lakehouse=lh)
    groups = {n: GROUPS[n] for n in ("profile", "item_stats")}
    monkeypatch.setattr(features_job, "GROUPS", groups)

    summary = features_job.run(ctx)
    one_pass = {}
    for g in groups.values():
        assert lh.version(g.table) == 0, f"{g.table}: one commit for all days"
        assert {w["version"] for k, w in summary["written"].items() if k.startswith(g.table)} == {0}
        assert len(lh.partition_values(g.table, "ds")) >= 3, "several as-of days in that commit"
        one_pass[g.table] = _sorted(lh, g.table)
    assert set(summary["group_seconds"]) == {g.table for g in groups.values()}, "each pass is timed"
    assert all(s >= 0 for s in summary["group_seconds"].values())

    monkeypatch.setattr(features_job, "GROUPS",
                        {n: replace(g, compute_days=None) for n, g in groups.items()})
    features_job.run(ctx)
    for g in groups.values():
        assert lh.version(g.table) == 1, f"{g.table}: the per-day path commits once too"
        _same(_sorted(lh, g.table), one_pass[g.table])
