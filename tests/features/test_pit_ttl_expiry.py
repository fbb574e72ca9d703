"""TTL: a value whose event time is ttl or more before the cutoff is expired (null), even when
it is the only value ever known; a fresher value within the TTL is used."""
from datetime import datetime, timedelta, timezone

SCHEMA_F = "person_id string, event_ts timestamp, written_at timestamp, spend double"


def t(day, hour=0):
    return datetime(2026, 9, day, hour, tzinfo=timezone.utc)


def test_values_older_than_ttl_are_null(spark, pit_join):
    entities = spark.createDataFrame([("p1", t(20)), ("p2", t(20)), ("p3", t(20))],
                                     "person_id string, ts timestamp")
    features = spark.createDataFrame([
        ("p1", t(12), t(12), 1.0),                    # 8 days old: expired at ttl=7d
        ("p2", t(13, 0), t(13), 2.0),                 # exactly 7 days: expired (strict >)
        ("p3", t(13, 1), t(13, 1), 3.0),              # 6 d 23 h: fresh
    ], SCHEMA_F)
    out = {r.person_id: r.spend for r in pit_join(entities, features, timedelta(days=7)).collect()}
    assert out == {"p1": None, "p2": None, "p3": 3.0}


def test_no_ttl_means_no_expiry(spark, pit_join):
    entities = spark.createDataFrame([("p1", t(20))], "person_id string, ts timestamp")
    features = spark.createDataFrame([("p1", t(1), t(1), 1.0)], SCHEMA_F)
    assert pit_join(entities, features, None).collect()[0].spend == 1.0


def test_ttl_counts_from_event_time_not_write_time(spark, pit_join):
    """A value backfilled recently is still as old as its event."""
    entities = spark.createDataFrame([("p1", t(20))], "person_id string, ts timestamp")
    features = spark.createDataFrame([("p1", t(1), t(19), 1.0)], SCHEMA_F)
    assert pit_join(entities, features, timedelta(days=7)).collect()[0].spend is None
