"""Table maintenance through delta-rs: compaction, retention properties, VACUUM, checkpoints,
log cleanup, and the file figures before and after.

Engine-independent: the bridge and the native engine write the same Delta format, and delta-rs
maintains it without Spark (like :func:`tailor.lakehouse.arrow_io.read_arrow`). Jobs reach these
through :class:`tailor.lakehouse.Lakehouse` (``compact``, ``vacuum``, ...); the policy — which
tables, what retention — lives in ``tailor/maintenance.py``.

What time travel needs, and how these keep it:

* a version's **data files**: VACUUM deletes a removed file only once its removal
  (``deletionTimestamp``) is older than the retention, so every version that was still current
  inside the window keeps its files. Vacuum runs in delta-rs's *lite* mode (only files the log
  says were removed) with its retention check on: files a writer has written but not yet
  committed are never candidates.
* a version's **log entries**: delta-rs deletes commit files older than
  ``delta.logRetentionDuration`` (default 30 days) once a checkpoint covers them, and drops
  tombstones older than ``delta.deletedFileRetentionDuration`` (default 7 days) from
  checkpoints — after which no vacuum knows those files were removed. :func:`ensure_retention`
  raises both table properties to the retention (never lowers them), so neither undercuts it;
  :func:`keep_history` stops log expiry altogether for tables whose every version must stay
  readable.
"""
from __future__ import annotations

import json
import math
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

import pyarrow.fs as pafs
from deltalake import CommitProperties
from deltalake.exceptions import CommitFailedError

from tailor.lakehouse import arrow_io
from tailor.lakehouse.base import LakehouseError, TableConflictError

LOG_RETENTION = "delta.logRetentionDuration"
FILE_RETENTION = "delta.deletedFileRetentionDuration"
LOG_CLEANUP = "delta.enableExpiredLogCleanup"
# Delta's defaults when a table does not set them (the protocol's and delta-rs's).
DEFAULT_HOURS = {LOG_RETENTION: 30 * 24.0, FILE_RETENTION: 7 * 24.0}
_UNIT_HOURS = {"second": 1 / 3600, "minute": 1 / 60, "hour": 1.0, "day": 24.0, "week": 168.0}
_INTERVAL = re.compile(r"^\s*interval\s+(\d+(?:\.\d+)?)\s+(second|minute|hour|day|week)s?\s*$",
                       re.IGNORECASE)


@dataclass(frozen=True)
class FileStats:
    """One table's files at one moment. *Live* = the latest snapshot's files (what a reader
    opens); *stored* = every data file under the table's directory (live, removed but kept for
    time travel, never committed)."""

    version: int
    live_files: int
    live_bytes: int
    stored_files: int
    stored_bytes: int
    log_files: int
    checkpoint_version: int | None


@dataclass(frozen=True)
class CompactResult:
    version: int
    files_removed: int
    files_added: int
    partitions: int


@dataclass(frozen=True)
class VacuumResult:
    retention_hours: float
    files_deleted: int
    bytes_deleted: int
    time_travel_from_version: int   # oldest version still readable after the vacuum


def interval_hours(value: str) -> float:
    """Hours of a Delta interval property (``interval 31 days``); ValueError if unreadable."""
    match = _INTERVAL.match(value or "")
    if not match:
        raise ValueError(f"cannot read the Delta interval {value!r} (expected e.g. 'interval 31 days')")
    return float(match.group(1)) * _UNIT_HOURS[match.group(2).lower()]


def _listing(uri: str, under: str = "") -> list[pafs.FileInfo]:
    fs, base = pafs.FileSystem.from_uri(uri)
    root = base.rstrip("/") + (f"/{under}" if under else "")
    try:
        infos = fs.get_file_info(pafs.FileSelector(root, recursive=True, allow_not_found=True))
    except FileNotFoundError:
        return []
    return [i for i in infos if i.type == pafs.FileType.File]


def stored_data_files(uri: str) -> dict[str, int]:
    """Relative path → size of every data file under ``uri``; like VACUUM, directories and files
    whose name starts with ``_`` or ``.`` (the ``_delta_log``, checksums) are not data."""
    _, base = pafs.FileSystem.from_uri(uri)
    prefix = base.rstrip("/") + "/"
    found = {}
    for info in _listing(uri):
        rel = info.path[len(prefix):] if info.path.startswith(prefix) else info.path
        if any(part.startswith(("_", ".")) for part in rel.split("/")):
            continue
        found[rel] = int(info.size or 0)
    return found


