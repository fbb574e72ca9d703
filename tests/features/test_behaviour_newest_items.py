"""behaviour's item lists on a hand-made frame: distinct items, newest first, ties on the
timestamp → item id, microseconds apart still ordered, at most ``n``, only matching events."""
from datetime import datetime, timedelta, timezone

from pyspark.sql import functions as F

from tailor.features import behaviour
from tailor.features.registry import GROUPS

AT = datetime(2026, 9, 10, tzinfo=timezone.utc)
T = AT - timedelta(hours=5)
SCHEMA = "person_id string, event_type string, event_ts timestamp, item_id string, ingested_at timestamp"


def frame(spark):
    us = timedelta(microseconds=1)
    rows = [
        ("p1", "view", T, "b", T), ("p1", "view", T, "a", T),            # a tie: a before b
        ("p1", "view", T + us, "c", T),                                  # one µs newer: first
        ("p1", "view", T - timedelta(hours=1), "c", T),                  # c again, older: once
        ("p1", "purchase", T - timedelta(hours=2), "d", T),              # bought, never viewed
        ("p1", "view", T - timedelta(hours=3), "e", T),
        ("p1", "page_view", T + us, None, T),                            # no item: ignored
        ("p2", "add_to_cart", T, "a", T),                                # only a cart: empty lists
    ]
    return spark.createDataFrame(rows, SCHEMA)


def test_recent_items_newest_first_ties_by_item(spark):
    rows = {r.person_id: r.seeds for r in
            behaviour.recent_items(frame(spark), F.lit(True), "seeds", n=4).collect()}
    assert rows == {"p1": ["c", "a", "b", "d"], "p2": ["a"]}
    views = {r.person_id: r.v for r in behaviour.recent_items(
        frame(spark), F.col("event_type") == "view", "v").collect()}
    assert views == {"p1": ["c", "a", "b", "e"]}        # p2 viewed nothing: no row


def test_group_counts_distinct_items_and_lists_newest(spark):
    rows = {r.person_id: r.asDict() for r in GROUPS["behaviour"].compute(frame(spark), AT).collect()}
    p1, p2 = rows["p1"], rows["p2"]
    assert p1["items_viewed_7d"] == 4 and p1["items_bought_7d"] == 1
    assert p1["last_viewed_items"] == ["c", "a", "b", "e"] and p1["last_bought_items"] == ["d"]
    assert p2["items_viewed_7d"] == 0 and p2["items_bought_7d"] == 0
    assert p2["last_viewed_items"] == [] and p2["last_bought_items"] == []
