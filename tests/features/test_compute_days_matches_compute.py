"""The features job's one-pass path: for every registered group, ``compute_days`` over several
as-of days gives exactly the rows and values ``compute`` (the reference) gives day by day, on a
small event set with every edge the definitions have — events exactly at an as-of instant and at
the start of each look-back window (1 h, 24 h, 7, 30 and 90 days), late arrivals (replay: an
event counts for a day only if it arrived by that day's write instant, one exactly at it), an
event that never arrived, duplicated sends, opens after the cutoff, a binge session longer than
covisitation keeps, adjacent and far apart as-of days."""
import random
from datetime import datetime, timedelta, timezone

import pytest

from tailor.clock import day_end
from tailor.features.registry import GROUPS

SCHEMA = ("person_id string, event_type string, event_ts timestamp, item_id string, "
          "category string, price double, quantity int, channel string, message_id string, "
          "send_hour int, discount double, ingested_at timestamp")
DAYS = ["2026-08-15", "2026-09-09", "2026-09-10", "2026-09-20"]
DELAY = timedelta(minutes=60)          # the replay write instant: end of the day + 1 h
CHANNELS = ("email", "push", "sms", "in_app")
CATEGORY = {f"i{n}": ("shoes", "hats", "bags", "books", "toys")[n % 5] for n in range(24)}
PRICE = {item: 5.0 + 3 * n for n, item in enumerate(CATEGORY)}


def _arrived(when: datetime) -> datetime:
    """When a replayed event reached the lakehouse: the end of its day (its landing file)."""
    return day_end(when.date().isoformat())


def _random_events(rng: random.Random) -> list[tuple]:
    start, span = datetime(2026, 5, 20, tzinfo=timezone.utc), 125 * 86400
    rows = []

    def add(p, kind, when, item=None, price=None, qty=None, channel=None, msg=None, hour=None,
            discount=None, late=0.0):
        arrived = _arrived(when) + timedelta(hours=late)
        rows.append((p, kind, when, item, CATEGORY.get(item), price, qty, channel, msg, hour,
                     discount, arrived))

    for n in range(14):
        p = f"p{n}"
        liked = rng.sample(sorted(CATEGORY), 6)
        for _ in range(rng.randint(3, 12)):           # browsing sessions
            t = start + timedelta(seconds=rng.randrange(span))
            for _ in range(rng.randint(1, 9)):
                t += timedelta(seconds=rng.randint(10, 50 * 60))   # some gaps split sessions
                item = rng.choice(liked)
                kind = rng.choices(["view", "add_to_cart", "purchase"], [8, 2, 1])[0]
                late = rng.choice([0.0] * 8 + [30.0, 200.0])          # some arrive days late
                add(p, kind, t, item, PRICE[item] if kind != "view" else None,
                    rng.choice([None, 1, 2]) if kind == "purchase" else None, late=late)
        for m in range(rng.randint(0, 6)):            # messages and what came of them
            t = start + timedelta(seconds=rng.randrange(span))
            msg, ch = f"m{n}-{m}", rng.choice(CHANNELS)
            add(p, "message_sent", t, channel=ch, msg=msg, hour=t.hour,
                discount=rng.choice([None, 0.0, 0.1, 0.2]))
            for kind, hours in (("message_open", 2), ("message_open", 30), ("message_click", 3),
                                ("conversion", 5)):
                if rng.random() < 0.45:
                    item = rng.choice(liked)
                    add(p, kind, t + timedelta(hours=hours, seconds=rng.randint(0, 999)),
                        item if kind == "conversion" else None,
                        PRICE[item] * 0.9 if kind == "conversion" else None, channel=ch, msg=msg)
    return rows


