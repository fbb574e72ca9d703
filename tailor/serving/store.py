"""The key → bytes lookup file inside a snapshot, behind a deliberately tiny interface.

The server only needs ``get(key: bytes) -> bytes | None``; the publisher writes the file once
from two Arrow arrays (keys, values). The engine is named in the manifest, so snapshots built
with an older engine stay servable.

Engines (chosen by measurement, ``bench/serve_stores.py``: 1M keys, ~0.6 KB values, random
keys, 2 shared cores; build / size / lookup from Python):

    tkv      2.4 s   601 MB   1.07 µs      (a Python dict: 0.50 µs, ~1 GB of heap)
    LMDB     3.6 s   647 MB   1.55 µs      (sorted append; measured only, not an engine)
    sqlite  15.4 s   765 MB   4.55 µs

* ``tkv`` (default): a purpose-built, memory-mapped open-addressing hash file. Header, then
  ``2^b`` u64 slots (``value offset << 24 | value length``, 0 = empty, load factor <= 0.5),
  then ``2^b`` u64 record checksums (the xxh3-64 of the value in the same slot), then the
  records (fixed-length key, value). A lookup is one ``crc32`` of the key (to find its home
  slot), usually one slot read through a ``memoryview``, one key comparison and one xxh3 of the
  value; no syscalls, no locks. Built with numpy in one sequential write.
* ``sqlite``: one ``WITHOUT ROWID`` table (key, value, xxh3-64 digest of the value) opened
  ``immutable=1`` with mmap (the walking skeleton's engine; 4x slower per lookup).
* LMDB: 45% slower per lookup, 50% slower to build and one more dependency: not an engine.

Every engine checks each record it returns against its stored checksum and raises
``CorruptRecord`` on a mismatch: a byte flipped on disk after the snapshot was verified and
loaded (the file is memory-mapped, so such damage shows on the next read) is never served. The
check (xxh3-64: ~4x cheaper than zlib's crc32 on a 0.6 KB record) is measured by
``bench/serve.py --lookup-only`` (figures in bench/README.md). A corrupt key or
slot makes a record unfindable instead (served as unknown): the server's periodic full
re-verification (``serving.verify_interval_seconds``) finds those.
"""
from __future__ import annotations

import mmap
import os
import sqlite3
import struct
import zlib
from pathlib import Path
from typing import Protocol

import numpy as np
from xxhash import xxh3_64_digest, xxh3_64_intdigest

_CREATE = ("CREATE TABLE lookup (k BLOB PRIMARY KEY NOT NULL, v BLOB NOT NULL, c BLOB NOT "
           "NULL) WITHOUT ROWID")
_INSERT = "INSERT INTO lookup (k, v, c) VALUES (?, ?, ?)"
_SELECT = "SELECT v, c FROM lookup WHERE k = ?"


class CorruptRecord(ValueError):
    """A record read from a lookup file does not match its stored checksum."""


class StoreReader(Protocol):
    """Read-only view of a lookup file; ``get`` is on the request path, keep it one call."""

    def get(self, key: bytes) -> bytes | None: ...

    def count(self) -> int: ...

    def close(self) -> None: ...


