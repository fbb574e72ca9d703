"""Serving snapshots: build, verify, load, and the CURRENT pointer.

A snapshot is an immutable directory ``<serving_dir>/snapshots/<snapshot_id>/`` holding the
lookup file (person_id → precompiled response bytes, see ``records``) and ``manifest.json``
(lineage, row count, sha256 of every file, the fallback record). It is built in a hidden temp
directory and renamed into place, so a half-built snapshot is never visible under its id;
``<serving_dir>/CURRENT`` names the served snapshot and is swapped with ``os.replace``, so
readers see the old id or the new one, never a torn file. Old snapshots are kept: rolling back
is pointing CURRENT at an older id.
"""
from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

import pyarrow as pa
import pyarrow.compute as pc

from tailor.serving import store
from tailor.serving.fallback import fallback_record, popular_items
from tailor.serving.records import decision_record, encode_record, parse_versions

MANIFEST = "manifest.json"
CURRENT = "CURRENT"
SNAPSHOTS = "snapshots"
FORMAT_VERSION = 1

# gold.decisions columns a snapshot is compiled from (others, e.g. ltv_pred, stay internal)
SOURCE_COLUMNS = ("person_id", "ds", "policy_version", "items", "item_scores", "action_id",
                  "channel", "send_hour", "offer", "discount", "propensity", "holdout",
                  "explanation", "guardrails", "model_versions", "feature_versions",
                  "data_versions")


class SnapshotError(RuntimeError):
    """A snapshot is missing, incomplete or corrupt and must not be served."""


class NoSnapshotError(SnapshotError):
    """Nothing has been published into this serving directory yet."""


@dataclass(frozen=True)
class SnapshotInfo:
    """A built (not necessarily current) snapshot on disk."""

    snapshot_id: str
    path: str
    manifest: dict[str, Any] = field(repr=False)

    @property
    def row_count(self) -> int:
        return int(self.manifest["row_count"])


class Snapshot:
    """A verified snapshot opened for serving: ``get(person_id)`` and the fallback bytes."""

    def __init__(self, info: SnapshotInfo) -> None:
        self.info = info
        self.snapshot_id = info.snapshot_id
        self.manifest = info.manifest
        self._reader = store.open_reader(info.manifest["store"],
                                         Path(info.path, info.manifest["lookup_file"]))
        self.get = self._reader.get  # bound once: the request path calls it directly
        self.fallback = encode_record(info.manifest["fallback"])

    def close(self) -> None:
        self._reader.close()


# ---------------------------------------------------------------- paths and the CURRENT pointer

def snapshots_dir(serving_dir: str | Path) -> Path:
    return Path(serving_dir, SNAPSHOTS)


def snapshot_path(serving_dir: str | Path, snapshot_id: str) -> Path:
    if not snapshot_id or "/" in snapshot_id or snapshot_id.startswith("."):
        raise SnapshotError(f"invalid snapshot id {snapshot_id!r}")
    return snapshots_dir(serving_dir) / snapshot_id


def read_current(serving_dir: str | Path) -> str | None:
    """The snapshot id CURRENT points at, or None if nothing was published yet."""
    try:
        return Path(serving_dir, CURRENT).read_text().strip() or None
    except FileNotFoundError:
        return None


def set_current(serving_dir: str | Path, snapshot_id: str, verify: bool = True) -> None:
    """Atomically point CURRENT at ``snapshot_id`` (verified first unless ``verify=False``)."""
    if verify:
        verify_snapshot(snapshot_path(serving_dir, snapshot_id))
    elif not snapshot_path(serving_dir, snapshot_id).is_dir():
        raise SnapshotError(f"no snapshot {snapshot_id!r} in {snapshots_dir(serving_dir)}")
    target = Path(serving_dir, CURRENT)
    tmp = target.with_name(f".{CURRENT}.tmp-{os.getpid()}-{secrets.token_hex(4)}")
    _write_durably(tmp, (snapshot_id + "\n").encode())
    os.replace(tmp, target)
    _fsync_dir(target.parent)


def list_snapshots(serving_dir: str | Path) -> list[str]:
    """Ids of complete snapshot directories (temp dirs excluded), oldest first."""
    root = snapshots_dir(serving_dir)
    if not root.is_dir():
        return []
    found = [p for p in root.iterdir()
             if p.is_dir() and not p.name.startswith(".") and (p / MANIFEST).is_file()]
    return [p.name for p in sorted(found, key=lambda p: ((p / MANIFEST).stat().st_mtime, p.name))]