def last_checkpoint_version(uri: str) -> int | None:
    """The version of the table's newest checkpoint (``_delta_log/_last_checkpoint``), or None."""
    fs, base = pafs.FileSystem.from_uri(uri)
    try:
        with fs.open_input_stream(base.rstrip("/") + "/_delta_log/_last_checkpoint") as fh:
            return int(json.loads(fh.read().decode())["version"])
    except (FileNotFoundError, OSError, KeyError, ValueError):
        return None


def _log_files(uri: str) -> int:
    return sum(1 for i in _listing(uri, "_delta_log") if i.path.endswith(".json"))


def file_stats(uri: str) -> FileStats:
    """Live and stored files, bytes, commit files and the newest checkpoint of ``uri``."""
    dt = arrow_io.open_table(uri)
    live = arrow_io.live_files(dt)
    stored = stored_data_files(uri)
    return FileStats(dt.version(), len(live), sum(int(f["size"] or 0) for f in live),
                     len(stored), sum(stored.values()), _log_files(uri),
                     last_checkpoint_version(uri))


def compact(uri: str, target_bytes: int, min_files: int) -> CompactResult | None:
    """Rewrite the small files (under ``target_bytes``) of every partition holding at least
    ``min_files`` of them into files of about ``target_bytes`` (delta-rs ``optimize.compact``: one
    commit, the same rows, no data change for readers). None when no partition qualifies — a
    second run on a compacted table does nothing.

    Compaction only adds and removes files; it conflicts with a concurrent overwrite or merge of
    the same table (delta-rs refuses to commit it: :class:`TableConflictError`, nothing changed).
    """
    dt = arrow_io.open_table(uri)
    part_cols = list(dt.metadata().partition_columns)
    small = Counter(tuple(f["partition_values"].get(c) for c in part_cols)
                    for f in arrow_io.live_files(dt) if int(f["size"] or 0) < target_bytes)
    due = [key for key, n in small.items() if n >= min_files]
    if not due:
        return None
    filters: Any = None
    if len(part_cols) == 1 and all(key[0] is not None for key in due) and len(due) < len(small):
        filters = [(part_cols[0], "in", sorted(str(key[0]) for key in due))]
    try:
        metrics = dt.optimize.compact(
            partition_filters=filters, target_size=target_bytes,
            commit_properties=CommitProperties(custom_metadata={"tailor.mode": "compact"}))
    except CommitFailedError as exc:
        raise TableConflictError(f"compaction of {uri} conflicted with a concurrent commit after "
                                 f"version {dt.version()}; nothing changed. Run it again.") from exc
    if not metrics.get("numFilesRemoved"):
        return None
    return CompactResult(arrow_io.table_version(uri) or 0, int(metrics["numFilesRemoved"]),
                         int(metrics["numFilesAdded"]), int(metrics.get("partitionsOptimized", 0)))


def retention_hours(uri: str) -> dict[str, float]:
    """The table's log and deleted-file retention in hours (Delta's defaults where unset)."""
    config = arrow_io.open_table(uri).metadata().configuration or {}
    out = {}
    for prop, default in DEFAULT_HOURS.items():
        try:
            out[prop] = interval_hours(config[prop]) if prop in config else default
        except ValueError as exc:
            raise LakehouseError(f"{uri}: table property {prop}={config[prop]!r} is not an "
                                 f"interval Tailor can read; set it to e.g. 'interval 31 days'") from exc
    return out


def ensure_retention(uri: str, hours: float) -> dict[str, str]:
    """Raise ``delta.logRetentionDuration`` and ``delta.deletedFileRetentionDuration`` to at least
    ``hours`` (never lowered); returns the properties it set ({} when both already cover it: no
    commit). One metadata commit, which keeps schema and partitioning."""
    current = retention_hours(uri)
    wanted = f"interval {math.ceil(hours)} hours"
    changes = {prop: wanted for prop, have in current.items() if have < hours}
    if changes:
        _set_properties(arrow_io.open_table(uri), changes)
    return changes


