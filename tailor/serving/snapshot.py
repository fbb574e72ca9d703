"""Serving snapshots: build, verify, load, the CURRENT pointer, history and rollback.

A snapshot is an immutable directory ``<serving_dir>/snapshots/<snapshot_id>/`` holding the
lookup file (pseudonymous person id → precompiled value, see ``records``) and ``manifest.json``
(lineage, row count, sha256 and size of every file, build time, the fallback record). It is
built in a hidden temp directory and renamed into place, so a half-built snapshot is never
visible under its id; ``<serving_dir>/CURRENT`` names the served snapshot and is swapped with
``os.replace``, so readers see the old id or the new one, never a torn file.

``<serving_dir>/HISTORY`` (JSON lines, append-only) records every change of CURRENT. Replayed,
it is a stack: publish pushes, rollback pops. ``rollback`` therefore returns to the snapshot
served *before* the current one was published, and a rolled-back snapshot is never rolled back
*to* (publish A, publish B, rollback → A, publish C, rollback → A, not B).
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
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from tailor.catalog import table
from tailor.serving import store
from tailor.serving.fallback import fallback_record, popular_items
from tailor.serving.fsutil import fsync_dir
from tailor.serving.records import compile_value, parse_versions

MANIFEST = "manifest.json"
CURRENT = "CURRENT"
HISTORY = "HISTORY"
SNAPSHOTS = "snapshots"
# 2: values are header | rec offsets | log fragment | body (records.py); 3: and every record
# of the lookup file carries a checksum (xxh3-64) checked on each read (store.py). Older formats are refused.
FORMAT_VERSION = 3

# gold.decisions columns a snapshot is compiled from (the catalog marks them ``served``; the
# others, e.g. ltv_pred, stay internal)
DECISIONS = table("gold.decisions")
SOURCE_COLUMNS = tuple(DECISIONS.served_columns)
OPTIONAL_COLUMNS = ("shadow_action_id", "shadow_propensity")


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
    """A verified snapshot opened for serving.

    ``lookup(person_id_bytes)`` is the request-path call (the stored value or None);
    ``fallback[holdout]`` are the values unknown users get.
    """

    def __init__(self, info: SnapshotInfo) -> None:
        self.info = info
        self.snapshot_id = info.snapshot_id
        self.snapshot_id_bytes = info.snapshot_id.encode()
        self.manifest = info.manifest
        self._reader = store.open_reader(info.manifest["store"],
                                         Path(info.path, info.manifest["lookup_file"]))
        self.lookup = self._reader.get  # bound once: the request path calls it directly
        self.heads = [h.encode() for h in info.manifest["heads"]]
        self.tails = [t.encode() for t in info.manifest["tails"]]
        record = info.manifest["fallback"]
        in_holdout = {**record, "holdout": True, "guardrails": [*record["guardrails"], "holdout"]}
        self.fallback = (compile_value(record, self.heads, self.tails),
                         compile_value(in_holdout, self.heads, self.tails))

    def get(self, person_id: str | bytes) -> bytes | None:
        """The stored value of ``person_id`` (str or bytes), or None if unknown."""
        return self.lookup(person_id.encode() if isinstance(person_id, str) else person_id)

    def close(self) -> None:
        self.lookup = None
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


def set_current(serving_dir: str | Path, snapshot_id: str, verify: bool = True,
                action: str = "publish") -> None:
    """Atomically point CURRENT at ``snapshot_id`` (verified first unless ``verify=False``)
    and record the change in HISTORY (``action``: publish | rollback | use)."""
    if verify:
        verify_snapshot(snapshot_path(serving_dir, snapshot_id))
    elif not snapshot_path(serving_dir, snapshot_id).is_dir():
        raise SnapshotError(f"no snapshot {snapshot_id!r} in {snapshots_dir(serving_dir)}")
    previous = read_current(serving_dir)
    target = Path(serving_dir, CURRENT)
    tmp = target.with_name(f".{CURRENT}.tmp-{os.getpid()}-{secrets.token_hex(4)}")
    _write_durably(tmp, (snapshot_id + "\n").encode())
    os.replace(tmp, target)
    fsync_dir(target.parent)
    _append_history(serving_dir, {"at": _now(), "action": action, "snapshot_id": snapshot_id,
                                  "previous": previous})


def list_snapshots(serving_dir: str | Path) -> list[str]:
    """Ids of complete snapshot directories (temp dirs excluded), oldest first."""
    root = snapshots_dir(serving_dir)
    if not root.is_dir():
        return []
    found = [p for p in root.iterdir()
             if p.is_dir() and not p.name.startswith(".") and (p / MANIFEST).is_file()]
    return [p.name for p in sorted(found, key=lambda p: ((p / MANIFEST).stat().st_mtime, p.name))]


# ----------------------------------------------------------------------- history / rollback

def _append_history(serving_dir: str | Path, entry: dict[str, Any]) -> None:
    path = Path(serving_dir, HISTORY)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        os.write(fd, (json.dumps(entry) + "\n").encode())
        os.fsync(fd)
    finally:
        os.close(fd)


def read_history(serving_dir: str | Path) -> list[dict[str, Any]]:
    """Every recorded change of CURRENT, oldest first (unparsable lines are skipped)."""
    try:
        lines = Path(serving_dir, HISTORY).read_text().splitlines()
    except FileNotFoundError:
        return []
    out = []
    for line in lines:
        try:
            out.append(json.loads(line))
        except ValueError:
            continue
    return out


def served_stack(serving_dir: str | Path) -> list[str]:
    """The publish stack replayed from HISTORY (bottom first); its top is CURRENT."""
    stack: list[str] = []
    for entry in read_history(serving_dir):
        sid = entry.get("snapshot_id")
        if not sid:
            continue
        if entry.get("action") == "rollback" and sid in stack:
            del stack[stack.index(sid) + 1:]
        elif not stack or stack[-1] != sid:
            if sid in stack:
                stack.remove(sid)
            stack.append(sid)
    current = read_current(serving_dir)
    if current is not None and (not stack or stack[-1] != current):
        stack.append(current)  # CURRENT was moved without HISTORY (older tools, by hand)
    return stack


def rollback(serving_dir: str | Path, to: str | None = None) -> tuple[str | None, str, list[str]]:
    """Point CURRENT back at the previously served snapshot (or at ``to``).

    Candidates that fail verification are skipped (and reported). Returns (from, to, skipped);
    raises SnapshotError if there is nothing valid to go back to.
    """
    current = read_current(serving_dir)
    skipped: list[str] = []
    if to is not None:
        set_current(serving_dir, to, action="rollback")
        return current, to, skipped
    stack = served_stack(serving_dir)
    for candidate in reversed(stack[:-1]):
        if candidate == current:
            continue
        try:
            set_current(serving_dir, candidate, action="rollback")
        except SnapshotError as exc:
            skipped.append(f"{candidate}: {exc}")
            continue
        return current, candidate, skipped
    raise SnapshotError(
        f"nothing to roll back to from {current!r}: no earlier published snapshot verifies"
        + (f" (skipped: {'; '.join(skipped)})" if skipped else "")
        + "; publish one, or name one with --to")


def prune_snapshots(serving_dir: str | Path, keep: int) -> list[str]:
    """Delete all but the ``keep`` newest snapshots; CURRENT and the last ``keep`` entries of
    the served stack are always kept. Also removes temp dirs of crashed builds (> 1 h old)."""
    if keep < 1:
        return []
    snapshots = list_snapshots(serving_dir)
    protected = set(snapshots[-keep:]) | set(served_stack(serving_dir)[-keep:])
    current = read_current(serving_dir)
    if current:
        protected.add(current)
    removed = []
    for sid in snapshots:
        if sid not in protected:
            shutil.rmtree(snapshot_path(serving_dir, sid), ignore_errors=True)
            removed.append(sid)
    root = snapshots_dir(serving_dir)
    if root.is_dir():
        for p in root.iterdir():
            if p.name.startswith(".tmp-") and time.time() - p.stat().st_mtime > 3600:
                shutil.rmtree(p, ignore_errors=True)
    return removed


# ------------------------------------------------------------------------------------ build

def new_snapshot_id(ds: str, decisions_version: int | None) -> str:
    """Readable and unique: which day, which table version, when, plus a random suffix."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    return f"{ds}_v{decisions_version}_{stamp}_{secrets.token_hex(3)}"