# ------------------------------------------------------------------------------------ build

def new_snapshot_id(ds: str, decisions_version: int | None) -> str:
    """Readable and unique: which day, which table version, when, plus a random suffix."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    return f"{ds}_v{decisions_version}_{stamp}_{secrets.token_hex(3)}"


def build_snapshot(table: pa.Table, serving_dir: str | Path, manifest_fields: dict[str, Any],
                   *, fallback_top_k: int = 5, engine: str = store.DEFAULT_ENGINE,
                   batch_rows: int = 50_000) -> SnapshotInfo:
    """Compile one ds of gold.decisions into a new immutable snapshot (CURRENT is not touched).

    ``manifest_fields`` must hold ``decisions_version`` (the Delta version read) and may add
    any lineage (e.g. ``decisions_table``); computed fields (ids, counts, checksums) win.
    """
    started = time.perf_counter()
    if "decisions_version" not in manifest_fields:
        raise ValueError("manifest_fields must include 'decisions_version' (the Delta version "
                         "the rows were read at): a snapshot must name its source")
    table = _validated(table, manifest_fields.get("ds"))
    ds = table["ds"][0].as_py()
    version = manifest_fields["decisions_version"]
    snapshot_id = new_snapshot_id(ds, version)
    lookup_file, writer_cls, _ = store.engine(engine)
    final = snapshot_path(serving_dir, snapshot_id)
    tmp = final.with_name(f".tmp-{snapshot_id}")
    tmp.mkdir(parents=True)
    try:
        writer = writer_cls(tmp / lookup_file)
        writer.put_many(_encoded_rows(table, snapshot_id, version, batch_rows))
        writer.close()
        lineage = {"policy_version": _distinct(table["policy_version"]),
                   "model_versions": _distinct(table["model_versions"]),
                   "feature_versions": _distinct(table["feature_versions"])}
        fallback = fallback_record(
            popular_items(table["items"], fallback_top_k), snapshot_id=snapshot_id,
            decisions_version=version, policy_version=lineage["policy_version"],
            provenance={"model_versions": lineage["model_versions"],
                        "feature_versions": lineage["feature_versions"],
                        "data_versions": {"gold.decisions": version}, "ds": ds})
        manifest = {
            **manifest_fields,
            "format": FORMAT_VERSION,
            "snapshot_id": snapshot_id,
            "decisions_version": version,
            "ds": ds,
            **lineage,
            "row_count": table.num_rows,
            "store": engine,
            "lookup_file": lookup_file,
            "files": {lookup_file: _file_entry(tmp / lookup_file)},
            "built_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "build_seconds": round(time.perf_counter() - started, 3),
            "fallback": fallback,
        }
        _write_durably(tmp / MANIFEST, json.dumps(manifest, indent=2, sort_keys=False).encode())
        _fsync_dir(tmp)
        os.rename(tmp, final)
        _fsync_dir(final.parent)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return SnapshotInfo(snapshot_id, str(final), manifest)


def _validated(table: pa.Table, expected_ds: str | None) -> pa.Table:
    """Only the columns we serve, sorted by person_id (B-tree friendly), or a clear error."""
    missing = [c for c in SOURCE_COLUMNS if c not in table.column_names]
    if missing:
        raise ValueError(f"decisions table lacks columns {missing}; expected the gold.decisions "
                         f"schema ({', '.join(SOURCE_COLUMNS)}, ...)")
    if table.num_rows == 0:
        raise ValueError("no decision rows to publish: an empty snapshot would make every user "
                         "unknown; run the decide step for this ds first")
    table = table.select(list(SOURCE_COLUMNS))
    ds_values = pc.unique(table["ds"]).to_pylist()
    if len(ds_values) != 1 or ds_values[0] is None:
        raise ValueError(f"a snapshot holds exactly one ds; got {sorted(map(str, ds_values))}")
    if expected_ds is not None and ds_values[0] != expected_ds:
        raise ValueError(f"rows are for ds {ds_values[0]} but manifest says {expected_ds}")
    if table["person_id"].null_count:
        raise ValueError(f"{table['person_id'].null_count} decision rows have no person_id")
    distinct = pc.count_distinct(table["person_id"]).as_py()
    if distinct != table.num_rows:
        raise ValueError(f"{table.num_rows - distinct} duplicate person_id rows in ds "
                         f"{ds_values[0]}: gold.decisions must hold one row per person per ds")
    return table.sort_by("person_id")


def _encoded_rows(table: pa.Table, snapshot_id: str, version: int | None,
                  batch_rows: int) -> Iterator[tuple[str, bytes]]:
    for batch in table.to_batches(max_chunksize=batch_rows):
        for row in batch.to_pylist():
            yield row["person_id"], encode_record(decision_record(row, snapshot_id, version))


def _distinct(column: pa.ChunkedArray) -> Any:
    """The column's single value (JSON parsed); a sorted list if the partition mixes several."""
    values = sorted(v for v in pc.unique(column).to_pylist() if v is not None)
    parsed = [parse_versions(v) for v in values]
    if not parsed:
        return None
    return parsed[0] if len(parsed) == 1 else parsed


