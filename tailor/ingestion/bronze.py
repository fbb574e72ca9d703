"""Landing lines → bronze.events + bronze.quarantine + ops.ingest_log, shared by the daily batch
ingest (jobs/ingest.py) and the nearline streaming ingest (tailor/ingestion/streaming.py).

Which files a run reads is decided by :func:`tailor.ingestion.landing.plan_files` against the
log (:func:`read_log`): each landing *content* once, named relative to the landing root.

Every write here is idempotent, so replaying the same lines (a rerun, or a streaming micro-batch
replayed after a crash) changes nothing:

- bronze.events: the lines' events whose ``event_id`` bronze does not hold yet (checked over the
  whole table), as an insert-only merge on ``event_id``. An ``event_id`` seen again with the same
  content is a plain duplicate (dropped); with *different* content it is a
  ``conflicting_duplicate``: the event already in bronze (or, within one run, the first received)
  is kept and the other line goes to quarantine with that reason;
- bronze.quarantine: insert-only merge on ``quarantine_id`` (hash of relative file + line);
- ops.ingest_log: insert-only merge on ``landing_file`` (relative path), written *last*: a file
  is in the log only once its events are committed, and then neither path reads it again.
"""
from __future__ import annotations

import logging
import os
from datetime import datetime, timezone
from typing import Any

from pyspark.sql import Column, DataFrame, SparkSession, Window
from pyspark.sql import functions as F

from tailor.catalog import table
from tailor.ingestion.landing import FilePlan, content_hash
from tailor.ingestion.parse import PARSED_SCHEMA, line_parser
from tailor.spark import checkpointed

log = logging.getLogger("tailor.ingestion")

BRONZE_COLUMNS = table("bronze.events").column_names
# what makes two lines with one event_id the same event (not bookkeeping: file, arrival)
CONTENT_COLUMNS = ["event_type", "event_ts", "customer_id", "email", "anonymous_id", "device_id",
                   "item_id", "category", "price", "quantity", "channel", "message_id",
                   "action_id", "send_hour", "discount", "propensity", "granted", "order_id"]
INGEST_LOG = "ops.ingest_log"
LOG_SCHEMA = ("landing_file string, content_hash string, duplicate_of string, rows_good long, "
              "rows_quarantined long, ds string, ingested_at timestamp, bronze_version long")
CONFLICTING_DUPLICATE = "conflicting_duplicate"
# suspect event ids (repeated in a run or already in bronze) up to this many are broadcast
BROADCAST_IDS = 2_000_000


def landing_file_column() -> F.Column:
    """The local path (or URI) of the line's landing file as Spark read it (``input_file_name()``
    without the ``file:`` scheme, URL-decoded: same as list_landing_files). String functions,
    not a regular expression: this runs once per line."""
    uri = F.input_file_name()
    local = (F.when(uri.startswith("file://"), uri.substr(F.lit(8), F.length(uri)))
             .when(uri.startswith("file:"), uri.substr(F.lit(6), F.length(uri))).otherwise(uri))
    return F.url_decode(local)


# ------------------------------------------------------------------------------ ingest log

def read_log(lh: Any, root: str, spark: SparkSession) -> tuple[set[str], dict[str, str]]:
    """(relative paths logged, content hash → the relative path that brought it); migrates a
    log written before content hashes first (:func:`migrate_log`)."""
    if not lh.exists(INGEST_LOG):
        return set(), {}
    table = lh.read_arrow(INGEST_LOG)
    if "content_hash" not in table.column_names:
        table = migrate_log(lh, root, table.to_pylist(), spark)
    rows = table.select(["landing_file", "content_hash", "duplicate_of"]).to_pylist()
    return ({r["landing_file"] for r in rows},
            {r["content_hash"]: r["landing_file"] for r in rows
             if r["content_hash"] and not r["duplicate_of"]})


def legacy_relative(path: str, root: str) -> str:
    """A path logged before paths were relative, made relative to ``root``: under it, the rest;
    elsewhere (the home moved), what follows the last directory named like the root."""
    prefix = root.rstrip("/") + "/"
    if path.startswith(prefix):
        return path[len(prefix):]
    parts = path.split("/")
    name = os.path.basename(root.rstrip("/"))
    for i in range(len(parts) - 2, -1, -1):
        if parts[i] == name:
            return "/".join(parts[i + 1:])
    return path


