"""Left semantics: every entity row comes back exactly once (duplicates included), with all its
own columns untouched and nulls where nothing is known — unknown entities, null keys, entities
whose only values are in the future."""
import random
from datetime import datetime, timedelta, timezone


def t(day, hour=0):
    return datetime(2026, 9, day, hour, tzinfo=timezone.utc)


def test_every_row_once_with_nulls(spark, pit_join):
    entities = [("p1", t(10), 1.0), ("p1", t(10), 2.0), ("unknown", t(10), 3.0),
                (None, t(10), 4.0), ("p2", t(10), 5.0), ("p3", None, 6.0)]
    features = [("p1", t(9), t(9), 10.0, 1), ("p2", t(11), t(11), 20.0, 2),
                (None, t(9), t(9), 30.0, 3), ("p3", t(9), t(9), 40.0, 4),
                ("p1", None, t(9), 50.0, 5), ("p1", t(9, 12), None, 60.0, 6)]
    e = spark.createDataFrame(entities, "person_id string, ts timestamp, label double")
    f = spark.createDataFrame(features, "person_id string, event_ts timestamp, "
                              "written_at timestamp, spend double, visits int")
    out = pit_join(e, f, timedelta(days=30))
    assert out.columns == ["person_id", "ts", "label", "spend", "visits"]
    rows = sorted((r.label, r.spend, r.visits) for r in out.collect())
    assert rows == [(1.0, 10.0, 1), (2.0, 10.0, 1), (3.0, None, None), (4.0, None, None),
                    (5.0, None, None), (6.0, None, None)]


def test_row_count_preserved_at_scale(spark, pit_join):
    rnd = random.Random(3)
    ents = [(f"p{rnd.randrange(300)}", t(1) + timedelta(hours=rnd.randrange(24 * 28)), i)
            for i in range(2000)]
    feats = [(f"p{rnd.randrange(400)}", ts := t(1) + timedelta(hours=rnd.randrange(24 * 28)),
              ts + timedelta(hours=rnd.choice([0, 0, 1, 200])), float(i)) for i in range(3000)]
    e = spark.createDataFrame(ents, "person_id string, ts timestamp, row_id int")
    f = spark.createDataFrame(feats, "person_id string, event_ts timestamp, written_at timestamp, v double")
    out = pit_join(e, f, timedelta(days=7))
    ids = [r.row_id for r in out.select("row_id").collect()]
    assert sorted(ids) == list(range(2000))
    assert 0 < out.where("v IS NULL").count() < 2000
