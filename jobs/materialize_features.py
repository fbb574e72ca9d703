"""features (``tailor run features``): silver.events → every registered feature group, as of ds
and every training cutoff day (partition ``ds`` = the as-of day).

Every row carries ``written_at``, which point-in-time joins use to tell what was knowable when
(``tailor/clock.py``). Replay clock: each as-of day is computed only from events that had arrived
by that day's write instant and stamped with it, so a rerun writes identical rows. Live clock:
ds is (re)written now; a past cutoff day whose partition a earlier run already wrote is kept as
it is (rewriting it would stamp it with today and make it unusable for its own cutoff), and a
missing one is backfilled, stamped with today, and so never used for that cutoff.
"""
from __future__ import annotations

from pyspark.sql import functions as F

from tailor.clock import is_replay, run_instant
from tailor.features.labels import cutoffs_for
from tailor.features.outcomes import context_days
from tailor.features.registry import GROUPS, check_lock
from tailor.runtime import JobContext, main


def asof_days(ctx: JobContext) -> list[str]:
    """ds, every training cutoff day of the run, and the context days of the policy's logged
    decisions (``policy.outcomes.feature_step_days``), newest first, no repeats."""
    days = [ctx.ds, *cutoffs_for(ctx.ds, ctx.cfg), *context_days(ctx.ds, ctx.cfg.policy.outcomes)]
    return sorted(set(days), reverse=True)


def _existing_days(lh, table: str, days: list[str]) -> set[str]:
    if not days or not lh.exists(table):
        return set()
    present = lh.read_arrow(table, columns=["ds"], partitions={"ds": days})
    return set(present.column("ds").to_pylist())


def run(ctx: JobContext) -> dict:
    """Materialise every feature group for ds and the training cutoff days."""
    problems = check_lock()
    if problems:  # never write new logic under an old table name
        raise RuntimeError("feature definitions do not match features/fingerprints.json:\n  "
                           + "\n  ".join(problems))
    lh, cfg = ctx.lakehouse, ctx.cfg
    replay = is_replay(cfg)
    days = asof_days(ctx)
    # live clock: past cutoff days an earlier run already wrote (one read per table)
    earlier = {} if replay else {g.table: _existing_days(lh, g.table, days[1:])
                                 for g in GROUPS.values()}
    events = lh.read("silver.events").cache()
    written, kept = {}, {}
    for day in days:
        stamp = run_instant(cfg, day if replay else ctx.ds)
        known = events.where(F.col("ingested_at") <= F.lit(stamp)) if replay else events
        for group in GROUPS.values():
            if day in earlier.get(group.table, ()):
                kept[f"{group.table}@{day}"] = "written by an earlier run; kept"
                continue
            frame = (group.compute(known, ctx.day_end(day)).withColumn("ds", F.lit(day))
                     .withColumn("written_at", F.lit(stamp)))
            result = lh.write(frame, group.table, mode="overwrite_partitions", partition_by=["ds"],
                              replace_partitions={"ds": day})
            written[f"{group.table}@{day}"] = {"version": result.version,
                                               "rows": result.rows_written,
                                               "written_at": stamp.isoformat()}
    events.unpersist()
    return {"clock": cfg.clock.mode, "asof_days": days, "written": written,
            "kept": kept, "fingerprints": {g.table: g.fingerprint() for g in GROUPS.values()},
            "silver_events_version": lh.version("silver.events")}


if __name__ == "__main__":
    main(run, "features")
