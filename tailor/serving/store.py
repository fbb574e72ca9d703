"""The key → bytes lookup file inside a snapshot, behind a deliberately tiny interface.

The server only ever needs ``get(person_id) -> bytes | None``; the publisher only needs
``put_many`` once. Keeping the storage engine behind these two classes (looked up by the name
recorded in the manifest) lets a later issue swap SQLite for LMDB or a purpose-built sorted
file without touching the snapshot, publisher or server code.

SQLite is the walking-skeleton engine: one ``WITHOUT ROWID`` table (the B-tree *is* the primary
key index), opened ``mode=ro&immutable=1`` (no locking, no change detection: snapshots never
change) with mmap, so a lookup is one indexed read with no syscalls once the pages are mapped.
"""
from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Iterable, Protocol

_CREATE = "CREATE TABLE lookup (k TEXT PRIMARY KEY NOT NULL, v BLOB NOT NULL) WITHOUT ROWID"
_INSERT = "INSERT INTO lookup (k, v) VALUES (?, ?)"
_SELECT = "SELECT v FROM lookup WHERE k = ?"


class StoreWriter(Protocol):
    """Write-once builder of a lookup file."""

    def put_many(self, items: Iterable[tuple[str, bytes]]) -> None: ...

    def close(self) -> None: ...


class StoreReader(Protocol):
    """Read-only view of a lookup file; ``get`` is on the request path, keep it one call."""

    def get(self, key: str) -> bytes | None: ...

    def count(self) -> int: ...

    def close(self) -> None: ...


class SqliteWriter:
    """Builds ``lookup.sqlite``: no journal, no fsync per statement (the publisher fsyncs the
    finished file and only then publishes it, so a crash leaves an unpublished temp dir)."""

    def __init__(self, path: str | Path) -> None:
        self._path = str(path)
        self._conn = sqlite3.connect(self._path, isolation_level=None)
        self._conn.execute("PRAGMA journal_mode=OFF")
        self._conn.execute("PRAGMA synchronous=OFF")
        self._conn.execute("PRAGMA page_size=4096")
        self._conn.execute(_CREATE)
        self._conn.execute("BEGIN")

    def put_many(self, items: Iterable[tuple[str, bytes]]) -> None:
        try:
            self._conn.executemany(_INSERT, items)
        except sqlite3.IntegrityError as exc:
            raise ValueError(f"duplicate key while building {self._path}: {exc}") from exc

    def close(self) -> None:
        self._conn.execute("COMMIT")
        self._conn.close()
        fd = os.open(self._path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


class SqliteReader:
    """Read-only, immutable, memory-mapped SQLite lookup."""

    def __init__(self, path: str | Path) -> None:
        path = Path(path).resolve()
        if not path.is_file():
            raise FileNotFoundError(f"lookup file {path} does not exist")
        uri = path.as_uri() + "?mode=ro&immutable=1"
        # check_same_thread=False: the server loads a new snapshot in a worker thread, then
        # uses it only from the event-loop thread.
        self._conn = sqlite3.connect(uri, uri=True, check_same_thread=False,
                                     isolation_level=None, cached_statements=16)
        self._conn.execute(f"PRAGMA mmap_size={max(path.stat().st_size, 1 << 20)}")
        self._cursor = self._conn.cursor()

    def get(self, key: str) -> bytes | None:
        row = self._cursor.execute(_SELECT, (key,)).fetchone()
        return None if row is None else row[0]

    def count(self) -> int:
        return int(self._conn.execute("SELECT count(*) FROM lookup").fetchone()[0])

    def close(self) -> None:
        self._conn.close()


# engine name (recorded in the manifest) -> (file name, writer class, reader class)
ENGINES: dict[str, tuple[str, type, type]] = {
    "sqlite": ("lookup.sqlite", SqliteWriter, SqliteReader),
}
DEFAULT_ENGINE = "sqlite"


def engine(name: str) -> tuple[str, type, type]:
    """(file name, writer, reader) of a store engine; unknown names fail with the known ones."""
    try:
        return ENGINES[name]
    except KeyError:
        raise ValueError(f"unknown lookup store {name!r}; known: {sorted(ENGINES)}") from None


def open_reader(name: str, path: str | Path) -> StoreReader:
    """Open the lookup file ``path`` with engine ``name`` (as recorded in a manifest)."""
    return engine(name)[2](path)
