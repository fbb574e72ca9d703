"""features (``tailor run features``): silver.events → every registered feature group, as of ds
and every training cutoff day, person groups also as of the policy's context days
(:func:`asof_days`; partition ``ds`` = the as-of day).

Every row carries ``written_at``, which point-in-time joins use to tell what was knowable when
(``tailor/clock.py``). Replay clock: each as-of day is computed only from events that had arrived
by that day's write instant and stamped with it, so a rerun writes identical rows
(``clock.replay_keep_written``: keep past days an earlier run wrote instead, as live does, for
day-by-day replays). Live clock:
ds is (re)written now; a past cutoff day whose partition a earlier run already wrote is kept as
it is (rewriting it would stamp it with today and make it unusable for its own cutoff), and a
missing one is backfilled, stamped with today, and so never used for that cutoff. Cutoffs and
context days lie on a calendar grid (``features/asof.py``), so the next day's run asks for the
days yesterday's asked for and, keeping them, computes ds only (six days in seven).

One pass per group: a group with ``compute_days`` gets all its as-of days at once, and each
table gets one Delta commit for all its days. Groups whose aggregates merge (profile, activity,
channel, discount, clv) read each event once, aggregate it by the first as-of day it counts
for and merge those partials per day (``windows.first_days``); the others (behaviour's hour
windows and newest items, covisitation's sessions, item_stats) copy each event to every day it
counts for (``windows.tag_days``). A group without it runs ``compute`` per day, still in one commit.
``spark.concurrent_writes`` groups are written at a time (``tailor.spark.concurrently``). The
run's report says how long each group's pass took (``group_seconds``, table → s; overlapping
when groups run concurrently) beside the job's own ``seconds``.
"""
from __future__ import annotations

import time
from datetime import datetime
from functools import reduce

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from tailor.clock import day_end, is_replay, run_instant
from tailor.features.labels import cutoffs_for
from tailor.features.outcomes import context_days
from tailor.features.registry import GROUPS, FeatureGroup, check_lock
from tailor.features.windows import DAY, day_frame
from tailor.runtime import JobContext, main
from tailor.spark import concurrently


def asof_days(ctx: JobContext, group: FeatureGroup | None = None) -> list[str]:
    """The as-of days ``group`` is materialised for (every group's, without one), newest first,
    no repeats: ds, every training cutoff day of the run, and — for person groups only — the
    context days of the policy's logged decisions (``policy.outcomes.feature_step_days``): the
    policy's contexts join person groups only (``jobs/policy_outcomes.py``), so item groups
    (item_stats, covisitation: serving and the ranker's candidates) skip those days."""
    days = [ctx.ds, *cutoffs_for(ctx.ds, ctx.cfg)]
    if group is None or group.entity == "person_id":
        days += context_days(ctx.ds, ctx.cfg.policy.outcomes)
    return sorted(set(days), reverse=True)


def _existing_days(lh, table: str, days: list[str]) -> set[str]:
    if not days or not lh.exists(table):
        return set()
    present = lh.read_arrow(table, columns=["ds"], partitions={"ds": days})
    return set(present.column("ds").to_pylist())


def group_frame(group: FeatureGroup, events: DataFrame, stamps: dict[str, datetime],
                replay: bool) -> DataFrame:
    """The rows of ``group`` for every day of ``stamps`` (day → write instant), with ``ds`` and
    ``written_at``, columns in the table's order. Replay: a day sees only the events that had
    arrived by its write instant; live: every event."""
    spark = events.sparkSession
    if group.compute_days is not None:
        days = day_frame(spark, {d: (at if replay else None) for d, at in stamps.items()})
        frame = group.compute_days(events, days)
    else:
        frame = reduce(DataFrame.unionByName, [
            group.compute(events.where(F.col("ingested_at") <= F.lit(at)) if replay else events,
                          day_end(d)).withColumn(DAY, F.lit(d))
            for d, at in sorted(stamps.items())])
    written = spark.createDataFrame(sorted(stamps.items()), f"{DAY} string, written_at timestamp")
    return (frame.join(F.broadcast(written), DAY)
            .select(*[c for c in frame.columns if c != DAY], DAY, "written_at"))


def run(ctx: JobContext) -> dict:
    """Materialise every feature group for ds and the training cutoff days."""
    problems = check_lock()
    if problems:  # never write new logic under an old table name
        raise RuntimeError("feature definitions do not match features/fingerprints.json:\n  "
                           + "\n  ".join(problems))
    lh, cfg = ctx.lakehouse, ctx.cfg
    replay = is_replay(cfg)
    days = asof_days(ctx)
    # live clock (or replay keeping what earlier runs wrote): past as-of days an earlier run
    # already wrote (one read per table)
    keep = not replay or cfg.clock.replay_keep_written
    earlier = ({g.table: _existing_days(lh, g.table, asof_days(ctx, g)[1:]) for g in GROUPS.values()}
               if keep else {})
    # not cached: each group's scan reads only its columns, and building an in-memory copy of
    # every column cost more than it saved (100k × 30: 232.6 s cached, 202.4 s not)
    events = lh.read("silver.events")
    written, kept, seconds = {}, {}, {}
    live_now = run_instant(cfg, ctx.ds)
    missing: dict[str, list[str]] = {}   # group → its as-of days no earlier run kept
    for group in GROUPS.values():
        mine = asof_days(ctx, group)
        missing[group.name] = [d for d in mine if d not in earlier.get(group.table, ())]
        kept.update({f"{group.table}@{d}": "written by an earlier run; kept"
                     for d in mine if d not in missing[group.name]})

    def materialise(group: FeatureGroup) -> dict[str, dict]:
        """Write ``group``'s missing as-of days (one commit) → its written entries."""
        todo = missing[group.name]
        if not todo:
            return {}
        stamps = {d: run_instant(cfg, d) if replay else live_now for d in todo}
        started = time.monotonic()
        result = lh.write(group_frame(group, events, stamps, replay), group.table,
                          mode="overwrite_partitions", partition_by=[DAY],
                          replace_partitions={DAY: todo})
        # where the job's time goes (groups run spark.concurrent_writes at a time, so with
        # more than 1 these overlap)
        seconds[group.table] = round(time.monotonic() - started, 1)
        return {f"{group.table}@{d}": {
            "version": result.version, "written_at": stamps[d].isoformat(),
            "rows": lh.count(group.table, version=result.version, partitions={DAY: d})}
            for d in todo}

    # each group is its own table and commit: a failed group fails the job, and a rerun
    # rewrites the same partitions (the other groups' commits are as valid as before)
    for entries in concurrently(materialise, GROUPS.values(), cfg.spark.concurrent_writes):
        written.update(entries)
    return {"clock": cfg.clock.mode, "asof_days": days, "written": written,
            "kept": kept, "group_seconds": seconds,
            "fingerprints": {g.table: g.fingerprint() for g in GROUPS.values()},
            "rows_out": sum(w["rows"] for w in written.values()),
            "silver_events_version": lh.version("silver.events")}


if __name__ == "__main__":
    main(run, "features")
