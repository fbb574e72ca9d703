"""Replay clock: each as-of day is computed only from events that had arrived by that day's
write instant (end of day + run delay) and stamped with it, so a late event never leaks into an
earlier day and a rerun writes identical rows."""
from datetime import datetime, timedelta, timezone

from tailor.features.registry import GROUPS
from tailor.jobs import materialize_features as features_job
from tailor.runtime import JobContext

DS = "2026-09-30"          # two cutoffs (horizon 14, step 7): 09-16 and 09-09
SCHEMA = ("person_id string, event_type string, event_ts timestamp, item_id string, category string, "
          "price double, quantity int, channel string, message_id string, send_hour int, "
          "discount double, ingested_at timestamp")


def ts(month, day, hour=12):
    return datetime(2026, month, day, hour, tzinfo=timezone.utc)


def test_late_event_stays_out_of_earlier_days_and_rerun_is_identical(spark, cfg_with, as_table):
    from tailor.lakehouse import Lakehouse

    cfg = cfg_with(clock={"mode": "replay", "run_delay_minutes": 60},
                   models={"training_cutoffs": 2, "cutoff_anchor": "ds"})
    lh = Lakehouse(cfg, spark)
    on_time = ("p1", "purchase", ts(9, 8), "i1", "hats", 10.0, 1, None, None, None, None, ts(9, 9, 0))
    # happened on 09-08 but reached the lakehouse on 09-20: unknown to the 09-09 and 09-16 runs
    late = ("p2", "purchase", ts(9, 8), "i2", "hats", 20.0, 1, None, None, None, None, ts(9, 20, 0))
    lh.write(as_table(spark.createDataFrame([on_time, late], SCHEMA), "silver.events"),
             "silver.events", mode="overwrite")
    ctx = JobContext(cfg=cfg, ds=DS, job="features", _spark=spark, _lakehouse=lh)

    summary = features_job.run(ctx)
    assert summary["clock"] == "replay"
    profile = GROUPS["profile"].table

    def persons(day):
        return sorted(lh.read_arrow(profile, partitions={"ds": day},
                                    columns=["person_id"]).column("person_id").to_pylist())

    assert persons("2026-09-09") == ["p1"]
    assert persons("2026-09-16") == ["p1"]
    assert persons(DS) == ["p1", "p2"]
    stamps = set(lh.read_arrow(profile, partitions={"ds": "2026-09-09"},
                               columns=["written_at"]).column("written_at").to_pylist())
    assert {s.replace(tzinfo=timezone.utc) for s in stamps} == {ts(9, 10, 0) + timedelta(hours=1)}

    before = lh.read_arrow(profile).sort_by([("ds", "ascending"), ("person_id", "ascending")])
    features_job.run(ctx)
    after = lh.read_arrow(profile).sort_by([("ds", "ascending"), ("person_id", "ascending")])
    assert after.equals(before)


def test_replay_keep_written_keeps_earlier_days_and_computes_the_new_ones(spark, cfg_with, as_table):
    """``clock.replay_keep_written``: a day-by-day replay keeps the as-of days earlier runs wrote
    (what each day's run knew) and computes only days not yet written."""
    from tailor.lakehouse import Lakehouse

    cfg = cfg_with(clock={"mode": "replay", "run_delay_minutes": 60, "replay_keep_written": True},
                   models={"training_cutoffs": 2, "cutoff_anchor": "ds"},  # as-of: ds, 09-16, 09-09
                   policy={"outcomes": {"lookback_days": 1, "feature_step_days": 7}})
    lh = Lakehouse(cfg, spark)
    first = ("p1", "purchase", ts(9, 8), "i1", "hats", 10.0, 1, None, None, None, None, ts(9, 9, 0))
    lh.write(as_table(spark.createDataFrame([first], SCHEMA), "silver.events"), "silver.events",
             mode="overwrite")
    ctx = JobContext(cfg=cfg, ds=DS, job="features", _spark=spark, _lakehouse=lh)
    assert not features_job.run(ctx)["kept"]
    # silver changes under the written days (e.g. identity re-keyed a person): p3 appears on 09-08
    third = ("p3", "purchase", ts(9, 8), "i1", "hats", 10.0, 1, None, None, None, None, ts(9, 9, 0))
    lh.write(as_table(spark.createDataFrame([first, third], SCHEMA), "silver.events"),
             "silver.events", mode="overwrite")
    summary = features_job.run(ctx)
    profile = GROUPS["profile"].table
    assert f"{profile}@2026-09-09" in summary["kept"] and f"{profile}@{DS}" in summary["written"]

    def persons(day):
        return sorted(lh.read_arrow(profile, partitions={"ds": day},
                                    columns=["person_id"]).column("person_id").to_pylist())

    assert persons("2026-09-09") == ["p1"]          # kept as the first run wrote it
    assert persons(DS) == ["p1", "p3"]               # ds is always recomputed
