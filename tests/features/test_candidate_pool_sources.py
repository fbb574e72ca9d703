"""The candidate pool: each person gets exactly per_user distinct items while the catalog has
them; with seen_items=keep the person's own purchases ("buy_again") and views ("recent") are
sources; with exclude nothing they touched before the cutoff is ever a candidate."""
from datetime import datetime, timezone

import pytest
from pyspark.sql import functions as F

from tailor.features.candidates import candidate_pairs
from tailor.features.registry import GROUPS

AT = datetime(2026, 9, 10, tzinfo=timezone.utc)
SCHEMA = ("person_id string, event_type string, event_ts timestamp, item_id string, category string, "
          "price double, quantity int")
PER_USER = 4


def day(d, h=12):
    return datetime(2026, 9, d, h, tzinfo=timezone.utc)


def events(spark, favourite="hats"):
    rows = [("p", "view", day(1), "i8", "hats", None, None),          # p's old view
            ("p", "purchase", day(2), "i9", "hats", 5.0, 1),          # p buys i9 twice
            ("p", "purchase", day(5), "i9", "hats", 5.0, 1)]
    if favourite != "hats":   # p browses another category more, so hats is not the favourite
        rows += [("p", "view", day(6, h), "b1", favourite, None, None) for h in range(8, 14)]
    # a crowd makes i0..i5 popular (i0 the most), in category shoes
    rows += [(f"c{n}", "view", day(3), f"i{i}", "shoes", None, None)
             for n in range(12) for i in range(6) if n < 12 - 2 * i]
    return spark.createDataFrame(rows, SCHEMA)


def pool(spark, seen, favourite="hats"):
    ev = events(spark, favourite)
    profile = GROUPS["profile"].compute(ev, AT)
    items = GROUPS["item_stats"].compute(ev, AT)
    return {(r["item_id"], r["source"]) for r in
            candidate_pairs(profile, items, ev, AT, PER_USER, seen=seen)
            .where(F.col("person_id") == "p").collect()}


def test_keep_proposes_buy_again_and_recent_and_fills_the_pool(spark):
    got = pool(spark, "keep", favourite="books")
    assert ("i9", "buy_again") in got and ("i8", "recent") in got
    assert len(got) == PER_USER and len({item for item, _ in got}) == PER_USER
    got = pool(spark, "keep")
    assert len(got) == PER_USER and len({item for item, _ in got}) == PER_USER
    # i9 is also the top of p's favourite category (hats): one pair, its first source in order
    assert ("i9", "category") in got and ("i8", "recent") in got


def test_exclude_never_offers_what_the_person_touched(spark):
    got = pool(spark, "exclude")
    items = {item for item, _ in got}
    assert len(items) == PER_USER and not items & {"i8", "i9"}
    assert {source for _, source in got} <= {"popular", "category", "covisit"}


def test_unknown_rule_is_refused(spark):
    with pytest.raises(ValueError, match="seen must be one of"):
        pool(spark, "sometimes")


def test_popular_counts_from_the_first_unseen_item(spark):
    """p saw the two most popular items: popular's position 1 is the third, so it still takes
    its turn at the head of the pool instead of queuing behind every other source."""
    from tailor.features.candidates import proposals

    ev = events(spark).unionByName(spark.createDataFrame(
        [("p", "view", day(4), "i0", "shoes", None, None),
         ("p", "view", day(4), "i1", "shoes", None, None)], SCHEMA))
    profile = GROUPS["profile"].compute(ev, AT)
    items = GROUPS["item_stats"].compute(ev, AT)
    popular = (proposals(profile, items, ev, AT, 3, seen="exclude")
               .where((F.col("person_id") == "p") & (F.col("source") == "popular"))
               .orderBy("position").collect())
    assert [(r["item_id"], r["position"]) for r in popular] == [("i2", 1), ("i3", 2), ("i4", 3)]