def _fsync_file(path: str | Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _as_pylist(arr) -> list[bytes]:
    return arr.to_pylist() if hasattr(arr, "to_pylist") else list(arr)


# --------------------------------------------------------------------------------- tkv

TKV_MAGIC = b"TAILORKV"
TKV_VERSION = 2  # 2: an xxh3-64 per slot after the slot table (1: none; refused, republish)
# magic, version, key length, slot count, record count, data offset, data bytes
_TKV_HEADER = struct.Struct("<8sIIQQQQ")
_TKV_HEADER_SIZE = 64
_POPULATE = getattr(mmap, "MAP_POPULATE", 0)
_LEN_BITS = 24
_LEN_MASK = (1 << _LEN_BITS) - 1
_MAX_OFFSET = (1 << (64 - _LEN_BITS)) - 1


def _chunks(arr) -> list:
    """The chunks of an Arrow (chunked) array or a plain sequence of bytes, as binary arrays."""
    import pyarrow as pa

    if isinstance(arr, pa.ChunkedArray):
        return [c.cast(pa.binary()) for c in arr.chunks]
    if isinstance(arr, pa.Array):
        return [arr.cast(pa.binary())]
    return [pa.array(list(arr), pa.binary())]


def write_tkv(path: str | Path, keys, values) -> None:
    """Write a tkv file from equal-length (chunked) arrays or sequences of bytes keys / values.

    Keys must be distinct and all the same length (pseudonymous ids are); values < 16 MiB.
    Chunks are written one after the other, so the file may be larger than 2 GiB.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    key_chunks, value_chunks = _chunks(keys), _chunks(values)
    all_keys = pa.chunked_array(key_chunks, pa.binary())
    n = len(all_keys)
    if n != sum(len(c) for c in value_chunks):
        raise ValueError(f"{n} keys but {sum(len(c) for c in value_chunks)} values")
    if all_keys.null_count or any(c.null_count for c in value_chunks):
        raise ValueError("keys and values must not be null")
    key_lengths = pc.binary_length(all_keys)
    key_len = pc.max(key_lengths).as_py() or 0
    if n and (pc.min(key_lengths).as_py() != key_len or not key_len):
        raise ValueError("tkv keys must all have the same, non-zero length")
    if n and pc.count_distinct(all_keys).as_py() != n:
        raise ValueError("duplicate keys: every person must appear once")
    # align value chunks with key chunks (both are written record by record)
    all_values = pa.chunked_array(value_chunks, pa.binary())
    value_chunks, pos = [], 0
    for kc in key_chunks:
        value_chunks.append(all_values.slice(pos, len(kc)).combine_chunks())
        pos += len(kc)
    value_len = np.concatenate(
        [np.zeros(0, np.uint64)] + [pc.binary_length(c).to_numpy(zero_copy_only=False)
                                    .astype(np.uint64) for c in value_chunks])
    if n and value_len.max() > _LEN_MASK:
        raise ValueError(f"a value is {int(value_len.max())} bytes; tkv values are < 16 MiB")
    slots = 1 << max(4, (2 * n - 1).bit_length())
    mask = slots - 1
    data_offset = _TKV_HEADER_SIZE + 16 * slots  # u64 slots, then u64 checksums
    rec_len = value_len + np.uint64(key_len)
    starts = np.uint64(data_offset) + np.concatenate(
        [np.zeros(1, np.uint64), np.cumsum(rec_len, dtype=np.uint64)[:-1]])
    data_bytes = int(rec_len.sum()) if n else 0
    if data_offset + data_bytes > _MAX_OFFSET:
        raise ValueError("tkv file would exceed 1 TiB")
    # value offset (past the key) << 24 | value length
    entries = ((starts + np.uint64(key_len)) << np.uint64(_LEN_BITS)) | value_len
    crc = zlib.crc32
    homes = np.fromiter((crc(k) & mask for c in key_chunks for k in c.to_pylist()),
                        dtype=np.int64, count=n)
    checksums = np.fromiter((xxh3_64_intdigest(v) for c in value_chunks for v in _values(c)),
                            dtype=np.uint64, count=n)
    # linear probing, vectorised: in home order each key takes the first free slot >= home
    # (slot_i = max(home_i, slot_{i-1} + 1), i.e. a running maximum of home_i - i, plus i)
    order = np.argsort(homes, kind="stable")
    ranks = np.arange(n, dtype=np.int64)
    placed = np.maximum.accumulate(homes[order] - ranks) + ranks if n else homes
    table = np.zeros(slots, dtype=np.uint64)
    sums = np.zeros(slots, dtype=np.uint64)
    fits = placed < slots
    table[placed[fits]] = entries[order[fits]]
    sums[placed[fits]] = checksums[order[fits]]
    free = iter(np.flatnonzero(table == 0))
    for i in order[~fits]:  # probe sequences that ran off the end continue at slot 0
        slot = next(free)
        table[slot], sums[slot] = entries[i], checksums[i]
    with open(path, "wb") as fh:
        fh.write(_TKV_HEADER.pack(TKV_MAGIC, TKV_VERSION, key_len, slots, n, data_offset,
                                  data_bytes).ljust(_TKV_HEADER_SIZE, b"\0"))
        fh.write(table.tobytes())
        fh.write(sums.tobytes())
        for kc, vc in zip(key_chunks, value_chunks):
            if len(kc):
                fh.write(_data_buffer(pc.binary_join_element_wise(kc, vc, b"")))
        fh.flush()
        os.fsync(fh.fileno())


def _values(arr):
    """Each value of a binary array as a memoryview slice (no per-row bytes objects)."""
    if not len(arr):
        return
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int32, count=len(arr) + 1,
                            offset=arr.offset * 4).tolist()
    data = memoryview(arr.buffers()[2]) if arr.buffers()[2] is not None else memoryview(b"")
    for start, end in zip(offsets, offsets[1:]):
        yield data[start:end]


def _data_buffer(arr) -> memoryview:
    """The contiguous bytes of a binary array's values (no per-row Python objects)."""
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int32, count=len(arr) + 1,
                            offset=arr.offset * 4)
    return memoryview(arr.buffers()[2])[offsets[0]:offsets[-1]]


