"""Point in time: a feature computed as of T is unchanged by any event at or after T, for every
registered group (and each group has rows to compare, so the check is not vacuous)."""
from datetime import datetime, timezone

import pytest

from tailor.features.registry import GROUPS

AT = datetime(2026, 9, 10, tzinfo=timezone.utc)
SCHEMA = ("person_id string, event_type string, event_ts timestamp, item_id string, category string, "
          "price double, quantity int, channel string, message_id string, send_hour int, "
          "discount double, granted boolean")


def ts(s):
    return datetime.fromisoformat(s).replace(tzinfo=timezone.utc)


def events(spark, extra=()):
    rows = [("p1", "view", ts("2026-09-01T10:00:00"), "i1", "shoes", 30.0, None, None, None, None, None, None),
            ("p1", "purchase", ts("2026-09-02T10:00:00"), "i1", "shoes", 30.0, 2, None, None, None, None, None),
            ("p1", "message_sent", ts("2026-09-03T18:00:00"), None, None, None, None, "email", "m1", 18, 0.1, None),
            ("p1", "message_open", ts("2026-09-03T19:00:00"), None, None, None, None, "email", "m1", None, None, None),
            ("p1", "conversion", ts("2026-09-03T19:30:00"), None, None, 27.0, None, "email", "m1", None, None, None),
            ("p2", "view", ts("2026-09-09T23:50:00"), "i3", "bags", 5.0, None, None, None, None, None, None),
            ("p2", "view", ts("2026-09-09T23:59:59"), "i2", "hats", 10.0, None, None, None, None, None, None),
            *BUYERS, *extra]
    return spark.createDataFrame(rows, SCHEMA)


# Buyers with 1-4 purchase days in August: enough repeat buyers for the clv group's fit (a
# leaked future order would move the population parameters, and so every buyer's values).
BUYERS = [(f"b{n}", "purchase", ts(f"2026-08-{1 + n % 7 + 6 * j:02d}T12:00:00"), "i1", "shoes",
           10.0 + n, 1, None, None, None, None, None) for n in range(30) for j in range(n % 4 + 1)]


# Events at or after AT touching every group: orders, views in p2's session, messages and their
# outcomes (incl. a late open / conversion of the pre-AT message m1), a new person.
FUTURE = [("p1", "purchase", AT, "i2", "hats", 999.0, 1, None, None, None, None, None),
          ("p2", "view", ts("2026-09-10T00:05:00"), "i1", "shoes", 30.0, None, None, None, None, None, None),
          ("p2", "add_to_cart", ts("2026-09-10T00:06:00"), "i3", "bags", 5.0, None, None, None, None, None, None),
          ("p1", "message_open", AT, None, None, None, None, "email", "m1", None, None, None),
          ("p1", "message_click", ts("2026-09-10T01:00:00"), None, None, None, None, "email", "m1", None, None, None),
          ("p1", "conversion", ts("2026-09-10T01:00:00"), None, None, 50.0, None, "email", "m1", None, None, None),
          ("p2", "message_sent", ts("2026-09-10T09:00:00"), None, None, None, None, "sms", "m2", 9, 0.2, None),
          ("p2", "message_open", ts("2026-09-10T09:30:00"), None, None, None, None, "sms", "m2", None, None, None),
          ("p3", "view", ts("2026-09-11T00:00:00"), "i3", "bags", 5.0, None, None, None, None, None, None)]


def _rows(group, frame):
    return sorted(map(repr, (tuple(r) for r in group.compute(frame, AT).collect())))


@pytest.mark.parametrize("name", list(GROUPS))
def test_future_events_do_not_change_group(spark, name):
    group = GROUPS[name]
    before = _rows(group, events(spark))
    after = _rows(group, events(spark, FUTURE))
    assert before, f"{group.table} computed no rows on the fixture: the check would be vacuous"
    assert before == after, f"{group.table} changed when events at or after the as-of instant were added"


def test_profile_values_as_of(spark):
    rows = {r.person_id: r for r in GROUPS["profile"].compute(events(spark), AT).collect()}
    p1 = rows["p1"]
    assert p1.frequency == 2 and p1.monetary == 87.0 and p1.favourite_category == "shoes"
    assert abs(p1.recency_days - (6 + 4.5 / 24)) < 1e-6   # last order: the 09-03 19:30 conversion