def _set_properties(dt, changes: dict[str, str]) -> None:
    """One metadata commit setting ``changes`` (schema and partitioning kept); a concurrent
    commit is a :class:`TableConflictError` (nothing changed)."""
    try:
        dt.alter.set_table_properties(
            changes, commit_properties=CommitProperties(custom_metadata={"tailor.mode": "retention"}))
    except CommitFailedError as exc:
        raise TableConflictError(f"setting {sorted(changes)} on {dt.table_uri} conflicted with a "
                                 "concurrent commit; nothing changed. Run it again.") from exc


def keep_history(uri: str) -> dict[str, str]:
    """Keep every version's commit files: ``delta.enableExpiredLogCleanup = false`` (delta-rs and
    delta-spark then never expire them after a checkpoint). {} when already so (no commit)."""
    dt = arrow_io.open_table(uri)
    config = dt.metadata().configuration or {}
    if str(config.get(LOG_CLEANUP, "")).lower() == "false":
        return {}
    changes = {LOG_CLEANUP: "false"}
    _set_properties(dt, changes)
    return changes


def readable_from(uri: str) -> int:
    """The oldest version time travel can still read: every file of its snapshot is in storage
    (and its log entries load). Checked, not inferred: a binary search over versions, which
    relies on removals being vacuumed oldest first (a version is readable if an older one is)."""
    latest = arrow_io.table_version(uri) or 0
    stored = set(stored_data_files(uri))

    def readable(version: int) -> bool:
        try:
            dt = arrow_io.open_table(uri, version)
        except Exception:  # noqa: BLE001 - its log entries are gone: not readable
            return False
        return all(unquote(f["path"]) in stored for f in arrow_io.live_files(dt))

    lo, hi = 0, latest
    while lo < hi:
        mid = (lo + hi) // 2
        if readable(mid):
            hi = mid
        else:
            lo = mid + 1
    return lo


def vacuum(uri: str, hours: float) -> VacuumResult:
    """Delete the files removed from the table more than ``hours`` ago (or the table's own
    ``delta.deletedFileRetentionDuration``, whichever is longer), with delta-rs's retention check
    on. Nothing to delete: no commit (a rerun is a no-op). Call :func:`ensure_retention` first so
    checkpoints keep the tombstones this needs."""
    hours = max(hours, retention_hours(uri)[FILE_RETENTION])
    retain = math.ceil(hours)
    dt = arrow_io.open_table(uri)
    # delta-rs lists every expired tombstone, also those whose file an earlier vacuum deleted
    # (until a checkpoint drops the tombstone): only files still in storage are work to do
    sizes = stored_data_files(uri)
    doomed = [p for p in dt.vacuum(retention_hours=retain, dry_run=True,
                                   enforce_retention_duration=True) if p in sizes]
    if doomed:
        dt.vacuum(retention_hours=retain, dry_run=False, enforce_retention_duration=True,
                  commit_properties=CommitProperties(custom_metadata={"tailor.mode": "vacuum"}))
    left = stored_data_files(uri) if doomed else sizes
    deleted = [p for p in doomed if p not in left]
    return VacuumResult(float(retain), len(deleted), sum(sizes[p] for p in deleted),
                        readable_from(uri))


def checkpoint(uri: str) -> int | None:
    """Write a checkpoint at the latest version (readers then replay the log from there);
    None when the latest version already has one."""
    version = arrow_io.table_version(uri)
    if version is None or last_checkpoint_version(uri) == version:
        return None
    arrow_io.open_table(uri).create_checkpoint()
    return version


def cleanup_logs(uri: str, hours: float) -> int:
    """Delete commit files older than the table's ``delta.logRetentionDuration`` that a
    checkpoint covers; returns how many went. Refused (LakehouseError) while that retention is
    shorter than ``hours``: the log entries of versions inside the window must stay."""
    have = retention_hours(uri)[LOG_RETENTION]
    if have < hours:
        raise LakehouseError(f"{uri}: {LOG_RETENTION} is {have:g} h, shorter than the {hours:g} h "
                             "time travel must reach; run ensure_retention first")
    before = _log_files(uri)
    arrow_io.open_table(uri).cleanup_metadata()
    return before - _log_files(uri)