class TkvReader:
    """Memory-mapped tkv lookup (see module docstring). ``verify_records=False`` skips the
    per-record check: for measuring its cost (bench/serve.py), never for serving."""

    def __init__(self, path: str | Path, verify_records: bool = True) -> None:
        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(f"lookup file {path} does not exist")
        with open(path, "rb") as fh:
            # MAP_POPULATE maps every page now (the file was just read to verify it, so it is
            # in the page cache): no page faults on the request path, steadier p99
            self._mm = mmap.mmap(fh.fileno(), 0, flags=mmap.MAP_SHARED | _POPULATE,
                                 prot=mmap.PROT_READ)
        try:
            magic, version, key_len, slots, n, data_offset, data_bytes = \
                _TKV_HEADER.unpack_from(self._mm)
            if magic != TKV_MAGIC:
                raise ValueError("not a tkv file")
            if version != TKV_VERSION:
                raise ValueError(f"tkv v{version} file; this server reads v{TKV_VERSION} (per-record "
                                 f"checksums): publish the snapshot again")
            if (slots & (slots - 1) or data_offset != _TKV_HEADER_SIZE + 16 * slots
                    or len(self._mm) != data_offset + data_bytes):
                raise ValueError(f"tkv file is truncated or inconsistent ({len(self._mm)} "
                                 f"bytes, header says {data_offset + data_bytes})")
        except Exception:
            self._mm.close()
            raise
        self._n = n
        sums_offset = _TKV_HEADER_SIZE + 8 * slots
        self._slots = memoryview(self._mm)[_TKV_HEADER_SIZE:sums_offset].cast("Q")
        self._sums = memoryview(self._mm)[sums_offset:data_offset].cast("Q")
        self.get = self._make_get(self._slots, self._sums if verify_records else None, self._mm,
                                  slots - 1, key_len)

    @staticmethod
    def _make_get(slots, sums, mm, mask: int, key_len: int):
        crc, checksum = zlib.crc32, xxh3_64_intdigest

        def get(key: bytes) -> bytes | None:
            s = crc(key) & mask
            e = slots[s]
            while e:
                off = e >> 24
                if mm[off - key_len:off] == key:
                    value = mm[off:off + (e & 0xFFFFFF)]
                    if checksum(value) != sums[s]:
                        raise CorruptRecord(f"the record in slot {s} (offset {off}) does not "
                                            f"match its checksum")
                    return value
                s = (s + 1) & mask
                e = slots[s]
            return None

        def get_unverified(key: bytes) -> bytes | None:
            s = crc(key) & mask
            e = slots[s]
            while e:
                off = e >> 24
                if mm[off - key_len:off] == key:
                    return mm[off:off + (e & 0xFFFFFF)]
                s = (s + 1) & mask
                e = slots[s]
            return None

        return get if sums is not None else get_unverified

    def count(self) -> int:
        return self._n

    def close(self) -> None:
        self.get = None
        self._slots.release()
        self._sums.release()
        self._mm.close()


# ------------------------------------------------------------------------------- sqlite

def write_sqlite(path: str | Path, keys, values) -> None:
    """Build ``lookup.sqlite`` (no journal, one transaction, fsynced at the end)."""
    conn = sqlite3.connect(str(path), isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=OFF")
        conn.execute("PRAGMA synchronous=OFF")
        conn.execute(_CREATE)
        conn.execute("BEGIN")
        try:
            conn.executemany(_INSERT, ((k, v, xxh3_64_digest(v)) for k, v in
                                       zip(_as_pylist(keys), _as_pylist(values))))
        except sqlite3.IntegrityError as exc:
            raise ValueError(f"duplicate key while building {path}: {exc}") from exc
        conn.execute("COMMIT")
    finally:
        conn.close()
    _fsync_file(path)


class SqliteReader:
    """Read-only, immutable, memory-mapped SQLite lookup."""

    def __init__(self, path: str | Path) -> None:
        path = Path(path).resolve()
        if not path.is_file():
            raise FileNotFoundError(f"lookup file {path} does not exist")
        uri = path.as_uri() + "?mode=ro&immutable=1"
        # check_same_thread=False: loaded in a worker thread, then used on the loop thread
        self._conn = sqlite3.connect(uri, uri=True, check_same_thread=False,
                                     isolation_level=None, cached_statements=16)
        self._conn.execute(f"PRAGMA mmap_size={max(path.stat().st_size, 1 << 20)}")
        self._cursor = self._conn.cursor()

    def get(self, key: bytes) -> bytes | None:
        row = self._cursor.execute(_SELECT, (key,)).fetchone()
        if row is None:
            return None
        if xxh3_64_digest(row[0]) != row[1]:
            raise CorruptRecord("a record of the lookup table does not match its checksum")
        return row[0]

    def count(self) -> int:
        return int(self._conn.execute("SELECT count(*) FROM lookup").fetchone()[0])

    def close(self) -> None:
        self._conn.close()


# engine name (recorded in the manifest) -> (file name, write(path, keys, values), reader class)
ENGINES: dict[str, tuple[str, object, type]] = {
    "tkv": ("lookup.tkv", write_tkv, TkvReader),
    "sqlite": ("lookup.sqlite", write_sqlite, SqliteReader),
}
DEFAULT_ENGINE = "tkv"


def engine(name: str) -> tuple[str, object, type]:
    """(file name, writer, reader) of a store engine; unknown names fail with the known ones."""
    try:
        return ENGINES[name]
    except KeyError:
        raise ValueError(f"unknown lookup store {name!r}; known: {sorted(ENGINES)}") from None


def open_reader(name: str, path: str | Path) -> StoreReader:
    """Open the lookup file ``path`` with engine ``name`` (as recorded in a manifest)."""
    return engine(name)[2](path)