def build_snapshot(table: pa.Table, serving_dir: str | Path, manifest_fields: dict[str, Any],
                   *, fallback_top_k: int = 5, engine: str = store.DEFAULT_ENGINE,
                   batch_rows: int = 200_000) -> SnapshotInfo:
    """Compile one ds of gold.decisions into a new immutable snapshot (CURRENT is not touched).

    ``manifest_fields`` must hold ``decisions_version`` (the Delta version read) and may add
    any lineage (e.g. ``decisions_table``); computed fields (ids, counts, checksums) win.
    """
    from tailor.serving.compile import check_values, compile_values

    started = time.perf_counter()
    if "decisions_version" not in manifest_fields:
        raise ValueError("manifest_fields must include 'decisions_version' (the Delta version "
                         "the rows were read at): a snapshot must name its source")
    table = _validated(table, manifest_fields.get("ds"), sort=engine == "sqlite")
    ds = table["ds"][0].as_py()
    version = manifest_fields["decisions_version"]
    snapshot_id = new_snapshot_id(ds, version)
    lookup_file, write, _ = store.engine(engine)
    final = snapshot_path(serving_dir, snapshot_id)
    tmp = final.with_name(f".tmp-{snapshot_id}")
    tmp.mkdir(parents=True)
    try:
        heads: list[bytes] = []
        tails: list[bytes] = []
        compiled = pa.chunked_array(
            [compile_values(table.slice(i, batch_rows), snapshot_id, version, heads, tails)
             for i in range(0, table.num_rows, batch_rows)], pa.binary())
        for chunk in compiled.chunks[:1]:
            check_values(chunk, heads, tails)
        compile_seconds = time.perf_counter() - started
        write(tmp / lookup_file, table["person_id"].cast(pa.binary()), compiled)
        del compiled
        lineage = {"policy_version": _distinct(table["policy_version"]),
                   "model_versions": _distinct(table["model_versions"]),
                   "feature_versions": _distinct(table["feature_versions"])}
        fallback = fallback_record(
            popular_items(table["items"], fallback_top_k), snapshot_id=snapshot_id,
            decisions_version=version, policy_version=lineage["policy_version"],
            provenance={"model_versions": lineage["model_versions"],
                        "feature_versions": lineage["feature_versions"],
                        "data_versions": {"gold.decisions": version}, "ds": ds})
        compile_value(fallback, [], [])  # fails here, not in the server, if it cannot be stored
        files = {lookup_file: _file_entry(tmp / lookup_file)}
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
            "files": files,
            "bytes": sum(f["bytes"] for f in files.values()),
            "built_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "compile_seconds": round(compile_seconds, 3),
            "build_seconds": round(time.perf_counter() - started, 3),
            "fallback": fallback,
            "heads": [h.decode() for h in heads],
            "tails": [t.decode() for t in tails],
        }
        _write_durably(tmp / MANIFEST, json.dumps(manifest, indent=2, sort_keys=False).encode())
        fsync_dir(tmp)
        os.rename(tmp, final)
        fsync_dir(final.parent)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return SnapshotInfo(snapshot_id, str(final), manifest)


