"""ingest: landing JSON-lines → bronze.events (deduplicated on event_id) + bronze.quarantine.

Exactly-once per landing file: ingested files are recorded in ops.ingest_log and skipped on
rerun; bronze is an insert-only merge on event_id, so even a crash between the two commits
cannot duplicate an event. Malformed lines go to bronze.quarantine with a reason.
"""
from __future__ import annotations

from pyspark.sql import functions as F

from tailor.ingestion.landing import list_landing_files, new_files
from tailor.ingestion.parse import PARSED_SCHEMA, parse_frames
from tailor.runtime import JobContext, main

BRONZE_COLUMNS = ["event_id", "event_type", "event_ts", "event_date", "customer_id", "email",
                  "anonymous_id", "device_id", "item_id", "category", "price", "quantity",
                  "channel", "message_id", "action_id", "send_hour", "discount", "propensity",
                  "granted", "landing_file", "ingested_at"]


class QuarantineRateError(RuntimeError):
    """Too many malformed lines in one run: something upstream is broken."""


def _already_ingested(ctx: JobContext) -> set[str]:
    if not ctx.lakehouse.exists("ops.ingest_log"):
        return set()
    return set(ctx.lakehouse.read_arrow("ops.ingest_log", columns=["landing_file"])
               .column("landing_file").to_pylist())


def run(ctx: JobContext) -> dict:
    """Ingest every landing file not yet ingested."""
    files = new_files(list_landing_files(ctx.cfg.landing_dir), _already_ingested(ctx))
    if not files:
        return {"files": 0, "events": 0, "quarantined": 0,
                "bronze_version": ctx.lakehouse.version("bronze.events")}
    spark, lh = ctx.spark, ctx.lakehouse
    lines = (spark.read.text(files).withColumn("landing_file", F.input_file_name())
             .withColumn("landing_file",
                         F.url_decode(F.regexp_replace("landing_file", "^file:(//)?", ""))))
    parsed = lines.mapInPandas(parse_frames, PARSED_SCHEMA).cache()
    now = F.current_timestamp()

    good = (parsed.where(F.col("reason").isNull())
            .withColumn("event_ts", F.to_timestamp("ts"))
            .withColumn("event_date", F.date_format("event_ts", "yyyy-MM-dd"))
            .withColumn("ingested_at", now)
            .select(*BRONZE_COLUMNS))
    bad = (parsed.where(F.col("reason").isNotNull())
           .select("quarantine_id", "landing_file", "raw_line", "reason")
           .withColumn("quarantined_at", now).withColumn("ingest_date", F.lit(ctx.ds)))
    n_good, n_bad = good.count(), bad.count()

    bronze = lh.write(good, "bronze.events", mode="merge", keys=["event_id"],
                      partition_by=["event_date"], when_matched="ignore")
    quarantine = lh.write(bad, "bronze.quarantine", mode="merge", keys=["quarantine_id"],
                          partition_by=["ingest_date"], when_matched="ignore") if n_bad else None
    per_file = (parsed.groupBy("landing_file")
                .agg(F.sum(F.col("reason").isNull().cast("long")).alias("rows_good"),
                     F.sum(F.col("reason").isNotNull().cast("long")).alias("rows_quarantined"))
                .withColumn("ds", F.lit(ctx.ds)).withColumn("ingested_at", now)
                .withColumn("bronze_version", F.lit(bronze.version).cast("long")))
    lh.write(per_file, "ops.ingest_log", mode="append")
    reasons = {r["reason"]: r["count"] for r in bad.groupBy("reason").count().collect()}
    parsed.unpersist()

    share = n_bad / max(1, n_good + n_bad)
    summary = {"files": len(files), "events": n_good, "quarantined": n_bad,
               "quarantine_reasons": reasons, "bronze_version": bronze.version,
               "quarantine_version": quarantine.version if quarantine else None}
    if share > ctx.cfg.quality.max_quarantine_share:
        raise QuarantineRateError(
            f"{n_bad} of {n_good + n_bad} lines ({share:.1%}) were malformed, above "
            f"quality.max_quarantine_share={ctx.cfg.quality.max_quarantine_share}: see "
            f"bronze.quarantine (reasons: {reasons}). Good rows were kept.")
    return summary


if __name__ == "__main__":
    main(run, "ingest")
