"""person_features: one row per person of the profile group for ds, every person-entity group
left-joined with its fills, and the columns the lifecycle agent and the ranker read present and
non-null."""
from datetime import datetime, timezone

from pyspark.sql import functions as F

from tailor.events import CHANNELS
from tailor.features.assemble import person_features
from tailor.features.registry import GROUPS, person_groups

DS = "2026-09-09"
AT = datetime(2026, 9, 10, tzinfo=timezone.utc)
SCHEMA = ("person_id string, event_type string, event_ts timestamp, item_id string, category string, "
          "price double, quantity int, channel string, message_id string, send_hour int, "
          "discount double")


def ts(day, hour=12):
    return datetime(2026, 9, day, hour, tzinfo=timezone.utc)


def test_one_row_per_person_with_agent_columns(spark, lakehouse, cfg):
    rows = [
        # p1: active this week, messaged on email twice (one discounted, converted)
        ("p1", "view", ts(8), "i1", "shoes", 30.0, None, None, None, None, None),
        ("p1", "purchase", ts(8, 13), "i1", "shoes", 30.0, 1, None, None, None, None),
        ("p1", "message_sent", ts(5), None, None, None, None, "email", "m1", 19, 0.1),
        ("p1", "message_open", ts(5, 20), None, None, None, None, "email", "m1", None, None),
        ("p1", "conversion", ts(5, 21), None, None, 27.0, None, "email", "m1", None, None),
        ("p1", "message_sent", ts(6), None, None, None, None, "email", "m2", 9, 0.0),
        # p2: only seen long ago, never messaged (absent from behaviour / channel / discount)
        ("p2", "view", ts(1), "i2", "hats", 10.0, None, None, None, None, None),
        # p3: a new visitor yesterday
        ("p3", "view", ts(9), "i2", "hats", 10.0, None, None, None, None, None),
    ]
    events = spark.createDataFrame(rows, SCHEMA)
    written_at = datetime.now(timezone.utc)
    for g in person_groups():
        lakehouse.write(g.compute(events, AT).withColumn("ds", F.lit(DS))
                        .withColumn("written_at", F.lit(written_at)),
                        g.table, mode="overwrite_partitions", partition_by=["ds"])

    out = person_features(lakehouse, DS)
    got = {r.person_id: r.asDict() for r in out.collect()}
    assert out.count() == 3 and set(got) == {"p1", "p2", "p3"}, "one row per profile person"
    required = ["avg_order_value", "preferred_hour", "discount_sensitivity",
                *[f"{c}_response" for c in CHANNELS],
                "favourite_category", "frequency", "recency_days"]        # ranker candidates
    for person, row in got.items():
        missing = [c for c in required if row.get(c) is None]
        assert not missing, f"{person} lacks {missing}"
        assert row["ds"] == DS
    assert "written_at" not in out.columns
    p1, p2 = got["p1"], got["p2"]
    assert p1["preferred_hour"] == 19 and p1["email_sends"] == 2 and p1["purchases_7d"] == 2  # purchase + conversion
    assert p1["avg_order_value"] == 28.5 and p1["discounted_sends"] == 1
    # fills for a person a group has no row for
    assert p2["email_response"] == 0.0 and p2["preferred_hour"] == GROUPS["channel"].fills["preferred_hour"]
    assert p2["discount_sensitivity"] == 0.0 and p2["views_7d"] == 0
    assert p2["hours_since_last_event"] == 168.0 and p2["last_viewed_items"] == []
