"""behaviour_refresh: the short-lived behaviour feature group recomputed as of now into its
``ds`` partition (overwrite of that partition), from silver.events plus the bronze events the
daily identity job has not resolved yet (ingested since; person ids via recent logins and
silver.identity_map). The group is ``features.registry.GROUPS[nearline.behaviour_group]``, so
a version bump of the group is picked up here without changes. The next daily ``features`` run
for the same ds overwrites the partition with the end-of-day values.
"""
from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone

from pyspark.sql import functions as F

from tailor.features.registry import GROUPS, check_lock
from tailor.nearline import event_dates, nearline_as_of, resolve
from tailor.runtime import JobContext, main


def run(ctx: JobContext) -> dict:
    """Refresh the behaviour group for ds as of min(now, end of ds)."""
    lh, cfg = ctx.lakehouse, ctx.cfg
    group = GROUPS[cfg.nearline.behaviour_group]
    problems = check_lock({group.name: group})
    if problems:  # as the features job: never write new logic under an old table name
        raise RuntimeError("feature definitions do not match features/fingerprints.json:\n  "
                           + "\n  ".join(problems))
    as_of = nearline_as_of(ctx.ds)
    # event_date partitions covering the group's look-back: its ttl or the longest configured
    # behaviour window, whichever is longer, plus the partial first day.
    days = max(group.ttl_days, math.ceil(max(cfg.features.behaviour_windows_hours) / 24))
    lookback = timedelta(days=days + 1)
    parts = {"event_date": event_dates(as_of - lookback, as_of)}
    silver = (lh.read("silver.events", partitions=parts) if lh.exists("silver.events") else None)
    events = silver
    fresh, new = 0, None
    if lh.exists("bronze.events"):
        bronze = lh.read("bronze.events", partitions=parts)
        if silver is not None:
            bronze = bronze.join(silver.select("event_id"), "event_id", "left_anti")
        new = resolve(lh, cfg, bronze).cache()
        fresh = new.count()
        events = new if silver is None else silver.unionByName(new)
    if events is None:
        return {"table": group.table, "version": None, "rows": 0, "reason": "no events yet"}
    frame = (group.compute(events, as_of).withColumn("ds", F.lit(ctx.ds))  # as jobs/features.py
             .withColumn("written_at", F.lit(datetime.now(timezone.utc))))
    result = lh.write(frame, group.table, mode="overwrite_partitions", partition_by=["ds"],
                      replace_partitions={"ds": ctx.ds})
    if new is not None:
        new.unpersist()
    return {"table": group.table, "version": result.version, "rows": result.rows_written,
            "as_of": as_of.isoformat(), "unresolved_bronze_events": fresh,
            "silver_events_version": lh.version("silver.events"),
            "bronze_version": lh.version("bronze.events")}


if __name__ == "__main__":
    main(run, "behaviour_refresh")
