"""Nearline ingest: landing/**/*.jsonl → bronze with Spark Structured Streaming.

A file-source stream over the landing dir, drained with ``trigger(availableNow=True)`` (process
every file present at start in micro-batches of ``nearline.max_files_per_trigger`` files, then
stop), checkpointed under the lakehouse. Each micro-batch goes through ``foreachBatch`` into the
same parse (:func:`tailor.ingestion.parse.parse_frames`) and the same idempotent writes
(:func:`tailor.ingestion.bronze.write_parsed`) as the daily batch ingest.

Exactly once per landing file, also across a kill:

1. The checkpoint's offset log names the files of batch N *before* the batch runs, its commit log
   marks batch N done *after* ``foreachBatch`` returns. A process killed mid-batch restarts by
   replaying batch N with exactly the same files (then goes on with the rest).
2. ``foreachBatch`` first drops files already in ops.ingest_log (ingested by the daily job, or by
   the killed attempt of this batch if it got that far), then commits bronze.events and
   bronze.quarantine as insert-only merges and ops.ingest_log last. A replay of a half-committed
   batch therefore re-merges rows that are already there (a no-op) and then logs the files once.
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

from tailor.ingestion.bronze import ingested_files, landing_file_column, write_parsed
from tailor.ingestion.parse import PARSED_SCHEMA, parse_frames

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
    arrival: Callable[[Column], Column] | None = None  # landing_file -> ingested_at (clock)
    batches: list[dict[str, Any]] = field(default_factory=list)

    def __call__(self, batch: DataFrame, batch_id: int) -> None:
        started = time.time()
        files = sorted(r[0] for r in batch.select("landing_file").distinct().collect())
        done = ingested_files(self.lakehouse)
        todo = [f for f in files if f not in done]
        record: dict[str, Any] = {"batch_id": batch_id, "files": len(todo),
                                  "skipped_files": len(files) - len(todo)}
        if todo:
            parsed = (batch.where(F.col("landing_file").isin(todo)).select("value", "landing_file")
                      .mapInPandas(parse_frames, PARSED_SCHEMA).cache())
            try:
                arrived = self.arrival(F.col("landing_file")) if self.arrival else None
                record.update(write_parsed(self.lakehouse, parsed, self.ds, arrived))
            finally:
                parsed.unpersist()
        record["seconds"] = round(time.time() - started, 2)
        self.batches.append(record)

    def summary(self) -> dict[str, Any]:
        reasons: dict[str, int] = {}
        for b in self.batches:
            for reason, n in (b.get("quarantine_reasons") or {}).items():
                reasons[reason] = reasons.get(reason, 0) + n
        return {"batches": len(self.batches),
                "files": sum(b["files"] for b in self.batches),
                "skipped_files": sum(b["skipped_files"] for b in self.batches),
                "events": sum(b.get("events", 0) for b in self.batches),
                "quarantined": sum(b.get("quarantined", 0) for b in self.batches),
                "quarantine_reasons": reasons,
                "batch_details": self.batches}


def run_available_now(spark: SparkSession, lakehouse: Any, landing_dir: str, checkpoint: str,
                      max_files_per_trigger: int, ds: str,
                      max_file_age: str = "7d",
                      arrival: Callable[[Column], Column] | None = None) -> dict[str, Any]:
    """Ingest every landing file not yet ingested, then stop; returns the run's summary."""
    import os

    if "://" not in landing_dir:
        os.makedirs(landing_dir, exist_ok=True)  # the file source needs the directory to exist
    sink = BronzeBatchWriter(lakehouse, ds, arrival)
    query = (landing_stream(spark, landing_dir, max_files_per_trigger, max_file_age)
             .writeStream.queryName(QUERY_NAME)
             .foreachBatch(sink)
             .option("checkpointLocation", checkpoint)
             .trigger(availableNow=True)
             .start())
    query.awaitTermination()
    return {**sink.summary(), "checkpoint": checkpoint}
