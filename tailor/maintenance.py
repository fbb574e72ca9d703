"""Table maintenance: which tables, in which order, with which retention — and the
``ops.maintenance`` rows that say what happened (``jobs/maintenance.py`` is the glue).

Per table, in this order (every step through ``tailor.lakehouse``, delta-rs, no Spark):

1. **compact** the partitions holding ``maintenance.min_files`` or more files smaller than
   ``target_file_mb`` (the nearline DAG appends a few small files every 10 minutes);
2. **retention**: the table's ``delta.logRetentionDuration`` / ``delta.deletedFileRetentionDuration``
   raised to the retention (never lowered), so log cleanup and checkpoints keep what time travel
   inside the window needs;
3. **vacuum** the files removed more than the retention ago (never ``maintenance.keep_history``
   tables, ``training.*``: their commit files are kept instead) —
   the retention is ``maintenance.retention_hours``, never below the floor lineage and rollback
   need (``tailor.config.time_travel_floor``, checked when the configuration loads);
4. **checkpoint** the latest version;
5. **cleanup_logs**: commit files older than the log retention that a checkpoint covers.

Each step that has nothing to do commits nothing, so a second run on a maintained table is a
no-op (its row says ``noop``). A conflict with a concurrent writer leaves the table as the
writer left it; the row says ``conflict`` and the next run tries again.
"""
from __future__ import annotations

import fnmatch
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Iterable

import pyarrow as pa

from tailor.config import Config
from tailor.lakehouse import Lakehouse, TableConflictError, list_tables

TABLE = "ops.maintenance"
DONE, NOOP, CONFLICT, FAILED = "done", "noop", "conflict", "failed"


@dataclass(frozen=True)
class Plan:
    """What one run does to which tables."""

    tables: list[str]
    keep_history: set[str]      # never vacuumed, commit files never expire
    vacuum: bool
    retention_hours: float
    target_bytes: int
    min_files: int
    compact: bool
    checkpoint: bool
    cleanup_logs: bool


def _matches(name: str, patterns: Iterable[str]) -> bool:
    return any(fnmatch.fnmatchcase(name, p.strip()) for p in patterns if p.strip())


def candidate_tables(cfg: Config) -> list[str]:
    """Every table the pipeline may have written: the catalog, the feature registry, and (on a
    local lakehouse) whatever else has a Delta log under the root."""
    from tailor.catalog import all_tables
    from tailor.features.registry import GROUPS

    names = set(all_tables()) | {g.table for g in GROUPS.values()}
    root = cfg.lakehouse_root
    if "://" not in root or root.startswith("file://"):
        names |= set(list_tables(root.removeprefix("file://")))
    return sorted(names)


def plan(cfg: Config, lakehouse: Lakehouse, only: str | None = None) -> Plan:
    """The tables that exist and match ``maintenance.tables`` (or ``only``: names or patterns,
    comma-separated), and which of them keep their whole history."""
    settings = cfg.maintenance
    patterns = only.split(",") if only else settings.tables
    tables = [t for t in candidate_tables(cfg) if _matches(t, patterns) and lakehouse.exists(t)]
    keep = {t for t in tables if _matches(t, settings.keep_history)}
    return Plan(tables, keep, settings.vacuum, cfg.maintenance_retention_hours,
                settings.target_file_mb * 1024 * 1024, settings.min_files, settings.compact,
                settings.checkpoint, settings.cleanup_logs)


def maintain(lakehouse: Lakehouse, name: str, p: Plan, ds: str, run_id: str) -> dict[str, Any]:
    """Maintain one table; its ``ops.maintenance`` row (never raises for the table's own errors:
    the row says ``failed`` with the error)."""
    t0 = time.monotonic()
    before = lakehouse.file_stats(name)
    row: dict[str, Any] = {"ds": ds, "run_id": run_id, "table_name": name,
                           "files_compacted": 0, "files_vacuumed": 0, "bytes_vacuumed": 0,
                           "log_files_deleted": 0, "retention_hours": p.retention_hours,
                           "time_travel_from_version": None}
    done: list[str] = []
    notes: list[str] = []
    status = DONE
    try:
        if p.compact:
            compacted = lakehouse.compact(name, p.target_bytes, p.min_files)
            if compacted is not None:
                done.append("compact")
                row["files_compacted"] = compacted.files_removed
        keep = name in p.keep_history
        changed = lakehouse.keep_history(name) if keep else (
            lakehouse.ensure_retention(name, p.retention_hours) if p.vacuum or p.cleanup_logs
            else {})
        if changed:
            done.append("retention")
        if keep:
            notes.append("whole history kept (maintenance.keep_history): not vacuumed, logs kept")
        elif p.vacuum:
            vac = lakehouse.vacuum(name, p.retention_hours)
            row.update(retention_hours=vac.retention_hours,
                       time_travel_from_version=vac.time_travel_from_version,
                       files_vacuumed=vac.files_deleted, bytes_vacuumed=vac.bytes_deleted)
            if vac.files_deleted:
                done.append("vacuum")
        else:
            notes.append("not vacuumed (maintenance.vacuum: false)")
        if p.checkpoint and lakehouse.checkpoint(name) is not None:
            done.append("checkpoint")
        if p.cleanup_logs and not keep:
            deleted = lakehouse.cleanup_logs(name, p.retention_hours)
            if deleted:
                done.append("cleanup_logs")
                row["log_files_deleted"] = deleted
    except TableConflictError as exc:
        status = CONFLICT
        notes.append(str(exc))
    except Exception as exc:  # noqa: BLE001 - one table's failure is recorded, the others go on
        status = FAILED
        notes.append(f"{type(exc).__name__}: {exc}")
    after = lakehouse.file_stats(name)
    if status == DONE and not done:
        status = NOOP
    row.update(status=status, operations=",".join(done),
               files_before=before.live_files, files_after=after.live_files,
               bytes_before=before.live_bytes, bytes_after=after.live_bytes,
               stored_files_before=before.stored_files, stored_files_after=after.stored_files,
               stored_bytes_before=before.stored_bytes, stored_bytes_after=after.stored_bytes,
               version_before=before.version, version_after=after.version,
               checkpoint_version=after.checkpoint_version,
               seconds=round(time.monotonic() - t0, 3), note="; ".join(notes) or None,
               finished_at=datetime.now(timezone.utc))
    return row


def write(lakehouse: Lakehouse, rows: list[dict[str, Any]]) -> int | None:
    """Append the run's rows to ``ops.maintenance`` (history: a rerun adds rows); its version."""
    from tailor.catalog import table

    if not rows:
        return None
    schema = table(TABLE).arrow_schema
    data = pa.Table.from_pylist([{c: r.get(c) for c in schema.names} for r in rows], schema=schema)
    return lakehouse.write_arrow(data, TABLE, mode="append", partition_by=["ds"],
                                 metadata={"tailor.job": "maintenance"}).version


def run_maintenance(cfg: Config, lakehouse: Lakehouse, ds: str, run_id: str,
                    only: str | None = None) -> tuple[Plan, list[dict[str, Any]], int | None]:
    """Maintain every planned table, then record the rows. ``ops.maintenance`` itself is
    maintained like any table (before its rows are appended)."""
    p = plan(cfg, lakehouse, only)
    rows = [maintain(lakehouse, name, p, ds, run_id) for name in p.tables]
    return p, rows, write(lakehouse, rows)