# ----------------------------------------------------------------------------- verify / load

def verify_snapshot(path: str | Path) -> dict[str, Any]:
    """Recompute checksums and row count; return the manifest or raise SnapshotError."""
    path = Path(path)
    sid = path.name
    if not path.is_dir():
        raise SnapshotError(f"snapshot {sid}: directory {path} does not exist")
    try:
        manifest = json.loads((path / MANIFEST).read_text())
    except FileNotFoundError:
        raise SnapshotError(f"snapshot {sid} is incomplete: no {MANIFEST} in {path}") from None
    except ValueError as exc:
        raise SnapshotError(f"snapshot {sid}: {MANIFEST} is not valid JSON ({exc})") from None
    missing = [k for k in ("snapshot_id", "store", "lookup_file", "files", "row_count",
                           "fallback") if k not in manifest]
    if missing:
        raise SnapshotError(f"snapshot {sid}: manifest lacks {missing}")
    if manifest["snapshot_id"] != sid:
        raise SnapshotError(f"snapshot {sid}: manifest names {manifest['snapshot_id']!r}")
    if manifest["lookup_file"] not in manifest["files"]:
        raise SnapshotError(f"snapshot {sid}: lookup file has no checksum in the manifest")
    for name, expected in manifest["files"].items():
        file = path / name
        if not file.is_file():
            raise SnapshotError(f"snapshot {sid} is incomplete: {name} is missing")
        actual = _file_entry(file)
        if actual != expected:
            raise SnapshotError(
                f"snapshot {sid} is corrupt: {name} has {actual['bytes']} bytes, sha256 "
                f"{actual['sha256'][:16]}…, manifest says {expected.get('bytes')} bytes, sha256 "
                f"{str(expected.get('sha256'))[:16]}…; refusing to serve it (publish again)")
    try:
        reader = store.open_reader(manifest["store"], path / manifest["lookup_file"])
        try:
            rows = reader.count()
        finally:
            reader.close()
    except Exception as exc:  # noqa: BLE001 - any engine failure means unusable
        raise SnapshotError(f"snapshot {sid}: lookup file unreadable ({exc})") from exc
    if rows != manifest["row_count"]:
        raise SnapshotError(f"snapshot {sid} is corrupt: {rows} rows, manifest says "
                            f"{manifest['row_count']}")
    return manifest


def load_snapshot(serving_dir: str | Path, snapshot_id: str | None = None,
                  verify: bool = True) -> Snapshot:
    """Open ``snapshot_id`` (default: CURRENT) for serving, verifying it first."""
    if snapshot_id is None:
        snapshot_id = read_current(serving_dir)
        if snapshot_id is None:
            raise NoSnapshotError(
                f"no published snapshot in {Path(serving_dir).resolve()} (no {CURRENT} file): "
                f"run `tailor publish --ds YYYY-MM-DD` first")
    path = snapshot_path(serving_dir, snapshot_id)
    if verify:
        manifest = verify_snapshot(path)
    else:
        manifest = json.loads((path / MANIFEST).read_text())
    return Snapshot(SnapshotInfo(snapshot_id, str(path), manifest))


# ------------------------------------------------------------------------------ file helpers

def _file_entry(path: Path) -> dict[str, Any]:
    with open(path, "rb") as fh:
        digest = hashlib.file_digest(fh, "sha256").hexdigest()
    return {"sha256": digest, "bytes": path.stat().st_size}


def _write_durably(path: Path, data: bytes) -> None:
    with open(path, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
