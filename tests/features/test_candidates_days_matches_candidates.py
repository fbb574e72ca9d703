"""Training's one-plan path: ``candidates_days`` over several as-of days gives, day by day,
exactly the rows and values of ``candidates`` run at that day alone (scoring's path), with
both ``seen`` modes — the pool (every source, the interleave, excluding what a person saw by
that day) and every ranker feature. Days are adjacent and far apart, so a person's touches,
favourite category, co-visited items and the catalog's popularity all differ between them."""
import random
from datetime import datetime, timedelta, timezone

import pytest
from pyspark.sql import functions as F

from tailor.clock import day_end
from tailor.features.candidates import RANKER_FEATURES, candidates, candidates_days
from tailor.features.registry import GROUPS
from tailor.features.windows import DAY, day_frame

SCHEMA = ("person_id string, event_type string, event_ts timestamp, item_id string, "
          "category string, price double, quantity int, ingested_at timestamp")
DAYS = ["2026-08-20", "2026-09-09", "2026-09-10"]
CATEGORY = {f"i{n}": ("shoes", "hats", "bags", "books")[n % 4] for n in range(18)}
PER_USER = 6


def _events(spark):
    rng = random.Random(7)
    start, span = datetime(2026, 7, 1, tzinfo=timezone.utc), 72 * 86400
    rows = []
    for n in range(12):
        liked = rng.sample(sorted(CATEGORY), 5)
        for _ in range(rng.randint(2, 8)):                # sessions, some right before a day
            t = start + timedelta(seconds=rng.randrange(span))
            for _ in range(rng.randint(1, 6)):
                t += timedelta(minutes=rng.randint(1, 40))
                item = rng.choice(liked)
                kind = rng.choices(["view", "add_to_cart", "purchase"], [6, 2, 2])[0]
                rows.append((f"p{n}", kind, t, item, CATEGORY[item],
                             5.0 + int(item[1:]) if kind == "purchase" else None,
                             1 if kind == "purchase" else None, t))
    edge = day_end(DAYS[1])                               # at the instant: counts for the next day
    rows.append(("p0", "purchase", edge, "i17", CATEGORY["i17"], 22.0, 1, edge))
    return spark.createDataFrame(rows, SCHEMA)


def _rows(frame, day=None):
    out = set()
    for r in frame.collect():
        d = r.asDict()
        key = (day or d.pop(DAY), d["person_id"], d["item_id"])
        out.add((*key, *(None if d[c] is None else round(d[c], 9) for c in RANKER_FEATURES)))
    return out


@pytest.mark.parametrize("seen", ["keep", "exclude"])
def test_candidates_days_equal_candidates_day_by_day(spark, seen):
    events = _events(spark)
    days = day_frame(spark, dict.fromkeys(DAYS))
    keyed = {name: GROUPS[name].compute_days(events, days)
             for name in ("profile", "item_stats", "covisitation")}
    fast = candidates_days(keyed["profile"], keyed["item_stats"], events, days, PER_USER,
                           covisitation=keyed["covisitation"], seen=seen)
    assert fast.columns == [DAY, "person_id", "item_id", *RANKER_FEATURES]
    slow = set()
    for day in DAYS:
        at = day_end(day)
        profile, items, covis = (GROUPS[n].compute(events, at)
                                 for n in ("profile", "item_stats", "covisitation"))
        slow |= _rows(candidates(profile, items, events, at, PER_USER, covisitation=covis,
                                 seen=seen), day)
    got = _rows(fast)
    assert got == slow
    assert {r[0] for r in got} == set(DAYS) and len(got) > 3 * PER_USER * 5
    # the days really differ: a person's pool or features change between adjacent days
    by_day = {d: {r[1:] for r in got if r[0] == d} for d in DAYS}
    assert by_day[DAYS[1]] != by_day[DAYS[2]]


def test_candidates_days_computes_covisitation_when_not_given(spark):
    events = _events(spark)
    days = day_frame(spark, dict.fromkeys(DAYS[1:]))
    profile = GROUPS["profile"].compute_days(events, days)
    items = GROUPS["item_stats"].compute_days(events, days)
    given = candidates_days(profile, items, events, days, PER_USER,
                            covisitation=GROUPS["covisitation"].compute_days(events, days))
    computed = candidates_days(profile, items, events, days, PER_USER)
    assert _rows(computed) == _rows(given)
    assert computed.where(F.col("covisit_score") > 0).count() > 0
