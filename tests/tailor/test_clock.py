"""The pipeline clock: replayed landing files arrive at the end of their day; live ones now."""
from datetime import datetime, timezone

from pyspark.sql import functions as F

from tailor.clock import arrival_column, decision_instant, run_instant


def test_replayed_file_arrives_at_end_of_its_day_and_other_files_now(spark, cfg_with):
    cfg = cfg_with(clock={"mode": "replay", "run_delay_minutes": 30})
    frame = spark.createDataFrame([("/x/landing/events-2026-09-03-002.jsonl",),
                                   ("/x/landing/server/events-20260903T101500.jsonl",)], ["f"])
    before = datetime.now()
    got = [r[0] for r in frame.select(arrival_column(cfg, F.col("f"))).collect()]
    after = datetime.now()
    assert got[0].replace(tzinfo=timezone.utc) == datetime(2026, 9, 4, tzinfo=timezone.utc)
    assert before <= got[1] <= after   # the file without a day arrived while the query ran
    assert run_instant(cfg, "2026-09-03") == datetime(2026, 9, 4, 0, 30, tzinfo=timezone.utc)


def test_live_clock_is_the_wall_clock(spark, cfg_with):
    cfg = cfg_with(clock={"mode": "live"})
    before = datetime.now(timezone.utc)
    instant = run_instant(cfg, "2020-01-01")
    assert before <= instant <= datetime.now(timezone.utc)   # now, not the ds
    assert decision_instant(cfg, "2026-09-03") == datetime(2026, 9, 4, 1, 0, tzinfo=timezone.utc)
