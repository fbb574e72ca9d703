"""Parsed landing lines → bronze.events + bronze.quarantine + ops.ingest_log, shared by the daily
batch ingest (jobs/ingest.py) and the nearline streaming ingest (tailor/ingestion/streaming.py).

Every write here is idempotent, so replaying the same lines (a rerun, or a streaming micro-batch
replayed after a crash) changes nothing:

- bronze.events: insert-only merge on ``event_id`` (an event already there is kept as it is);
- bronze.quarantine: insert-only merge on ``quarantine_id`` (hash of file + line);
- ops.ingest_log: insert-only merge on ``landing_file``, written *last*: a file is in the log only
  once its events are committed, and then it is never ingested again by either path.
"""
from __future__ import annotations

from typing import Any

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from tailor.catalog import table

BRONZE_COLUMNS = table("bronze.events").column_names
INGEST_LOG = "ops.ingest_log"


def landing_file_column() -> F.Column:
    """The absolute local path of the line's landing file, as recorded in ops.ingest_log
    (``input_file_name()`` without the ``file:`` scheme, URL-decoded: same as list_landing_files)."""
    return F.url_decode(F.regexp_replace(F.input_file_name(), "^file:(//)?", ""))


def ingested_files(lh: Any) -> set[str]:
    """Landing files already recorded in ops.ingest_log (by either ingest path)."""
    if not lh.exists(INGEST_LOG):
        return set()
    return set(lh.read_arrow(INGEST_LOG, columns=["landing_file"]).column("landing_file").to_pylist())


def bronze_rows(parsed: DataFrame, arrived: F.Column) -> DataFrame:
    return (parsed.where(F.col("reason").isNull())
            .withColumn("event_ts", F.to_timestamp("ts"))
            .withColumn("event_date", F.date_format("event_ts", "yyyy-MM-dd"))
            .withColumn("ingested_at", arrived)
            .select(*BRONZE_COLUMNS))


def quarantine_rows(parsed: DataFrame, ds: str, now: F.Column) -> DataFrame:
    return (parsed.where(F.col("reason").isNotNull())
            .select("quarantine_id", "landing_file", "raw_line", "reason")
            .withColumn("quarantined_at", now).withColumn("ingest_date", F.lit(ds)))


def write_parsed(lh: Any, parsed: DataFrame, ds: str,
                 arrived: F.Column | None = None) -> dict[str, Any]:
    """Commit parsed lines (PARSED_SCHEMA; cache it first, it is scanned several times).

    Three Delta commits in this order: bronze.events, bronze.quarantine, ops.ingest_log. A crash
    between them leaves files out of the log, so they are read again and the insert-only merges
    make the repeat a no-op. ``arrived`` is each event's ``ingested_at``
    (:func:`tailor.clock.arrival_column`; default: now). Returns counts, reasons and versions.
    """
    now = F.current_timestamp()
    arrived = now if arrived is None else arrived
    good, bad = bronze_rows(parsed, arrived), quarantine_rows(parsed, ds, now)
    n_good, n_bad = good.count(), bad.count()
    bronze = lh.write(good, "bronze.events", mode="merge", keys=["event_id"],
                      partition_by=["event_date"], when_matched="ignore")
    quarantine = lh.write(bad, "bronze.quarantine", mode="merge", keys=["quarantine_id"],
                          partition_by=["ingest_date"], when_matched="ignore") if n_bad else None
    per_file = (parsed.groupBy("landing_file")
                .agg(F.sum(F.col("reason").isNull().cast("long")).alias("rows_good"),
                     F.sum(F.col("reason").isNotNull().cast("long")).alias("rows_quarantined"))
                .withColumn("ds", F.lit(ds)).withColumn("ingested_at", now)
                .withColumn("bronze_version", F.lit(bronze.version).cast("long")))
    log = lh.write(per_file, INGEST_LOG, mode="merge", keys=["landing_file"], when_matched="ignore")
    reasons = {r["reason"]: r["count"] for r in bad.groupBy("reason").count().collect()}
    return {"events": n_good, "quarantined": n_bad, "quarantine_reasons": reasons,
            "bronze_version": bronze.version,
            "quarantine_version": quarantine.version if quarantine else None,
            "ingest_log_version": log.version}


class QuarantineRateError(RuntimeError):
    """Too many malformed lines in one run: something upstream is broken."""


def check_quarantine_share(summary: dict[str, Any], max_share: float) -> None:
    """Fail the run (after its good rows are committed) when too many lines were malformed."""
    n_good, n_bad = summary["events"], summary["quarantined"]
    share = n_bad / max(1, n_good + n_bad)
    if share > max_share:
        raise QuarantineRateError(
            f"{n_bad} of {n_good + n_bad} lines ({share:.1%}) were malformed, above "
            f"quality.max_quarantine_share={max_share}: see bronze.quarantine (reasons: "
            f"{summary['quarantine_reasons']}). Good rows were kept.")
