"""The pipeline clock: what time it is for a run, and when an event arrived.

Point-in-time correctness rests on two instants per row: when a fact happened (event time) and
when it reached the lakehouse (``ingested_at`` for events, ``written_at`` for feature rows). A
value is usable at a cutoff only if both are at or before it (``features/pit.py``).

``clock.mode`` says where the second instant comes from:

* ``live`` (production): the wall clock. A feature row written today for a past day is a backfill
  and is never used for that day's cutoff.
* ``replay`` (simulated worlds, imported history): the history is replayed, so the wall clock
  says nothing about when facts became known. Each landing file named
  ``events-YYYY-MM-DD-NNN.jsonl`` arrived at the end of that day (files named otherwise, e.g.
  the lookup server's, arrived when ingested), and the daily run for ``ds`` writes at
  ``day_end(ds) + run_delay_minutes``. The features job computes each as-of day only from events
  that had arrived by that day's write instant, so a replayed row holds exactly what the run of
  that day would have written: late events stay late, nothing leaks. Replayed rows are labelled
  (``clock=replay`` in every run record) so nobody mistakes them for live history.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # Spark only for arrival_column: the rest is used by light callers too
    from pyspark.sql import Column


LANDING_DAY = r"events-(\d{4}-\d{2}-\d{2})-\d+\.jsonl$"
MODES = ("live", "replay")


def day_end(day: str) -> datetime:
    """Exclusive end of ``day`` (YYYY-MM-DD) in UTC: the as-of instant of that day."""
    d = date.fromisoformat(day)
    return datetime(d.year, d.month, d.day, tzinfo=timezone.utc) + timedelta(days=1)


def _mode(cfg) -> str:
    mode = cfg.clock.mode
    if mode not in MODES:
        raise ValueError(f"clock.mode={mode!r}: use one of {MODES}")
    return mode


def is_replay(cfg) -> bool:
    return _mode(cfg) == "replay"


def decision_delay(cfg) -> timedelta:
    """How long after the end of its day the daily run writes and decides."""
    return timedelta(minutes=cfg.clock.run_delay_minutes)


def decision_instant(cfg, day: str) -> datetime:
    """The instant the run for ``day`` decides: the end of the day plus the run delay, in both
    modes. Training rows for cutoff ``day`` are built as of this instant, like scoring."""
    return day_end(day) + decision_delay(cfg)


def run_instant(cfg, ds: str) -> datetime:
    """When the daily run for ``ds`` writes: its scheduled instant in replay, now when live."""
    return decision_instant(cfg, ds) if is_replay(cfg) else datetime.now(timezone.utc)


def arrival_column(cfg, landing_file: "Column") -> "Column":
    """``ingested_at`` of a landing line: the end of its file's day in replay (wall clock for a
    file without a day in its name), the wall clock when live."""
    from pyspark.sql import functions as F

    now = F.current_timestamp()
    if not is_replay(cfg):
        return now
    day = F.regexp_extract(landing_file, LANDING_DAY, 1)
    replayed = F.to_timestamp(F.date_add(F.to_date(day), 1))
    return F.when(day != "", replayed).otherwise(now)
