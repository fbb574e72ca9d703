"""person_features_asof's ``step`` (e.g. checkpointing the frame after each group, as
training_sets and policy_outcomes do to keep every query's plan short) is applied once per group
and changes no row or value."""
from datetime import datetime, timezone

from pyspark.sql import functions as F

from tailor.features.assemble import person_features_asof
from tailor.features.registry import person_groups
from tailor.spark import checkpointed

DAYS = ["2026-09-08", "2026-09-09"]
SCHEMA = ("person_id string, event_type string, event_ts timestamp, item_id string, category string, "
          "price double, quantity int, channel string, message_id string, send_hour int, "
          "discount double")


def ts(day, hour=12):
    return datetime(2026, 9, day, hour, tzinfo=timezone.utc)


def test_step_after_each_group_changes_nothing(spark, lakehouse):
    rows = [
        ("p1", "view", ts(7), "i1", "shoes", 30.0, None, None, None, None, None),
        ("p1", "purchase", ts(7, 13), "i1", "shoes", 30.0, 1, None, None, None, None),
        ("p1", "message_sent", ts(6), None, None, None, None, "email", "m1", 19, 0.1),
        ("p1", "conversion", ts(8, 9), None, None, 27.0, None, "email", "m1", None, None),
        ("p2", "view", ts(2), "i2", "hats", 10.0, None, None, None, None, None),
        ("p3", "view", ts(9, 8), "i2", "hats", 10.0, None, None, None, None, None),
    ]
    events = spark.createDataFrame(rows, SCHEMA)
    for g in person_groups():   # both days in one write per group
        frames = []
        for day in DAYS:
            at = datetime.fromisoformat(day).replace(hour=23, minute=59, tzinfo=timezone.utc)
            frames.append(g.compute(events.where(F.col("event_ts") <= F.lit(at)), at)
                          .withColumn("ds", F.lit(day)).withColumn("written_at", F.lit(at)))
        lakehouse.write(frames[0].unionByName(frames[1]), g.table,
                        mode="overwrite_partitions", partition_by=["ds"])
    # entities known on the morning after each day (p3 only after its first event)
    entities = spark.createDataFrame(
        [(p, datetime(2026, 9, d, 6, tzinfo=timezone.utc)) for p in ("p1", "p2", "p3")
         for d in (9, 10)], "person_id string, known_at timestamp")

    calls = []

    def step(frame):
        calls.append(len(frame.columns))
        return checkpointed(frame)

    plain = person_features_asof(lakehouse, entities, DAYS)
    stepped = person_features_asof(lakehouse, entities, DAYS, step=step)

    assert len(calls) == len(person_groups()), "step runs once after every group"
    assert calls == sorted(calls) and calls[0] < calls[-1], "each step sees the frame grown"
    assert stepped.columns == plain.columns and stepped.dtypes == plain.dtypes
    key = ["person_id", "known_at"]
    a = [r.asDict(recursive=True) for r in plain.orderBy(*key).collect()]
    b = [r.asDict(recursive=True) for r in stepped.orderBy(*key).collect()]
    assert len(a) == 6 and a == b