def _validated(table: pa.Table, expected_ds: str | None, sort: bool) -> pa.Table:
    """Only the columns we serve (sorted by person_id for B-tree stores), or a clear error."""
    for name in OPTIONAL_COLUMNS:  # decision tables written before the shadow policy existed
        if name not in table.column_names:
            table = table.append_column(name, pa.nulls(table.num_rows,
                                                       DECISIONS.arrow_schema.field(name).type))
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
    lengths = pc.binary_length(table["person_id"])
    if pc.min(lengths).as_py() != pc.max(lengths).as_py():
        raise ValueError("person_id values differ in length; they must all be pseudonyms of "
                         "privacy.person_id_length characters")
    propensity = table["propensity"]
    bad = pc.sum(pc.invert(pc.fill_null(pc.and_(pc.greater(propensity, 0),
                                                 pc.less_equal(propensity, 1)), False))).as_py()
    if bad:
        raise ValueError(f"{bad} decision rows have a propensity outside (0, 1]: every served "
                         f"decision is logged with its propensity for off-policy evaluation")
    messaged = pc.and_(pc.is_valid(table["channel"]),
                       pc.not_equal(pc.fill_null(table["action_id"], "no_message"), "no_message"))
    held_out_with_message = pc.sum(pc.and_(pc.fill_null(table["holdout"], False),
                                           messaged)).as_py()
    if held_out_with_message:
        raise ValueError(f"{held_out_with_message} holdout persons have a message: the control "
                         f"group must never be messaged; fix the decide step")
    return table.sort_by("person_id") if sort else table


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
                           "fallback", "format", "heads", "tails") if k not in manifest]
    if missing:
        raise SnapshotError(f"snapshot {sid}: manifest lacks {missing}")
    if manifest["format"] != FORMAT_VERSION:
        raise SnapshotError(f"snapshot {sid} has format {manifest['format']}, this server "
                            f"serves format {FORMAT_VERSION} (since 3: a checksum per record, "
                            f"checked on every read); publish it again with this version "
                            f"(`tailor publish --ds {manifest.get('ds') or 'YYYY-MM-DD'}`)")
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
        compile_value(manifest["fallback"], [], [])
        [h.encode() for h in manifest["heads"] + manifest["tails"]]
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
    try:
        return Snapshot(SnapshotInfo(snapshot_id, str(path), manifest))
    except (OSError, ValueError, KeyError) as exc:
        raise SnapshotError(f"snapshot {snapshot_id}: cannot open ({exc})") from exc


# ------------------------------------------------------------------------------ file helpers

def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _file_entry(path: Path) -> dict[str, Any]:
    with open(path, "rb") as fh:
        digest = hashlib.file_digest(fh, "sha256").hexdigest()
    return {"sha256": digest, "bytes": path.stat().st_size}


def _write_durably(path: Path, data: bytes) -> None:
    with open(path, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
