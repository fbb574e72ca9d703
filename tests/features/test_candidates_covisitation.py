"""Candidates include items co-visited with what a person touched last week, scored by
covisit_score, and the materialised covisitation table gives the same rows as computing it
on the fly (training passes neither / scoring passes the table)."""
from datetime import datetime, timezone

from tailor.features.candidates import RANKER_FEATURES, candidates
from tailor.features.registry import GROUPS

AT = datetime(2026, 9, 10, tzinfo=timezone.utc)
SCHEMA = ("person_id string, event_type string, event_ts timestamp, item_id string, category string, "
          "price double, quantity int")


def ts(day, hour, minute=0):
    return datetime(2026, 9, day, hour, minute, tzinfo=timezone.utc)


def test_covisited_item_becomes_a_candidate(spark):
    rows = [(f"q{i}", "view", ts(5, 10 + i), "pop", "a", 5.0, None) for i in range(6)]  # a bestseller
    rows += [("x", "view", ts(6, 9), "i1", "b", 20.0, None),     # x's session: i1 then rare i9
             ("x", "view", ts(6, 9, 10), "i9", "c", 50.0, None),
             ("p", "view", ts(8, 20), "i1", "b", 20.0, None)]    # p only saw i1
    events = spark.createDataFrame(rows, SCHEMA)
    profile = GROUPS["profile"].compute(events, AT)
    items = GROUPS["item_stats"].compute(events, AT)
    on_the_fly = candidates(profile, items, events, AT, per_user=3)
    got = {(r.person_id, r.item_id): r for r in on_the_fly.collect()}
    assert ("p", "i9") in got, "i9 was co-visited with i1, which p viewed"
    assert got[("p", "i9")].covisit_score > 0 and got[("p", "pop")].covisit_score == 0.0
    assert on_the_fly.columns == ["person_id", "item_id", *RANKER_FEATURES]
    table = GROUPS["covisitation"].compute(events, AT)
    materialised = candidates(profile, items, events, AT, per_user=3, covisitation=table)
    assert sorted(map(tuple, materialised.collect())) == sorted(map(tuple, on_the_fly.collect()))
