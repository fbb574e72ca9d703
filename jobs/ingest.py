"""ingest: landing JSON-lines → bronze.events (deduplicated on event_id) + bronze.quarantine.

Exactly-once per landing file *content*: ingested files are recorded in ops.ingest_log by their
path relative to the landing root and their content hash, and skipped on rerun (also when the
same file is re-delivered under another name); bronze only gains events whose event_id it does
not hold yet, so even a crash between the commits cannot duplicate an event
(tailor/ingestion/bronze.py, shared with the nearline streaming ingest). Malformed lines, events
dated beyond ``ingest.max_future_skew_seconds`` (``future_ts``) and event ids seen again with
different content (``conflicting_duplicate``) go to bronze.quarantine with a reason.
``ingested_at`` comes from the pipeline clock (tailor/clock.py): now when live, the landing
file's day when replaying history. The summary's ``events`` counts rows new to bronze.
"""
from __future__ import annotations

from pyspark.sql import functions as F

from tailor.clock import arrival_column
from tailor.ingestion.bronze import (  # noqa: F401 (QuarantineRateError: the job's failure)
    QuarantineRateError,
    check_quarantine_share,
    ingest_files,
    landing_file_column,
    read_log,
)
from tailor.ingestion.landing import landing_root, list_landing_files, plan_files
from tailor.runtime import JobContext, main


def run(ctx: JobContext) -> dict:
    """Ingest every landing file not yet ingested."""
    lh, cfg = ctx.lakehouse, ctx.cfg
    root = landing_root(cfg.landing_dir)
    plan = plan_files(list_landing_files(cfg.landing_dir), root, *read_log(lh, root, ctx.spark))
    if not plan.todo and not plan.duplicates:
        return {"files": 0, "events": 0, "quarantined": 0, "known_files": plan.known,
                "bronze_version": lh.version("bronze.events")}
    lines = None
    if plan.todo:
        lines = (ctx.spark.read.text([f.path for f in plan.todo])
                 .withColumn("landing_file", landing_file_column()))
    summary = ingest_files(lh, ctx.spark, lines, plan, ctx.ds, root,
                           arrival_column(cfg, F.col("landing_file")),
                           cfg.ingest.max_future_skew_seconds)
    summary = {"clock": cfg.clock.mode, "known_files": plan.known, **summary,
               "rows_in": summary.get("lines", summary["events"] + summary["quarantined"]),
               "rows_out": summary["events"]}
    check_quarantine_share(summary, cfg.quality.max_quarantine_share)
    return summary


if __name__ == "__main__":
    main(run, "ingest")
