"""Randomised check of every rule at once against a brute-force Python oracle: late writes,
duplicates, TTL edges, many cutoffs per entity."""
import random
from datetime import datetime, timedelta, timezone

T0 = datetime(2026, 9, 1, tzinfo=timezone.utc)


def oracle(ents, feats, ttl):
    out = []
    for key, ts, rid in ents:
        ok = [f for f in feats if f[0] == key and f[1] <= ts and f[2] <= ts and f[1] > ts - ttl]
        best = max(ok, key=lambda f: (f[1], f[2], f[3])) if ok else None
        out.append((rid, best[3] if best else None))
    return sorted(out)


def test_matches_bruteforce(spark, pit_join):
    rnd = random.Random(2026)
    hours = lambda n: timedelta(hours=n)  # noqa: E731
    ents = [(f"p{rnd.randrange(40)}", T0 + hours(rnd.randrange(24 * 10)), i) for i in range(600)]
    feats = []
    for _ in range(1500):
        ev = T0 + hours(rnd.randrange(24 * 10))
        feats.append((f"p{rnd.randrange(40)}", ev, ev + hours(rnd.choice([0, 0, 0, 1, 24, 72])),
                      float(rnd.randrange(50))))
    ttl = timedelta(days=2)
    e = spark.createDataFrame(ents, "person_id string, ts timestamp, rid int")
    f = spark.createDataFrame(feats, "person_id string, event_ts timestamp, written_at timestamp, v double")
    got = sorted((r.rid, r.v) for r in pit_join(e, f, ttl).collect())
    assert got == oracle(ents, feats, ttl)