def migrate_log(lh: Any, root: str, rows: list[dict[str, Any]], spark: SparkSession):
    """Rewrite an ops.ingest_log keyed on absolute paths to the current layout (relative path,
    content hash of the file found there now, or null if it is gone), keeping every row, so an
    upgraded lakehouse re-reads nothing. Returns the new table (Arrow)."""
    migrated = []
    for r in rows:
        rel = legacy_relative(r["landing_file"], root)
        where = os.path.join(root, rel) if "://" not in root else f"{root}/{rel}"
        try:
            digest = content_hash(where)
        except OSError:
            digest = None
        migrated.append((rel, digest, None, r.get("rows_good"), r.get("rows_quarantined"),
                         r.get("ds"), r.get("ingested_at"), r.get("bronze_version")))
    lh.write(spark.createDataFrame(migrated, LOG_SCHEMA), INGEST_LOG, mode="overwrite",
             partition_by=[])
    log.warning("migrated %s: %d rows now keyed on paths relative to %s plus content hashes",
                INGEST_LOG, len(migrated), root)
    return lh.read_arrow(INGEST_LOG)


# ------------------------------------------------------------------------------ bronze rows

def ensure_bronze_schema(lh: Any) -> None:
    """Add ``received_at`` to a bronze.events written before it existed (metadata only: old
    files read it as null)."""
    if not lh.exists("bronze.events"):
        return
    from deltalake import DeltaTable, Field

    table = DeltaTable(lh.uri("bronze.events"))
    if "received_at" not in {f.name for f in table.schema().fields}:
        table.alter.add_columns(Field("received_at", "timestamp", nullable=True))
        log.warning("bronze.events: added column received_at (older rows: null)")


def parse_lines(lines: DataFrame, root: str, arrival: Column | None,
                max_future_skew: float | None) -> DataFrame:
    """(value, landing_file) lines → PARSED_SCHEMA rows; ``arrival`` is each line's
    ``ingested_at`` (:func:`tailor.clock.arrival_column`; default: now)."""
    arrived = F.current_timestamp() if arrival is None else arrival
    lines = lines.select("value", "landing_file", F.unix_micros(arrived).alias("arrived_us"))
    return (identified_lines(lines, root)
            .select("value", "landing_file", "quarantine_id", "arrived_us")
            .mapInArrow(line_parser(max_future_skew), PARSED_SCHEMA)
            .withColumn("ingested_at", F.timestamp_micros("arrived_us")).drop("arrived_us"))


def identified_lines(lines: DataFrame, root: str) -> DataFrame:
    """``lines`` with ``landing_file`` relative to ``root`` (as :func:`relative_path`) and each
    line's ``quarantine_id`` (as :func:`tailor.ingestion.parse.quarantine_id`), natively."""
    prefix = root.rstrip("/") + "/"
    path = F.col("landing_file")
    relative = F.when(path.startswith(prefix), path.substr(F.lit(len(prefix) + 1), F.length(path)))
    relative = relative.otherwise(path)
    return (lines.withColumn("landing_file", relative)
            .withColumn("quarantine_id", F.sha1(F.concat("landing_file", F.lit("\n"), "value"))))


def bronze_rows(parsed: DataFrame) -> DataFrame:
    """Typed bronze rows of the valid lines (+ quarantine_id, to find a conflict's line)."""
    return (parsed.where(F.col("reason").isNull())
            .withColumn("event_ts", F.to_timestamp("ts"))
            .withColumn("event_date", F.date_format("event_ts", "yyyy-MM-dd"))
            .withColumn("received_at", F.to_timestamp("received_at"))
            .select(*BRONZE_COLUMNS, "quarantine_id"))


def _fingerprint() -> Column:
    return F.sha2(F.to_json(F.struct(*CONTENT_COLUMNS)), 256)


def suspect_ids(lh: Any, rows: DataFrame) -> DataFrame:
    """The event ids of ``rows`` that need their content compared: seen more than once in
    ``rows`` or already in bronze.

    Found on a 64-bit hash of the id first: one aggregation over longs (the run's hashes and
    bronze's) instead of over id strings, then the rows whose hash repeats give their ids. A
    hash shared by two different ids only adds a suspect that then ranks alone (``new``, as it
    would be without the hash), so the statuses are exactly those of comparing the ids."""
    fresh = rows.select(_id_hash())
    hashes = fresh.withColumn("_in_bronze", F.lit(False))
    if lh.exists("bronze.events"):
        hashes = hashes.unionByName(
            lh.read("bronze.events").select(_id_hash(), F.lit(True).alias("_in_bronze")))
    shared = checkpointed(
        hashes.groupBy("_h").agg(F.count("*").alias("_n"), F.min("_in_bronze").alias("_old"))
        .where((F.col("_n") > 1) & ~F.col("_old")).select("_h"))  # repeated, and in this run
    count = shared.count()
    if not count:
        return rows.sparkSession.createDataFrame([], "event_id string")
    side = F.broadcast(shared) if count <= BROADCAST_IDS else shared
    return (rows.select("event_id", _id_hash()).join(side, "_h", "left_semi")
            .select("event_id").distinct())


