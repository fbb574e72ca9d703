"""Nearline ingest: landing/**/*.jsonl → bronze with Spark Structured Streaming.

A file-source stream over the landing dir, drained with ``trigger(availableNow=True)`` (process
every file present at start in micro-batches of ``nearline.max_files_per_trigger`` files, then
stop), checkpointed under the lakehouse. Each micro-batch goes through ``foreachBatch`` into the
same parse (:func:`tailor.ingestion.bronze.parse_lines`) and the same idempotent writes
(:func:`tailor.ingestion.bronze.ingest_files`) as the daily batch ingest.

Exactly once per landing file, also across a kill:

1. The checkpoint's offset log names the files of batch N *before* the batch runs, its commit log
   marks batch N done *after* ``foreachBatch`` returns. A process killed mid-batch restarts by
   replaying batch N with exactly the same files (then goes on with the rest).
2. ``foreachBatch`` first drops files already in ops.ingest_log (by relative path: ingested by
   the daily job, or by the killed attempt of this batch if it got that far) and re-deliveries
   of content already ingested (by content hash), then commits bronze.events and
   bronze.quarantine as insert-only merges and ops.ingest_log last
   (:func:`tailor.ingestion.bronze.ingest_files`). A replay of a half-committed batch therefore
   finds its rows already in bronze (a no-op) and then logs the files once.
3. Every Delta commit is atomic (one transaction log entry), so a kill mid-write leaves at most
   unreferenced Parquet files, never half a batch.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F

from tailor.ingestion.bronze import ingest_files, landing_file_column, read_log
from tailor.ingestion.landing import landing_root, plan_files

QUERY_NAME = "tailor_nearline_ingest"


def landing_stream(spark: SparkSession, landing_dir: str, max_files_per_trigger: int,
                   max_file_age: str = "7d") -> DataFrame:
    """Streaming lines of every ``*.jsonl`` under ``landing_dir`` (recursively), with their file."""
    return (spark.readStream.format("text")
            .option("recursiveFileLookup", "true")
            .option("pathGlobFilter", "*.jsonl")
            .option("maxFilesPerTrigger", str(max_files_per_trigger))
            .option("maxFileAge", max_file_age)
            .load(landing_dir)
            .withColumn("landing_file", landing_file_column()))


@dataclass
class BronzeBatchWriter:
    """The ``foreachBatch`` sink: one micro-batch → bronze (idempotent, see module docstring)."""

    lakehouse: Any
    ds: str
    landing_dir: str
    arrival: Callable[[Column], Column] | None = None  # landing_file -> ingested_at (clock)
    max_future_skew: float | None = None
    batches: list[dict[str, Any]] = field(default_factory=list)

    def __call__(self, batch: DataFrame, batch_id: int) -> None:
        started = time.time()
        spark = batch.sparkSession
        root = landing_root(self.landing_dir)
        files = sorted(r[0] for r in batch.select("landing_file").distinct().collect())
        plan = plan_files(files, root, *read_log(self.lakehouse, root, spark))
        record: dict[str, Any] = {"batch_id": batch_id, "files": len(plan.todo),
                                  "skipped_files": len(files) - len(plan.todo)}
        if plan.todo or plan.duplicates:
            todo = [f.path for f in plan.todo]
            lines = batch.where(F.col("landing_file").isin(todo)).select("value", "landing_file")
            arrived = self.arrival(F.col("landing_file")) if self.arrival else None
            record.update(ingest_files(self.lakehouse, spark, lines, plan, self.ds, root,
                                       arrived, self.max_future_skew))
        record["seconds"] = round(time.time() - started, 2)
        self.batches.append(record)

    def summary(self) -> dict[str, Any]:
        reasons: dict[str, int] = {}
        for b in self.batches:
            for reason, n in (b.get("quarantine_reasons") or {}).items():
                reasons[reason] = reasons.get(reason, 0) + n
        total = {key: sum(b.get(key, 0) for b in self.batches)
                 for key in ("files", "skipped_files", "duplicate_files", "lines", "events",
                             "duplicates", "conflicting_duplicates", "quarantined")}
        return {"batches": len(self.batches), **total, "quarantine_reasons": reasons,
                "batch_details": self.batches}


def run_available_now(spark: SparkSession, lakehouse: Any, landing_dir: str, checkpoint: str,
                      max_files_per_trigger: int, ds: str,
                      max_file_age: str = "7d",
                      arrival: Callable[[Column], Column] | None = None,
                      max_future_skew: float | None = None) -> dict[str, Any]:
    """Ingest every landing file not yet ingested, then stop; returns the run's summary."""
    import os

    if "://" not in landing_dir:
        os.makedirs(landing_dir, exist_ok=True)  # the file source needs the directory to exist
    sink = BronzeBatchWriter(lakehouse, ds, landing_dir, arrival, max_future_skew)
    query = (landing_stream(spark, landing_dir, max_files_per_trigger, max_file_age)
             .writeStream.queryName(QUERY_NAME)
             .foreachBatch(sink)
             .option("checkpointLocation", checkpoint)
             .trigger(availableNow=True)
             .start())
    query.awaitTermination()
    return {**sink.summary(), "checkpoint": checkpoint}
