"""nearline_ingest: landing JSON-lines → bronze.events (+ bronze.quarantine, ops.ingest_log)
incrementally, with Spark Structured Streaming (file source, ``trigger(availableNow=True)``,
checkpoint at ``nearline.checkpoint``). Exactly once per landing file, also after a kill: see
tailor/ingestion/streaming.py. Files it ingests are skipped by the daily ``ingest`` job and vice
versa (both record them in ops.ingest_log).

Unlike the daily job, a malformed-line share above ``quality.max_quarantine_share`` fails the run
only *after* every batch is committed (good rows kept, the files are not retried): the stream never
gets stuck replaying a bad file every ten minutes.
"""
from __future__ import annotations

from pyspark.sql import Column

from tailor.clock import arrival_column
from tailor.ingestion.bronze import check_quarantine_share
from tailor.ingestion.streaming import run_available_now
from tailor.runtime import JobContext, main


def run(ctx: JobContext) -> dict:
    """Ingest every new landing file through the checkpointed stream, then stop."""
    cfg, lh = ctx.cfg, ctx.lakehouse

    def arrival(landing_file: Column) -> Column:
        return arrival_column(cfg, landing_file)

    summary = run_available_now(ctx.spark, lh, cfg.landing_dir, cfg.nearline_checkpoint,
                                cfg.nearline.max_files_per_trigger, ctx.ds,
                                cfg.nearline.max_file_age, arrival,
                                cfg.ingest.max_future_skew_seconds)
    summary["bronze_version"] = lh.version("bronze.events")
    check_quarantine_share(summary, cfg.quality.max_quarantine_share)
    return summary


if __name__ == "__main__":
    main(run, "nearline_ingest")