def _id_hash() -> Column:
    return F.xxhash64("event_id").alias("_h")


def tag_duplicates(lh: Any, rows: DataFrame, suspects: DataFrame,
                   broadcast: bool = False) -> DataFrame:
    """``rows`` + ``_status``: ``new`` (insert), ``duplicate`` (same content already in
    bronze or earlier in this run) or ``conflict`` (same event_id, different content); at most
    one ``new`` row per event_id, so bronze's merge skips its own dedupe pass.

    Only the ``suspects`` (:func:`suspect_ids` of ``rows``) need ranking and
    fingerprints compared; every other row is ``new``. With ``broadcast`` (the suspects are few,
    the usual case) they are broadcast, so the wide rows are never shuffled.
    """
    side = F.broadcast(suspects) if broadcast else suspects
    single = rows.join(side, "event_id", "left_anti").withColumn("_status", F.lit("new"))
    ranked = _tag_suspects(lh, rows.join(side, "event_id", "left_semi"), broadcast)
    return single.unionByName(ranked.select(*single.columns))


def _tag_suspects(lh: Any, rows: DataFrame, broadcast: bool) -> DataFrame:
    """The suspect rows' ``_status``: the first received of an event_id is the reference unless
    bronze holds it already; a different fingerprint than the reference is a conflict."""
    receipt = F.coalesce(F.col("received_at"), F.col("ingested_at"))
    first = Window.partitionBy("event_id").orderBy(receipt, "landing_file", "_fp")
    rows = (rows.withColumn("_fp", _fingerprint())
            .withColumn("_rank", F.row_number().over(first)))
    firsts = rows.where(F.col("_rank") == 1).select("event_id", F.col("_fp").alias("_first_fp"))
    if lh.exists("bronze.events"):
        wanted = firsts.select("event_id")
        existing = (lh.read("bronze.events")  # fingerprint the matches only
                    .join(F.broadcast(wanted) if broadcast else wanted, "event_id", "left_semi")
                    .groupBy("event_id").agg(F.min(_fingerprint()).alias("_old_fp")))
        ref = firsts.join(existing, "event_id", "left")
    else:
        ref = firsts.withColumn("_old_fp", F.lit(None).cast("string"))
    ref = ref.select("event_id", F.coalesce("_old_fp", "_first_fp").alias("_ref_fp"),
                     F.col("_old_fp").isNull().alias("_absent"))
    status = (F.when(F.col("_fp") != F.col("_ref_fp"), "conflict")
              .when(F.col("_absent") & (F.col("_rank") == 1), "new").otherwise("duplicate"))
    return rows.join(ref, "event_id").withColumn("_status", status)


def _quarantine(rows: DataFrame, ds: str, reason: Column) -> DataFrame:
    return rows.select("quarantine_id", "landing_file", "raw_line", reason.alias("reason"),
                       F.current_timestamp().alias("quarantined_at"),
                       F.lit(ds).alias("ingest_date"))


# ---------------------------------------------------------------------------------- a run

