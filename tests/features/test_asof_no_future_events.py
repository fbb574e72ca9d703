"""Point in time: a feature computed as of T is unchanged by any event at or after T."""
from datetime import datetime, timezone

from features.registry import GROUPS

AT = datetime(2026, 9, 10, tzinfo=timezone.utc)
SCHEMA = ("person_id string, event_type string, event_ts timestamp, item_id string, category string, "
          "price double, quantity int, channel string, message_id string, send_hour int, "
          "discount double, granted boolean")


def events(spark, extra=()):
    def ts(s):
        return datetime.fromisoformat(s).replace(tzinfo=timezone.utc)

    rows = [("p1", "view", ts("2026-09-01T10:00:00"), "i1", "shoes", 30.0, None, None, None, None, None, None),
            ("p1", "purchase", ts("2026-09-02T10:00:00"), "i1", "shoes", 30.0, 2, None, None, None, None, None),
            ("p1", "message_sent", ts("2026-09-03T18:00:00"), None, None, None, None, "email", "m1", 18, 0.1, None),
            ("p1", "message_open", ts("2026-09-03T19:00:00"), None, None, None, None, "email", "m1", None, None, None),
            ("p2", "view", ts("2026-09-09T23:59:59"), "i2", "hats", 10.0, None, None, None, None, None, None),
            *extra]
    return spark.createDataFrame(rows, SCHEMA)


def test_future_events_do_not_change_any_group(spark):
    def ts(s):
        return datetime.fromisoformat(s).replace(tzinfo=timezone.utc)

    future = [("p1", "purchase", AT, "i2", "hats", 999.0, 1, None, None, None, None, None),
              ("p3", "view", ts("2026-09-11T00:00:00"), "i3", "bags", 5.0, None, None, None, None, None, None)]
    for group in GROUPS.values():
        key = "item_id" if group.entity == "item_id" else "person_id"
        before = sorted(map(tuple, group.compute(events(spark), AT).orderBy(key).collect()))
        after = sorted(map(tuple, group.compute(events(spark, future), AT).orderBy(key).collect()))
        assert before == after, group.name


def test_profile_values_as_of(spark):
    rows = {r.person_id: r for r in GROUPS["profile"].compute(events(spark), AT).collect()}
    p1 = rows["p1"]
    assert p1.frequency == 1 and p1.monetary == 60.0 and p1.favourite_category == "shoes"
    assert p1.preferred_hour == 18
    assert abs(p1.recency_days - 8 + 10 / 24) < 1e-6
