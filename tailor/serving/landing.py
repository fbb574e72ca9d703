"""Landing files written by the lookup server: POSTed events and the decision log.

Each writer appends JSON lines to a *segment* ``<dir>/.open/<kind>-<UTC date>-<HHMMSS>-
<instance>-<pid>-<seq>.jsonl`` and, when the segment is ``rotate_seconds`` old or
``rotate_bytes`` big (and on shutdown), closes it and renames it to ``<dir>/<same name>``, where
the ingest job picks it up. Ingest globs ``**/*.jsonl`` with ``glob(recursive=True)``, which does
not descend into dot-directories, so a half-written segment is never ingested; names carry a
random instance token, so a restarted server never reuses the name of an ingested file.

Durability: ``write`` is one ``os.write`` on the event-loop thread (the page cache survives a
``kill -9`` of the server); ``durable()`` resolves once everything written so far is fsynced,
batching concurrent callers into one fsync (group commit). fsync, close and rename run on one
worker thread per writer, in submission order, never on the event loop. A segment is
``flock``-ed while open: ``recover`` (run at start-up) moves segments left in ``.open/`` by a
crashed server into place, cutting a torn last line, and never touches a live server's.
"""
from __future__ import annotations

import asyncio
import fcntl
import glob
import json
import logging
import os
import secrets
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

from tailor.events import iso_utc
from tailor.serving.fsutil import fsync_dir

log = logging.getLogger("tailor.serving")

OPEN_DIR = ".open"
FSYNC_POLICIES = ("always", "interval", "never")


class _Segment:
    __slots__ = ("fd", "open_path", "final_path", "size", "created", "synced")

    def __init__(self, fd: int, open_path: str, final_path: str) -> None:
        self.fd, self.open_path, self.final_path = fd, open_path, final_path
        self.size = 0
        self.synced = 0
        self.created = time.monotonic()



class LandingWriter:
    """Append-only JSON-lines segments of one ``kind`` (``events``, ``decisions``)."""

    def __init__(self, directory: str | os.PathLike, kind: str, *, fsync: str = "never",
                 fsync_interval: float = 0.2, rotate_seconds: float = 60.0,
                 rotate_bytes: int = 64 << 20, sync_on_rotate: bool = True) -> None:
        if fsync not in FSYNC_POLICIES:
            raise ValueError(f"fsync policy must be one of {FSYNC_POLICIES}, not {fsync!r}")
        self.directory = str(directory)
        self.kind = kind
        self.fsync = fsync
        self.fsync_interval = fsync_interval
        self.rotate_seconds = rotate_seconds
        self.rotate_bytes = rotate_bytes
        self.sync_on_rotate = sync_on_rotate or fsync != "never"
        self._instance = secrets.token_hex(4)
        self._seq = 0
        self._seg: _Segment | None = None
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"landing-{kind}")
        self._waiters: list[asyncio.Future] = []
        self._syncing = False
        self._last_sync = time.monotonic()
        self.error: str | None = None  # last write error (None once a write succeeds again)
        self.lines_written = 0
        self.bytes_written = 0
        self.files_rotated = 0
        self.fsyncs = 0
        self.fsync_seconds = 0.0
        os.makedirs(os.path.join(self.directory, OPEN_DIR), exist_ok=True)

    # ----------------------------------------------------------------------------- writing
    def _open_segment(self) -> _Segment:
        now = datetime.now(timezone.utc)
        self._seq += 1
        name = (f"{self.kind}-{now:%Y-%m-%d}-{now:%H%M%S}-{self._instance}-{os.getpid()}-"
                f"{self._seq:06d}.jsonl")
        open_path = os.path.join(self.directory, OPEN_DIR, name)
        fd = os.open(open_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, 0o644)
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        seg = _Segment(fd, open_path, os.path.join(self.directory, name))
        self._seg = seg
        return seg

    def write(self, data: bytes, lines: int = 1) -> None:
        """Append ``data`` (whole lines) to the open segment; OSError if it could not be.

        On a failed or short write the segment is cut back to its last complete line, so a
        later write never glues onto a torn one.
        """
        try:
            seg = self._seg or self._open_segment()
        except OSError as exc:
            self.error = f"{type(exc).__name__}: {exc}"
            raise
        view = memoryview(data)
        done = 0
        try:
            while done < len(view):
                done += os.write(seg.fd, view[done:])
        except OSError as exc:
            try:
                os.ftruncate(seg.fd, seg.size)
            except OSError:
                pass
            self.error = f"{type(exc).__name__}: {exc}"
            raise
        seg.size += done
        self.error = None
        self.lines_written += lines
        self.bytes_written += done
        if seg.size >= self.rotate_bytes:
            self.rotate()

    def durable(self) -> asyncio.Future:
        """A future resolved once everything written so far is on disk (policy ``always``;
        resolved at once for ``interval`` / ``never``)."""
        loop = asyncio.get_running_loop()
        fut = loop.create_future()
        if self.fsync != "always":
            fut.set_result(None)
            return fut
        self._waiters.append(fut)
        if not self._syncing:
            self._start_sync(loop)
        return fut

    def _start_sync(self, loop: asyncio.AbstractEventLoop) -> None:
        waiters, self._waiters = self._waiters, []
        self._syncing = True
        seg = self._seg
        started = time.perf_counter()

        def job() -> None:
            if seg is not None and seg.fd >= 0:
                os.fsync(seg.fd)

        def done(fut: asyncio.Future) -> None:
            self._syncing = False
            self.fsyncs += 1
            self.fsync_seconds += time.perf_counter() - started
            self._last_sync = time.monotonic()
            exc = fut.exception()
            for w in waiters:
                if not w.done():
                    w.set_exception(exc) if exc else w.set_result(None)
            if self._waiters:
                self._start_sync(loop)

        asyncio.wrap_future(self._pool.submit(job), loop=loop).add_done_callback(done)

    # ---------------------------------------------------------------------------- rotation
    def rotate(self) -> None:
        """Close the open segment and hand it to ingest (on the worker thread, in order)."""
        seg, self._seg = self._seg, None
        if seg is None:
            return
        self.files_rotated += 1
        self._pool.submit(self._finish, seg, self.sync_on_rotate)

    def _finish(self, seg: _Segment, sync: bool) -> None:
        # moved (or deleted) while still flock-ed, closed after: a ``recover`` beside this
        # writer can never take the lock of a segment being handed over and race its rename
        try:
            if sync:
                os.fsync(seg.fd)
            if seg.size == 0:
                os.unlink(seg.open_path)
            else:
                os.rename(seg.open_path, seg.final_path)
                if sync:
                    fsync_dir(self.directory)
        except OSError:
            log.exception("could not hand landing file %s to ingest; recover() will at the "
                          "next start", seg.open_path)
        finally:
            os.close(seg.fd)  # releases the flock
            seg.fd = -1

    def tick(self) -> None:
        """Periodic work on the loop thread: rotate by age, fsync on the ``interval`` policy."""
        seg = self._seg
        if seg is not None and time.monotonic() - seg.created >= self.rotate_seconds:
            self.rotate()
        elif (self.fsync == "interval" and seg is not None and seg.synced < seg.size
              and not self._syncing
              and time.monotonic() - self._last_sync >= self.fsync_interval):
            seg.synced = seg.size
            loop = asyncio.get_running_loop()
            self._start_sync(loop)

    def close(self) -> None:
        """Rotate and wait for every pending disk operation (blocking; call at shutdown)."""
        self.rotate()
        self._pool.shutdown(wait=True)

    def open_segments(self) -> list[str]:
        return [self._seg.open_path] if self._seg else []


