"""Ties resolved deterministically: equal event times → the later written_at (the latest
correction known at the cutoff) wins; exact duplicates in time → the same answer whatever the
input order or partitioning; a value visible exactly at the cutoff is used."""
from datetime import datetime, timedelta, timezone

SCHEMA_F = "person_id string, event_ts timestamp, written_at timestamp, spend double"


def t(day, hour=0):
    return datetime(2026, 9, day, hour, tzinfo=timezone.utc)


def test_same_event_time_latest_write_wins(spark, pit_join):
    e = spark.createDataFrame([("p1", t(10))], "person_id string, ts timestamp")
    f = spark.createDataFrame([("p1", t(5), t(6), 1.0), ("p1", t(5), t(9), 2.0),
                               ("p1", t(5), t(7), 3.0)], SCHEMA_F)
    assert pit_join(e, f, timedelta(days=30)).collect()[0].spend == 2.0


def test_full_ties_are_order_independent(spark, pit_join):
    rows = [("p1", t(5), t(5), float(v)) for v in (3, 1, 2)]
    e = spark.createDataFrame([("p1", t(10))], "person_id string, ts timestamp")
    seen = set()
    for perm in (rows, rows[::-1], rows[1:] + rows[:1]):
        for parts in (1, 3):
            f = spark.createDataFrame(perm, SCHEMA_F).repartition(parts)
            seen.add(pit_join(e, f, timedelta(days=30)).collect()[0].spend)
    assert len(seen) == 1


def test_visible_exactly_at_cutoff_is_used(spark, pit_join):
    e = spark.createDataFrame([("p1", t(10)), ("p2", t(10))], "person_id string, ts timestamp")
    f = spark.createDataFrame([("p1", t(9), t(10), 1.0), ("p2", t(9), t(10) + timedelta(microseconds=1), 2.0)],
                              SCHEMA_F)
    out = {r.person_id: r.spend for r in pit_join(e, f, timedelta(days=30)).collect()}
    assert out == {"p1": 1.0, "p2": None}