def ingest_files(lh: Any, spark: SparkSession, lines: DataFrame | None, plan: FilePlan, ds: str,
                 root: str, arrival: Column | None = None,
                 max_future_skew: float | None = None) -> dict[str, Any]:
    """Ingest ``lines`` (value, landing_file) of ``plan.todo`` and log ``plan``'s files.

    Three Delta commits in this order: bronze.events, bronze.quarantine, ops.ingest_log. A crash
    between them leaves files out of the log, so they are read again and the checks above make
    the repeat a no-op. Returns counts (``events`` = rows new to bronze), reasons and versions.
    """
    summary: dict[str, Any] = {
        "files": len(plan.todo), "duplicate_files": len(plan.duplicates), "lines": 0,
        "events": 0, "duplicates": 0, "conflicting_duplicates": 0, "quarantined": 0,
        "quarantine_reasons": {}, "quarantine_version": None}
    per_file: dict[str, tuple[int, int]] = {}
    bronze_version = lh.version("bronze.events")
    if plan.todo and lines is not None:
        ensure_bronze_schema(lh)
        parsed = parse_lines(lines, root, arrival, max_future_skew).cache()
        rows = bronze_rows(parsed)
        suspects = suspect_ids(lh, rows).cache()
        tagged = None
        try:
            broadcast = suspects.count() <= BROADCAST_IDS
            tagged = tag_duplicates(lh, rows, suspects, broadcast)
            per_file, counts = _count(parsed, tagged)
            summary.update(counts)
            if summary["events"]:
                bronze_version = lh.write(
                    tagged.where(F.col("_status") == "new").select(*BRONZE_COLUMNS),
                    "bronze.events", mode="merge", keys=["event_id"],
                    partition_by=["event_date"], when_matched="ignore",
                    unique_keys=True).version  # one "new" row per event id (tag_duplicates)
            if summary["quarantined"]:
                bad = _quarantine(parsed.where(F.col("reason").isNotNull()), ds, F.col("reason"))
                conflicts = _quarantine(
                    _conflict_lines(lines, root, tagged, summary["conflicting_duplicates"]), ds,
                    F.lit(CONFLICTING_DUPLICATE))
                summary["quarantine_version"] = lh.write(
                    bad.unionByName(conflicts), "bronze.quarantine", mode="merge",
                    keys=["quarantine_id"], partition_by=["ingest_date"],
                    when_matched="ignore").version
        finally:
            for frame in (tagged, suspects, parsed):
                if frame is not None:
                    frame.unpersist()
    now = datetime.now(timezone.utc)
    entries = [(f.relative, f.content_hash, None, *per_file.get(f.relative, (0, 0)), ds, now,
                bronze_version) for f in plan.todo]
    entries += [(f.relative, f.content_hash, original, 0, 0, ds, now, bronze_version)
                for f, original in plan.duplicates]
    log_version = None
    if entries:
        log_version = lh.write(spark.createDataFrame(entries, LOG_SCHEMA), INGEST_LOG,
                               mode="merge", keys=["landing_file"], when_matched="ignore").version
    summary.update({"bronze_version": bronze_version, "ingest_log_version": log_version})
    if plan.duplicates:
        summary["duplicate_of"] = {f.relative: original for f, original in plan.duplicates}
    return summary


def _conflict_lines(lines: DataFrame, root: str, tagged: DataFrame, conflicts: int
                    ) -> DataFrame:
    """The landing lines (quarantine_id, landing_file, raw_line) of the conflicting duplicates:
    parsed good rows do not carry their raw text, so the lines are read again (without parsing)
    and found by quarantine id — a quarantine id names one line of one file. Runs only when a
    run has conflicts."""
    ids = tagged.where(F.col("_status") == "conflict").select("quarantine_id").distinct()
    if conflicts <= BROADCAST_IDS:
        ids = F.broadcast(ids)
    return (identified_lines(lines, root).join(ids, "quarantine_id", "left_semi")
            .select("quarantine_id", "landing_file", F.col("value").alias("raw_line")))


def _count(parsed: DataFrame, tagged: DataFrame) -> tuple[dict[str, tuple[int, int]], dict]:
    """Per file (good, quarantined) lines and the run's counts (two small Spark actions)."""
    lines: dict[str, list[int]] = {}
    reasons: dict[str, int] = {}
    for r in parsed.groupBy("landing_file", "reason").count().collect():
        counts = lines.setdefault(r["landing_file"], [0, 0])
        counts[0] += r["count"]
        if r["reason"] is not None:
            counts[1] += r["count"]
            reasons[r["reason"]] = reasons.get(r["reason"], 0) + r["count"]
    statuses: dict[str, int] = {}
    conflicts: dict[str, int] = {}
    for r in tagged.groupBy("landing_file", "_status").count().collect():
        statuses[r["_status"]] = statuses.get(r["_status"], 0) + r["count"]
        if r["_status"] == "conflict":
            conflicts[r["landing_file"]] = r["count"]
    if statuses.get("conflict"):
        reasons[CONFLICTING_DUPLICATE] = statuses["conflict"]
    per_file = {}
    for name, (n, bad) in lines.items():
        quarantined = bad + conflicts.get(name, 0)
        per_file[name] = (n - quarantined, quarantined)
    return per_file, {
        "lines": sum(n for n, _ in lines.values()), "events": statuses.get("new", 0),
        "duplicates": statuses.get("duplicate", 0),
        "conflicting_duplicates": statuses.get("conflict", 0),
        "quarantined": sum(q for _, q in per_file.values()), "quarantine_reasons": reasons}


class QuarantineRateError(RuntimeError):
    """Too many malformed lines in one run: something upstream is broken."""


def check_quarantine_share(summary: dict[str, Any], max_share: float) -> None:
    """Fail the run (after its good rows are committed) when too many lines were malformed."""
    n_lines, n_bad = summary["lines"], summary["quarantined"]
    share = n_bad / max(1, n_lines)
    if share > max_share:
        raise QuarantineRateError(
            f"{n_bad} of {n_lines} lines ({share:.1%}) were malformed, above "
            f"quality.max_quarantine_share={max_share}: see bronze.quarantine (reasons: "
            f"{summary['quarantine_reasons']}). Good rows were kept.")