_LINE_HEAD = b'{"event_id":"'
_LINE_TS = b'","event_type":"decision_served","ts":"'
_LINE_CUSTOMER = b'","customer_id":'
_LINE_SNAPSHOT = b',"message_id":"'
_LINE_END = b'"}\n'


class DecisionLog:
    """Buffered ``decision_served`` events.

    The request path appends ``(customer id as JSON, log fragment, snapshot id)`` (the fragment
    says what was served and whether a rule overrode the policy: ``records``; a bound
    ``list.append``); every 5 ms the buffer is turned into landing lines with one
    ``bytes.join`` over precomputed pieces and written with one ``os.write`` (a crash loses at
    most the last 5 ms of the log, never an acknowledged event). ``event_id`` = a per-process
    prefix, the flush number and the line's index in it; ``ts`` = the flush time (at most
    5 ms after the answer); ``message_id`` = the snapshot id that answered.
    """

    def __init__(self, writer: LandingWriter) -> None:
        self.writer = writer
        self._buf: list[tuple[bytes, bytes, bytes]] = []
        self.append = self._buf.append  # the request path calls this directly
        self._prefix = f"ds-{secrets.token_hex(6)}-".encode()
        self._flushes = 0
        self._index = [b"%d" % i for i in range(4096)]
        self._tails: dict[bytes, bytes] = {}
        self.dropped = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._handle: asyncio.TimerHandle | None = None

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._tick()

    def flush(self) -> None:
        buf = self._buf
        if not buf:
            return
        lines = len(buf)
        self._flushes += 1
        head = b"%b%b%d-" % (_LINE_HEAD, self._prefix, self._flushes)
        middle = _LINE_TS + datetime.now(timezone.utc).isoformat(
            timespec="milliseconds").replace("+00:00", "Z").encode() + _LINE_CUSTOMER
        index = self._index
        if lines > len(index):
            index.extend(b"%d" % i for i in range(len(index), lines))
        tails = self._tails
        parts: list[bytes] = []
        extend = parts.extend
        for i, (uid, logfrag, sid) in zip(index, buf):
            tail = tails.get(sid)
            if tail is None:
                tail = tails[sid] = _LINE_SNAPSHOT + sid + _LINE_END
            extend((head, i, middle, uid, b",", logfrag, tail))
        buf.clear()
        try:
            self.writer.write(b"".join(parts), lines)
        except OSError as exc:
            self.dropped += lines
            log.error("decision log: %d lines dropped (%s)", lines, exc)

    def stop(self) -> None:
        """Stop the 5 ms flush timer. Call on the loop thread (a loop's timers are not
        thread-safe: cancelling one from another thread while it fires can raise there and
        leave a new timer running), before ``close``."""
        handle, self._handle = self._handle, None
        if handle is not None:
            handle.cancel()
        self._loop = None

    def _tick(self) -> None:
        self.flush()
        if self._loop is not None:
            self._handle = self._loop.call_later(0.005, self._tick)

    def close(self) -> None:
        """Write what is buffered and hand the last segment to ingest (blocking: call after
        ``stop``, off the loop)."""
        if self._loop is not None:
            raise RuntimeError("DecisionLog.close() before stop(): stop the flush timer on "
                               "the loop thread first")
        self.flush()
        self.writer.close()


