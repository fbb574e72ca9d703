"""Many cutoffs at once: the same entity at several timestamps gets, at each, the value known
then — identical to joining each cutoff separately; composite keys work too."""
import random
from datetime import datetime, timedelta, timezone


def t(day, hour=0):
    return datetime(2026, 9, day, hour, tzinfo=timezone.utc)


def test_each_cutoff_sees_its_own_past(spark, pit_join):
    cutoffs = [t(d) for d in (2, 5, 8, 11, 14)]
    e = spark.createDataFrame([("p1", c) for c in cutoffs], "person_id string, ts timestamp")
    f = spark.createDataFrame([("p1", t(d), t(d + 1), float(d)) for d in (1, 4, 6, 12)],
                              "person_id string, event_ts timestamp, written_at timestamp, v double")
    out = {r.ts.day: r.v for r in pit_join(e, f, timedelta(days=4)).collect()}
    # day 2: day-1 value written day 2; day 5: day-4 value (written 5); day 8: day-6 (written 7);
    # day 11: day-6 is 5 days old > ttl 4 → null; day 14: day-12 written 13.
    assert out == {2: 1.0, 5: 4.0, 8: 6.0, 11: None, 14: 12.0}


def test_all_cutoffs_at_once_equals_one_at_a_time(spark, pit_join):
    rnd = random.Random(11)
    keys = [(f"s{rnd.randrange(5)}", rnd.randrange(20)) for _ in range(400)]
    feats = [(*rnd.choice(keys), ts := t(1) + timedelta(hours=rnd.randrange(24 * 20)),
              ts + timedelta(hours=rnd.choice([0, 3, 50])), float(i)) for i in range(1200)]
    f = spark.createDataFrame(feats, "shop string, item int, event_ts timestamp, written_at timestamp, v double")
    cutoffs = [t(d) for d in (4, 9, 14, 19)]
    ents = [(s, i, c) for (s, i) in set(keys) for c in cutoffs]
    e = spark.createDataFrame(ents, "shop string, item int, ts timestamp")
    together = sorted(map(tuple, pit_join(e, f, timedelta(days=5), keys=["shop", "item"]).collect()))
    apart = []
    for c in cutoffs:
        apart += map(tuple, pit_join(e.where(e.ts == c), f, timedelta(days=5),
                                     keys=["shop", "item"]).collect())
    assert together == sorted(apart) and len(together) == len(ents)
