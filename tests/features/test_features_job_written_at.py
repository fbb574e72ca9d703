"""Live clock: the features job materialises every registered group as features.<group>_v<N>
for ds with ``ds`` and a ``written_at`` wall-clock timestamp; a rerun replaces the ds partition
instead of appending to it and keeps past cutoff days an earlier run wrote."""
from datetime import datetime, timezone

from tailor.features.registry import GROUPS
from tailor.jobs import materialize_features as features_job
from tailor.runtime import JobContext

DS = "2026-09-09"
SCHEMA = ("person_id string, event_type string, event_ts timestamp, item_id string, category string, "
          "price double, quantity int, channel string, message_id string, send_hour int, "
          "discount double")


def ts(day, hour=12, minute=0, month=9):
    return datetime(2026, month, day, hour, minute, tzinfo=timezone.utc)


# Buyers with 1-4 purchase days in August, so the clv group has a population to fit.
BUYERS = [(f"b{n}", "purchase", ts(1 + n % 7 + 6 * j, month=8), "i1", "shoes", 10.0 + n, 1,
           None, None, None, None) for n in range(30) for j in range(n % 4 + 1)]


def test_every_group_written_with_written_at_and_idempotent(spark, cfg_with, as_table):
    from tailor.lakehouse import Lakehouse

    cfg = cfg_with(clock={"mode": "live"}, models={"training_cutoffs": 1, "label_horizon_days": 1,
                                                          "cutoff_anchor": "ds"})
    lakehouse = Lakehouse(cfg, spark)
    rows = [("p1", "view", ts(8), "i1", "shoes", 30.0, None, None, None, None, None),
            ("p1", "view", ts(8, 12, 5), "i2", "hats", 10.0, None, None, None, None, None),
            ("p1", "purchase", ts(8, 12, 10), "i2", "hats", 10.0, 1, None, None, None, None),
            ("p1", "message_sent", ts(7), None, None, None, None, "email", "m1", 19, 0.0),
            ("p2", "view", ts(9), "i1", "shoes", 30.0, None, None, None, None, None), *BUYERS]
    lakehouse.write(as_table(spark.createDataFrame(rows, SCHEMA), "silver.events"), "silver.events",
                    mode="overwrite")
    ctx = JobContext(cfg=cfg, ds=DS, job="features", _spark=spark, _lakehouse=lakehouse)
    before = datetime.now(timezone.utc)
    summary = features_job.run(ctx)
    first = {g.table: lakehouse.count(g.table, partitions={"ds": DS}) for g in GROUPS.values()}
    assert all(first.values()), first
    for g in GROUPS.values():
        frame = lakehouse.read_arrow(g.table, partitions={"ds": DS}, columns=["ds", "written_at"])
        assert set(frame.column("ds").to_pylist()) == {DS}
        stamps = frame.column("written_at").to_pylist()
        assert all(s is not None and s.replace(tzinfo=timezone.utc) >= before.replace(microsecond=0)
                   for s in stamps), g.table
        assert summary["fingerprints"][g.table] == g.fingerprint()
    # every earlier as-of day the first run wrote rows for (the cutoff 09-08 at least; the
    # policy's context days before the first event have no rows, so nothing to keep)
    earlier = {f"{g.table}@{day}" for g in GROUPS.values() for day in features_job.asof_days(ctx)[1:]
               if lakehouse.count(g.table, partitions={"ds": day})}
    assert {f"{g.table}@2026-09-08" for g in GROUPS.values()} <= earlier
    again = features_job.run(ctx)
    # live clock: a past cutoff day written by an earlier run keeps its rows and write time
    assert set(again["kept"]) == earlier
    assert {g.table: lakehouse.count(g.table, partitions={"ds": DS}) for g in GROUPS.values()} == first
