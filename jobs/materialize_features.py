"""features (``tailor run features``): silver.events → every registered feature group, as of ds and the extra as-of days
the training sets need (partition ``ds`` = the as-of day; overwrite of that partition makes
reruns idempotent)."""
from __future__ import annotations

from pyspark.sql import functions as F

from features.registry import GROUPS
from tailor.runtime import JobContext, main


def asof_days(ctx: JobContext) -> list[str]:
    """ds plus ds minus each configured extra as-of offset (e.g. the label horizon)."""
    return [ctx.ds] + [ctx.shift(-d) for d in ctx.cfg.features.extra_asof_days]


def run(ctx: JobContext) -> dict:
    """Materialise every feature group for ds and its extra as-of days."""
    lh = ctx.lakehouse
    events = lh.read("silver.events").cache()
    written = {}
    for day in asof_days(ctx):
        for group in GROUPS.values():
            frame = group.compute(events, ctx.day_end(day)).withColumn("ds", F.lit(day))
            result = lh.write(frame, group.table, mode="overwrite_partitions", partition_by=["ds"],
                              replace_partitions={"ds": day})
            written[f"{group.table}@{day}"] = {"version": result.version, "rows": result.rows_written}
    events.unpersist()
    return {"asof_days": asof_days(ctx), "written": written,
            "silver_events_version": lh.version("silver.events")}


if __name__ == "__main__":
    main(run, "features")