def _edge_events() -> list[tuple]:
    at = day_end("2026-09-10")

    def e(p, kind, when, item="i1", arrived=None, **kw):
        price = kw.get("price", PRICE[item] if kind in ("purchase", "add_to_cart") else None)
        return (p, kind, when, item, CATEGORY[item], price, kw.get("qty"), None, None, None, None,
                arrived if arrived is not None else _arrived(when))

    boundaries = [at, at - timedelta(hours=1), at - timedelta(hours=24), at - timedelta(days=7),
                  at - timedelta(days=30), at - timedelta(days=90), day_end("2026-09-20")]
    rows = [e("edge", kind, when, item)
            for when in boundaries for kind, item in (("view", "i2"), ("purchase", "i3"))]
    rows += [
        # happened on 09-08; arrived just before, exactly at, and just after the 09-09 run
        e("late", "purchase", datetime(2026, 9, 8, 9, tzinfo=timezone.utc), "i4",
          day_end("2026-09-09") + DELAY - timedelta(seconds=1)),
        e("late", "view", datetime(2026, 9, 8, 10, tzinfo=timezone.utc), "i5",
          day_end("2026-09-09") + DELAY),
        e("late", "purchase", datetime(2026, 9, 8, 11, tzinfo=timezone.utc), "i6",
          day_end("2026-09-09") + DELAY + timedelta(microseconds=1)),
        # never arrived (no ingested_at): replay never counts it, live always does
        ("ghost", "purchase", datetime(2026, 9, 1, tzinfo=timezone.utc), "i7", CATEGORY["i7"],
         PRICE["i7"], 1, None, None, None, None, None),
        # a send logged twice, opened twice (once after the 09-09 cutoff), converted
        *[("late", "message_sent", datetime(2026, 9, 5, 18, tzinfo=timezone.utc), None, None, None,
           None, "email", "dup", 18, 0.15, _arrived(datetime(2026, 9, 5, tzinfo=timezone.utc)))] * 2,
        ("late", "message_open", datetime(2026, 9, 5, 19, tzinfo=timezone.utc), None, None, None,
         None, "email", "dup", None, None, _arrived(datetime(2026, 9, 5, tzinfo=timezone.utc))),
        ("late", "message_open", datetime(2026, 9, 10, 8, tzinfo=timezone.utc), None, None, None,
         None, "email", "dup", None, None, _arrived(datetime(2026, 9, 10, tzinfo=timezone.utc))),
        ("late", "conversion", datetime(2026, 9, 6, 8, tzinfo=timezone.utc), "i8", CATEGORY["i8"],
         40.0, None, "email", "dup", None, None, _arrived(datetime(2026, 9, 6, tzinfo=timezone.utc))),
    ]
    # a binge: 23 distinct items a minute apart (covisitation keeps the 20 most recent)
    binge = datetime(2026, 9, 9, 20, tzinfo=timezone.utc)
    rows += [e("binge", "view", binge + timedelta(minutes=k), f"i{k}") for k in range(23)]
    return rows


@pytest.fixture(scope="module")
def events(spark):
    return spark.createDataFrame(_random_events(random.Random(20260910)) + _edge_events(),
                                 SCHEMA).cache()


def _check(group, events, compare_with_per_day, replay: bool) -> None:
    assert group.compute_days is not None, f"{group.table} has no one-pass path"
    known_by = {d: (day_end(d) + DELAY if replay else None) for d in DAYS}
    compared = compare_with_per_day(group, events, known_by)
    assert compared >= 2 * len(DAYS), f"{group.table}: too few rows for the check to mean anything"


@pytest.mark.parametrize("name", list(GROUPS))
def test_compute_days_equals_compute_for_each_day(events, compare_with_per_day, name):
    """Replay clock: each day sees the events that had arrived by its write instant."""
    _check(GROUPS[name], events, compare_with_per_day, replay=True)


def test_live_clock_every_event_counts(events, compare_with_per_day):
    """Live clock (no arrival cutoff; the tagging is the same for every group)."""
    _check(GROUPS["profile"], events, compare_with_per_day, replay=False)
