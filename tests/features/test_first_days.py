"""``windows.first_days``: each event tagged once with the earliest as-of day it counts for, and
the (first day, day) pairs that spread its partials to every later day — the same days
``tag_days`` copies it to; days whose arrival cutoffs do not grow fall back to one copy per day."""
from datetime import datetime, timedelta, timezone

from tailor.clock import day_end
from tailor.features.windows import DAY, FIRST, day_frame, first_days, spread, tag_days

SCHEMA = "person_id string, event_ts timestamp, ingested_at timestamp"
DAYS = ["2026-09-08", "2026-09-09", "2026-09-10"]
RUN = timedelta(hours=1)        # the replay write instant: end of the day + 1 h


def _utc(*args) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


def _events(spark):
    return spark.createDataFrame([
        ("early", _utc(2026, 9, 1, 12), _utc(2026, 9, 2)),             # counts for every day
        ("on-time", _utc(2026, 9, 9, 12), _utc(2026, 9, 10)),          # from 09-09
        ("at-instant", day_end("2026-09-09"), _utc(2026, 9, 11)),       # not before 09-09's end
        ("late", _utc(2026, 9, 8, 9), day_end("2026-09-09") + RUN + timedelta(seconds=1)),
        ("never-arrived", _utc(2026, 9, 1), None),
        ("future", _utc(2026, 9, 12), _utc(2026, 9, 13)),
    ], SCHEMA)


def _spread_days(spark, known_by) -> dict[str, list[str]]:
    tagged, pairs = first_days(_events(spark), day_frame(spark, known_by))
    rows = spread(tagged.select("person_id", FIRST), pairs).collect()
    out: dict[str, list[str]] = {}
    for r in rows:
        out.setdefault(r["person_id"], []).append(r[DAY])
    return {k: sorted(v) for k, v in out.items()}


def _tagged_days(spark, known_by) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for r in tag_days(_events(spark), day_frame(spark, known_by)).collect():
        out.setdefault(r["person_id"], []).append(r[DAY])
    return {k: sorted(v) for k, v in out.items()}


def test_replay_first_days_by_hand(spark):
    known_by = {d: day_end(d) + RUN for d in DAYS}
    tagged, _ = first_days(_events(spark), day_frame(spark, known_by))
    first = {r["person_id"]: r[FIRST] for r in tagged.collect()}
    assert first == {"early": "2026-09-08", "on-time": "2026-09-09", "at-instant": "2026-09-10",
                     "late": "2026-09-10"}
    assert _spread_days(spark, known_by) == _tagged_days(spark, known_by)


def test_live_every_arrival_counts(spark):
    known_by = {d: None for d in DAYS}
    assert _spread_days(spark, known_by) == _tagged_days(spark, known_by)
    assert _spread_days(spark, known_by)["late"] == DAYS
    assert "never-arrived" in _spread_days(spark, known_by)


def test_cutoffs_that_do_not_grow_fall_back_to_one_copy_per_day(spark):
    # 09-08 sees every arrival, 09-09 only those by its write instant: an event can count for an
    # earlier day and not a later one, so partials cannot be merged forward
    known_by = {"2026-09-08": None, "2026-09-09": day_end("2026-09-09") + RUN}
    assert _spread_days(spark, known_by) == _tagged_days(spark, known_by)
    assert _spread_days(spark, known_by)["never-arrived"] == ["2026-09-08"]
