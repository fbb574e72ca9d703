"""Event-time leakage: a feature row whose event time is after the cutoff is never used,
however early it was written (e.g. a pre-computed forecast or a clock-skewed source)."""
from datetime import datetime, timedelta, timezone

SCHEMA_F = "person_id string, event_ts timestamp, written_at timestamp, spend double"


def t(day, hour=0):
    return datetime(2026, 9, day, hour, tzinfo=timezone.utc)


def test_future_event_is_never_used(spark, pit_join):
    entities = spark.createDataFrame([("p1", t(10)), ("p2", t(10))], "person_id string, ts timestamp")
    features = spark.createDataFrame([
        ("p1", t(5), t(5), 1.0),
        ("p1", t(10, 1), t(1), 99.0),     # event an hour after the cutoff, "written" before it
        ("p2", t(11), t(11), 7.0),        # p2 only has a future value
    ], SCHEMA_F)
    rows = {r.person_id: r.spend for r in pit_join(entities, features, timedelta(days=90)).collect()}
    assert rows == {"p1": 1.0, "p2": None}


def test_event_exactly_at_cutoff_is_usable(spark, pit_join):
    entities = spark.createDataFrame([("p1", t(10))], "person_id string, ts timestamp")
    features = spark.createDataFrame([("p1", t(10), t(10), 3.0),
                                      ("p1", t(10) + timedelta(microseconds=1), t(9), 4.0)], SCHEMA_F)
    assert pit_join(entities, features, timedelta(days=1)).collect()[0].spend == 3.0
