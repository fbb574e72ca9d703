"""ingest: landing JSON-lines → bronze.events (deduplicated on event_id) + bronze.quarantine.

Exactly-once per landing file: ingested files are recorded in ops.ingest_log and skipped on
rerun; bronze is an insert-only merge on event_id, so even a crash between the commits cannot
duplicate an event (tailor/ingestion/bronze.py, shared with the nearline streaming ingest).
Malformed lines go to bronze.quarantine with a reason. ``ingested_at`` comes from the pipeline
clock (tailor/clock.py): now when live, the landing file's day when replaying history.
"""
from __future__ import annotations

from pyspark.sql import functions as F

from tailor.clock import arrival_column
from tailor.ingestion.bronze import (  # noqa: F401
    QuarantineRateError,
    check_quarantine_share,
    ingested_files,
    landing_file_column,
    write_parsed,
)
from tailor.ingestion.landing import list_landing_files, new_files
from tailor.ingestion.parse import PARSED_SCHEMA, parse_frames
from tailor.runtime import JobContext, main


def run(ctx: JobContext) -> dict:
    """Ingest every landing file not yet ingested."""
    lh = ctx.lakehouse
    files = new_files(list_landing_files(ctx.cfg.landing_dir), ingested_files(lh))
    if not files:
        return {"files": 0, "events": 0, "quarantined": 0,
                "bronze_version": lh.version("bronze.events")}
    lines = ctx.spark.read.text(files).withColumn("landing_file", landing_file_column())
    parsed = lines.mapInPandas(parse_frames, PARSED_SCHEMA).cache()
    try:
        summary = write_parsed(lh, parsed, ctx.ds,
                               arrival_column(ctx.cfg, F.col("landing_file")))
    finally:
        parsed.unpersist()
    summary = {"files": len(files), "clock": ctx.cfg.clock.mode, **summary,
               "rows_in": summary["events"] + summary["quarantined"], "rows_out": summary["events"]}
    check_quarantine_share(summary, ctx.cfg.quality.max_quarantine_share)
    return summary


if __name__ == "__main__":
    main(run, "ingest")
