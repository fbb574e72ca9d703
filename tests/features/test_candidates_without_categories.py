"""Data without item categories (and persons whose events carry none) gives every candidate a
defined category_match of 0 ("no match known", features.candidates.FILLS), never null; the
category source then adds nothing, no (person, item) pair repeats and every pool still holds
exactly per_user candidates (popularity fills it)."""
from datetime import datetime, timezone

from pyspark.sql import functions as F

from tailor.features.candidates import FILLS, RANKER_FEATURES, candidates
from tailor.features.registry import GROUPS

AT = datetime(2026, 9, 10, tzinfo=timezone.utc)
SCHEMA = ("person_id string, event_type string, event_ts timestamp, item_id string, category string, "
          "price double, quantity int")
PER_USER = 6


def _events(spark, category_of):
    rows = []
    for p in range(5):
        for i in range(8):
            if (p + i) % 3 == 0:
                rows.append((f"p{p}", "view", datetime(2026, 9, 2 + i % 7, 10 + p, tzinfo=timezone.utc),
                             f"i{i}", category_of(i), None, None))
            if (p * i) % 5 == 1:
                rows.append((f"p{p}", "purchase", datetime(2026, 9, 3 + i % 6, 12, tzinfo=timezone.utc),
                             f"i{i}", category_of(i), 10.0 + i, 1))
    return spark.createDataFrame(rows, SCHEMA)


def _candidates(events):
    profile = GROUPS["profile"].compute(events, AT)
    items = GROUPS["item_stats"].compute(events, AT)
    return candidates(profile, items, events, AT, per_user=PER_USER)


def _check_shape(frame):
    assert frame.columns == ["person_id", "item_id", *RANKER_FEATURES]
    pairs = frame.groupBy("person_id", "item_id").count()
    assert pairs.where(F.col("count") > 1).count() == 0, "a (person, item) pair repeats"
    per_person = [r["count"] for r in frame.groupBy("person_id").count().collect()]
    # the catalog (8 items) is larger than the pool: every pool is full, never over
    assert per_person == [PER_USER] * 5, per_person


def test_no_categories_at_all(spark):
    got = _candidates(_events(spark, lambda i: None))
    _check_shape(got)
    assert FILLS["category_match"] == 0
    values = {r["category_match"] for r in got.select("category_match").collect()}
    assert values == {0.0}
    nulls = {c: got.where(F.col(c).isNull()).count() for c in RANKER_FEATURES}
    # only an item nobody bought (views carry no price here) has no price, and so no price_ratio
    assert {c for c, n in nulls.items() if n} <= {"price", "price_ratio"}
    unpriced = {r["item_id"] for r in got.where(F.col("price").isNull()).select("item_id").collect()}
    priced = {r["item_id"] for r in _events(got.sparkSession, lambda i: None)
              .where(F.col("price").isNotNull()).select("item_id").collect()}
    assert not unpriced & priced


def test_one_category_and_uncategorised_items(spark):
    """One real category on half the items (i0, i2, ...), none on the others: a candidate
    matches exactly when the item is in the person's favourite (the only) category."""
    got = _candidates(_events(spark, lambda i: "books" if i % 2 == 0 else None))
    _check_shape(got)
    rows = got.select("item_id", "category_match").collect()
    assert {r["category_match"] for r in rows} == {0.0, 1.0}
    assert all(r["category_match"] == (1.0 if int(r["item_id"][1:]) % 2 == 0 else 0.0)
               for r in rows)


def test_literal_unknown_category_is_not_a_match_for_people_without_one(spark):
    """The profile fills a person without categories with "unknown": an item whose category is
    literally "unknown" must not match it (nor be offered as that person's favourite)."""
    events = _events(spark, lambda i: None).unionByName(spark.createDataFrame(
        [("z", "view", datetime(2026, 9, 9, 8, tzinfo=timezone.utc), "iz", "unknown", None, None)],
        SCHEMA))
    got = _candidates(events)
    assert got.where(F.col("category_match") != 0).count() == 0
