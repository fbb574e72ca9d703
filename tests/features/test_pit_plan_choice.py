"""``auto`` picks the broadcast plan only for entity sides within the budget, and both plans
give the same rows for the same request."""
from datetime import datetime, timedelta, timezone

import pytest

from tailor.features.pit import choose_strategy, pit_join

T = datetime(2026, 9, 10, tzinfo=timezone.utc)


def frames(spark):
    e = spark.createDataFrame([("p1", T, 1), ("p2", T, 2), ("p1", T + timedelta(days=2), 3)],
                              "person_id string, ts timestamp, rid int")
    f = spark.createDataFrame([("p1", T - timedelta(days=1), T, 1.0),
                               ("p1", T + timedelta(days=1), T + timedelta(days=1), 2.0)],
                              "person_id string, event_ts timestamp, written_at timestamp, v double")
    return e, f


def test_auto_broadcasts_small_entity_sides_only(spark, tmp_path):
    e, _ = frames(spark)
    e.write.parquet(str(tmp_path / "entities"))
    keys = spark.read.parquet(str(tmp_path / "entities")).select("person_id", "ts")
    assert choose_strategy(keys, broadcast_max_bytes=10 * 2**20) == "broadcast"
    assert choose_strategy(keys, broadcast_max_bytes=1) == "window"


def test_auto_falls_back_to_window_without_a_size_estimate(spark):
    e, _ = frames(spark)    # an in-memory frame: Spark has no size estimate for it
    assert choose_strategy(e.select("person_id", "ts"), broadcast_max_bytes=2**40) == "window"


def test_plans_agree(spark):
    e, f = frames(spark)
    got = {s: sorted(map(tuple, pit_join(e, f, timedelta(days=30), strategy=s).collect()))
           for s in ("auto", "window", "broadcast")}
    assert got["window"] == got["broadcast"] == got["auto"]
    assert [r[-1] for r in got["window"]] == [1.0, 2.0, None]   # p1@T, p1@T+2d, p2


def test_unknown_strategy_is_refused(spark):
    e, f = frames(spark)
    with pytest.raises(ValueError, match="strategy"):
        pit_join(e, f, None, strategy="nested_loop")
