"""Write-time leakage: a row whose event time is before the cutoff but that was written to
the lakehouse (late-arriving, backfilled, corrected) after the cutoff is never used; the value
that was actually known at the cutoff is used instead."""
from datetime import datetime, timedelta, timezone

SCHEMA_F = "person_id string, event_ts timestamp, written_at timestamp, spend double"


def t(day, hour=0):
    return datetime(2026, 9, day, hour, tzinfo=timezone.utc)


def test_backfilled_row_is_invisible_before_it_was_written(spark, pit_join):
    entities = spark.createDataFrame([("p1", t(10)), ("p1", t(20)), ("p2", t(10))],
                                     "person_id string, ts timestamp")
    features = spark.createDataFrame([
        ("p1", t(3), t(4), 1.0),          # known since day 4
        ("p1", t(8), t(15), 2.0),         # day-8 value, backfilled on day 15
        ("p2", t(9), t(10, 1), 5.0),      # arrived an hour after p2's cutoff
    ], SCHEMA_F)
    out = {(r.person_id, r.ts.day): r.spend
           for r in pit_join(entities, features, timedelta(days=90)).collect()}
    assert out == {("p1", 10): 1.0, ("p1", 20): 2.0, ("p2", 10): None}


def test_late_row_does_not_override_a_newer_event(spark, pit_join):
    """Once visible, a backfilled old event still loses to a visible newer event."""
    entities = spark.createDataFrame([("p1", t(20))], "person_id string, ts timestamp")
    features = spark.createDataFrame([("p1", t(9), t(9), 9.0),
                                      ("p1", t(3), t(19), 3.0)], SCHEMA_F)
    assert pit_join(entities, features, timedelta(days=90)).collect()[0].spend == 9.0


def test_correction_written_after_cutoff_is_not_used(spark, pit_join):
    """Same event time rewritten later (a correction): the cutoff sees the original value."""
    entities = spark.createDataFrame([("p1", t(10)), ("p1", t(12))], "person_id string, ts timestamp")
    features = spark.createDataFrame([("p1", t(5), t(5), 1.0),
                                      ("p1", t(5), t(11), 100.0)], SCHEMA_F)
    out = {r.ts.day: r.spend for r in pit_join(entities, features, timedelta(days=90)).collect()}
    assert out == {10: 1.0, 12: 100.0}