# --------------------------------------------------------------------------- recovery / replay

def recover(directory: str | os.PathLike) -> list[str]:
    """Move segments a crashed server left in ``<dir>/.open/`` into ``<dir>/`` (cut at the last
    complete line; empty ones deleted). Segments still locked by a live writer are skipped."""
    directory = str(directory)
    moved = []
    for path in sorted(glob.glob(os.path.join(directory, OPEN_DIR, "*.jsonl"))):
        try:
            fd = os.open(path, os.O_RDWR)
        except FileNotFoundError:
            continue
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue  # a live server is writing it
            if not _same_file(path, fd):
                continue  # its writer handed it over between our open and our lock
            size = os.fstat(fd).st_size
            keep = _complete_prefix(fd, size)
            if keep != size:
                os.ftruncate(fd, keep)
                log.warning("recovered %s: cut a torn last line (%d bytes)", path, size - keep)
            os.fsync(fd)
            if keep == 0:
                os.unlink(path)
                continue
            target = os.path.join(directory, os.path.basename(path))
            os.rename(path, target)
            moved.append(target)
        finally:
            os.close(fd)
    if moved:
        fsync_dir(directory)
        log.warning("recovered %d landing file(s) left open by a previous server", len(moved))
    return moved


def _same_file(path: str, fd: int) -> bool:
    """``path`` still names the file open as ``fd``."""
    try:
        return os.stat(path).st_ino == os.fstat(fd).st_ino
    except FileNotFoundError:
        return False


def _complete_prefix(fd: int, size: int) -> int:
    """Length of the file up to and including its last newline."""
    pos = size
    while pos > 0:
        start = max(0, pos - 65536)
        chunk = os.pread(fd, pos - start, start)
        i = chunk.rfind(b"\n")
        if i >= 0:
            return start + i + 1
        pos = start
    return 0


_REPLAYED = {b'"event_type":"consent_change"': "consent", b'"event_type":"unsubscribe"': "consent",
             b'"event_type":"message_sent"': "recent", b'"event_type":"purchase"': "recent",
             b'"event_type":"conversion"': "recent"}


def iter_events(directory: str | os.PathLike, since: float, recent_since: float | None = None,
                kind: str = "events") -> Iterator[dict[str, Any]]:
    """The events the overlay replays at start-up, from ``<dir>/<kind>-*.jsonl``: consent
    changes from files modified after ``since``, message_sent / purchase / conversion from
    files modified after ``recent_since`` (epoch seconds). Other lines are skipped without
    parsing (this server writes compact JSON); unparsable lines are skipped. A line without
    ``received_at`` (written before the server stamped it) gets its file's mtime: the latest
    instant it can have been received."""
    recent_since = since if recent_since is None else recent_since
    paths = glob.glob(os.path.join(str(directory), f"{kind}-*.jsonl"))
    paths += glob.glob(os.path.join(str(directory), OPEN_DIR, f"{kind}-*.jsonl"))
    for path in sorted(paths, key=lambda p: Path(p).name):
        try:
            mtime = os.stat(path).st_mtime
            if mtime < since:
                continue
            recent = mtime >= recent_since
            received = iso_utc(mtime)
            with open(path, "rb") as fh:
                for line in fh:
                    wanted = next((w for marker, w in _REPLAYED.items() if marker in line), None)
                    if wanted is None or (wanted == "recent" and not recent):
                        continue
                    try:
                        event = json.loads(line)
                    except ValueError:
                        continue
                    if isinstance(event, dict):
                        if "received_at" not in event:  # written before servers stamped it:
                            event["received_at"] = received  # received by the file's mtime
                        yield event
        except FileNotFoundError:
            continue
