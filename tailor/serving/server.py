"""The lookup server process: uvloop, one listening socket, hot snapshot swaps, clean stop.

Startup refuses to run without a verified snapshot (an empty server would answer every user
with nothing). While running, a watcher re-reads ``CURRENT`` every ``reload_interval`` seconds
(or at once on SIGHUP); a new snapshot is loaded and verified off the event loop and swapped in
between requests; a snapshot that fails verification is refused and the current one keeps
serving.
"""
from __future__ import annotations

import asyncio
import logging
import signal
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import uvloop

from tailor.serving.app import DecisionApp, pseudonymiser
from tailor.serving.protocol import HttpProtocol
from tailor.serving.snapshot import Snapshot, load_snapshot, read_current

log = logging.getLogger("tailor.serving")
ReadyCallback = Callable[[str, int, str], None]  # (host, port, snapshot_id)


@dataclass(frozen=True)
class ServerSettings:
    """Everything the server needs; the CLI fills it from config and flags."""

    serving_dir: str
    pseudonym_key: str = field(repr=False)  # never in logs or tracebacks
    person_id_length: int
    host: str = "127.0.0.1"
    port: int = 8730
    reload_interval: float = 1.0
    backlog: int = 1024


class LookupServer:
    """Loop-side state: the app, the listening socket, open connections, the watcher."""

    def __init__(self, settings: ServerSettings, snapshot: Snapshot) -> None:
        self.settings = settings
        self.app = DecisionApp(snapshot, pseudonymiser(settings.pseudonym_key,
                                                       settings.person_id_length))
        self._connections: set[HttpProtocol] = set()
        self._server: asyncio.Server | None = None
        self._wake = asyncio.Event()
        self._refused: str | None = None
        self.address: tuple[str, int] | None = None

    async def start(self) -> tuple[str, int]:
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            lambda: HttpProtocol(self.app, self._connections), self.settings.host,
            self.settings.port, backlog=self.settings.backlog)
        self.address = self._server.sockets[0].getsockname()[:2]
        return self.address

    def check_now(self) -> None:
        """Re-read CURRENT without waiting for the next interval (SIGHUP)."""
        self._wake.set()

    async def watch_current(self) -> None:
        """Poll CURRENT; swap in new verified snapshots, refuse bad ones (once each)."""
        loop = asyncio.get_running_loop()
        while True:
            try:
                await asyncio.wait_for(self._wake.wait(), self.settings.reload_interval)
            except TimeoutError:
                pass
            self._wake.clear()
            wanted = read_current(self.settings.serving_dir)
            serving = self.app.snapshot.snapshot_id
            if wanted is None or wanted in (serving, self._refused):
                continue
            try:
                new = await loop.run_in_executor(None, load_snapshot,
                                                 self.settings.serving_dir, wanted)
            except Exception as exc:  # noqa: BLE001 - any failure: keep serving the old one
                self._refused = wanted
                log.error("refusing snapshot %s: %s; still serving %s", wanted, exc, serving)
                continue
            self.app.swap(new).close()
            self._refused = None
            log.info("now serving snapshot %s (was %s)", wanted, serving)

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
        for conn in list(self._connections):
            conn.close()
        if self._server is not None:
            await self._server.wait_closed()
        await asyncio.sleep(0)  # let transports flush and run connection_lost
        self.app.snapshot.close()


async def serve(settings: ServerSettings, stop: asyncio.Event,
                on_ready: ReadyCallback | None = None, handle_signals: bool = False) -> None:
    """Run until ``stop`` is set. ``on_ready(host, port, snapshot_id)`` fires once listening."""
    snapshot = load_snapshot(settings.serving_dir)  # NoSnapshotError / SnapshotError say why
    server = LookupServer(settings, snapshot)
    loop = asyncio.get_running_loop()
    try:
        host, port = await server.start()
    except BaseException:
        snapshot.close()
        raise
    if handle_signals:
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        loop.add_signal_handler(signal.SIGHUP, server.check_now)
    watcher = asyncio.create_task(server.watch_current())
    try:
        if on_ready is not None:
            on_ready(host, port, snapshot.snapshot_id)
        await stop.wait()
    finally:
        watcher.cancel()
        await server.close()


def run_forever(settings: ServerSettings, on_ready: ReadyCallback | None = None) -> None:
    """Blocking entry point for the CLI: uvloop, SIGTERM/SIGINT stop it cleanly."""
    async def main() -> None:
        await serve(settings, asyncio.Event(), on_ready=on_ready, handle_signals=True)

    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        runner.run(main())


class RunningServer:
    """A server on its own thread and loop (tests, notebooks, demos); use as a context manager."""

    def __init__(self, settings: ServerSettings, timeout: float = 10.0) -> None:
        self.settings = settings
        self.host = self.port = self.snapshot_id = None
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._run, name="tailor-serve", daemon=True)
        self._thread.start()
        if not self._ready.wait(timeout):
            raise TimeoutError(f"server did not start within {timeout}s")
        if self._error is not None:
            raise self._error

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def _run(self) -> None:
        async def main() -> None:
            self._loop, self._stop = asyncio.get_running_loop(), asyncio.Event()
            await serve(self.settings, self._stop, on_ready=self._on_ready)

        try:
            with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
                runner.run(main())
        except BaseException as exc:  # noqa: BLE001 - handed to the starting thread
            self._error = exc
            self._ready.set()

    def _on_ready(self, host: str, port: int, snapshot_id: str) -> None:
        self.host, self.port, self.snapshot_id = host, port, snapshot_id
        self._ready.set()

    def stop(self, timeout: float = 10.0) -> None:
        if self._loop is not None and self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(timeout)

    def __enter__(self) -> RunningServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def serve_in_thread(serving_dir: str | Path, pseudonym_key: str, person_id_length: int,
                    host: str = "127.0.0.1", port: int = 0,
                    reload_interval: float = 1.0) -> RunningServer:
    """Start a real server on a free loopback port in a background thread; ``.stop()`` it."""
    return RunningServer(ServerSettings(str(serving_dir), pseudonym_key, person_id_length,
                                        host, port, reload_interval))
