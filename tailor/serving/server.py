"""The lookup server process: uvloop, one listening socket, hot swaps, overlay, clean stop.

Start-up: recover landing segments a crashed predecessor left open, replay this server's recent
consent events into the local overlay, load the overlay table, open the CURRENT snapshot
(verified; if it is corrupt, the newest earlier published one that verifies, loudly), then
listen. While running:

* a watcher re-reads ``CURRENT`` every ``reload_interval`` seconds (at once on SIGHUP or
  ``POST /v1/admin/reload``); a new snapshot is verified and opened off the event loop and
  swapped in between two requests; one that fails verification is refused and the current one
  keeps serving;
* a poller checks the overlay table's version every ``overlay_poll`` seconds and loads a new
  one off the loop;
* timers flush the decision log (every 5 ms), rotate landing files, expire local overlay
  state and close connections that overran a timeout (``protocol.Connections.sweep``);
* every ``verify_interval`` seconds the served snapshot is verified again in full (checksums of
  its files); each lookup also checks its record's own checksum. Either failing makes
  ``/readyz`` 503 and rolls CURRENT back to the previously published snapshot
  (``snapshot_corrupt``); that request is answered 503.

Connections are capped (``max_connections``, lowered to RLIMIT_NOFILE minus ``fd_reserve`` so
the snapshot checks, overlay loads and landing writers always have file descriptors left).

SIGTERM / SIGINT: ``/readyz`` turns 503, the socket closes, answers in flight are written,
landing files are fsynced and handed to ingest.
"""
from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import logging
import os
import resource
import signal
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import uvloop

from tailor.serving import landing
from tailor.serving import snapshot as snapshots
from tailor.serving.app import DecisionApp, pseudonymiser
from tailor.serving.metrics import Metrics
from tailor.serving.overlay import BOUGHT_TTL, NearlineRows, Overlay, load_nearline
from tailor.serving.protocol import Connections, HttpProtocol, Limits
from tailor.serving.snapshot import Snapshot, SnapshotError, load_snapshot, read_current

log = logging.getLogger("tailor.serving")
ReadyCallback = Callable[[str, int, str], None]  # (host, port, snapshot_id)
DEFAULT_SURFACES = ("home", "product", "cart", "search", "checkout", "email", "push", "sms",
                    "in_app")


@dataclass(frozen=True)
class ServerSettings:
    """Everything the server needs; ``from_config`` fills it from ``conf/`` (the CLI does)."""

    serving_dir: str
    pseudonym_key: str = field(repr=False)  # never in logs or tracebacks
    person_id_length: int
    host: str = "127.0.0.1"
    port: int = 8730
    reload_interval: float = 1.0
    backlog: int = 1024
    # landing: None disables POST /v1/events (503) and the decision log
    landing_dir: str | None = None
    decision_log: bool = True
    events_fsync: str = "always"
    events_fsync_interval: float = 0.2
    events_rotate_seconds: float = 30.0
    events_rotate_bytes: int = 64 << 20
    decisions_rotate_seconds: float = 60.0
    decisions_rotate_bytes: int = 256 << 20
    # overlay: None = no nearline table (local consent changes still apply)
    overlay_uri: str | None = None
    overlay_poll: float = 5.0
    local_consent_ttl: float = 7 * 86400.0
    max_future_skew: float = 300.0  # POSTed events dated further ahead than this: 400
    max_messages_per_day: int = 2
    holdout_share: float = 0.05
    holdout_salt: str = "tailor-holdout"
    surfaces: tuple[str, ...] = DEFAULT_SURFACES
    max_k: int = 100
    max_batch: int = 1000
    max_events: int = 1000
    max_body: int = 1 << 20
    max_head: int = 65536
    header_timeout: float = 10.0
    body_timeout: float = 30.0
    keepalive_timeout: float = 75.0
    write_timeout: float = 30.0
    max_connections: int = 10000
    fd_reserve: int = 64
    retry_after: int = 1
    verify_interval: float = 900.0  # 0 = no periodic re-verification
    events_keys: tuple[str, ...] = field(default=(), repr=False)
    admin_keys: tuple[str, ...] = field(default=(), repr=False)

    @classmethod
    def from_config(cls, cfg: Any, **overrides: Any) -> ServerSettings:
        from tailor import credentials
        from tailor.lakehouse.tables import table_uri

        credentials.check(cfg, "lookup server", api_keys=True)
        s = cfg.serving
        nearline = getattr(cfg, "nearline", None)
        overlay_table = getattr(nearline, "overlay_table", None) or "gold.overlay"
        values = dict(
            serving_dir=cfg.serving_dir, pseudonym_key=cfg.privacy.pseudonym_key,
            person_id_length=cfg.privacy.person_id_length, host=s.host, port=s.port,
            reload_interval=s.reload_interval_seconds, landing_dir=cfg.serving_landing_dir,
            decision_log=s.decision_log.enabled, events_fsync=s.events.fsync,
            events_fsync_interval=s.events.fsync_interval_ms / 1000.0,
            events_rotate_seconds=s.events.rotate_seconds,
            events_rotate_bytes=s.events.rotate_bytes,
            decisions_rotate_seconds=s.decision_log.rotate_seconds,
            decisions_rotate_bytes=s.decision_log.rotate_bytes,
            overlay_uri=table_uri(cfg.lakehouse_root, overlay_table),
            overlay_poll=s.overlay.poll_seconds,
            local_consent_ttl=s.overlay.local_consent_ttl_hours * 3600.0,
            max_future_skew=cfg.ingest.max_future_skew_seconds,
            max_messages_per_day=s.max_messages_per_day,
            holdout_share=cfg.policy.holdout_share, holdout_salt=cfg.policy.holdout_salt,
            surfaces=tuple(s.surfaces) or DEFAULT_SURFACES, max_k=s.max_k,
            max_batch=s.max_batch, max_events=s.events.max_per_request,
            max_body=s.max_body_bytes, max_head=s.max_head_bytes,
            header_timeout=s.timeouts.header_seconds, body_timeout=s.timeouts.body_seconds,
            keepalive_timeout=s.timeouts.keepalive_seconds,
            write_timeout=s.timeouts.write_seconds, max_connections=s.connections.max,
            fd_reserve=s.connections.fd_reserve,
            retry_after=s.connections.retry_after_seconds,
            verify_interval=s.verify_interval_seconds, events_keys=tuple(s.api_keys.events),
            admin_keys=tuple(s.api_keys.admin))
        values.update(overrides)
        landing_dir = values.get("landing_dir")
        if landing_dir and "://" in landing_dir:
            raise ValueError(f"the lookup server writes events and decision logs to a local or "
                             f"mounted path, not {landing_dir}: set serving.landing_dir (e.g. "
                             f"TAILOR__SERVING__LANDING_DIR=/mnt/landing/server)")
        return cls(**values)


def connection_cap(configured: int, reserve: int, nofile: int) -> int:
    """``configured``, but at most the file descriptor limit ``nofile`` less ``reserve`` (and at
    least 1): past it, accept() fails and the server stops taking requests at all."""
    if nofile == resource.RLIM_INFINITY:
        return configured
    return max(1, min(configured, nofile - reserve))


def limits_for(settings: ServerSettings) -> Limits:
    """The protocol limits of ``settings``, the connection cap fitted to RLIMIT_NOFILE."""
    nofile = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    cap = connection_cap(settings.max_connections, settings.fd_reserve, nofile)
    if cap < settings.max_connections:
        log.warning("serving.connections.max is %d but RLIMIT_NOFILE is %d and %d file "
                    "descriptors stay reserved for the server's own files "
                    "(serving.connections.fd_reserve): capping at %d connections (raise the "
                    "limit, e.g. `ulimit -n`, to allow more)", settings.max_connections, nofile,
                    settings.fd_reserve, cap)
    return Limits(max_body=settings.max_body, max_head=settings.max_head,
                  header_timeout=settings.header_timeout, body_timeout=settings.body_timeout,
                  keepalive_timeout=settings.keepalive_timeout,
                  write_timeout=settings.write_timeout, max_connections=cap,
                  retry_after=settings.retry_after)


class LookupServer:
    """Loop-side state: the app, the listening socket, connections, watchers, writers."""

    def __init__(self, settings: ServerSettings, snapshot: Snapshot,
                 refused: str | None = None) -> None:
        self.settings = settings
        self.metrics = Metrics()
        pseudo = pseudonymiser(settings.pseudonym_key, settings.person_id_length)
        self.overlay = Overlay(pseudo, settings.local_consent_ttl)
        self.events: landing.LandingWriter | None = None
        self.decision_log: landing.DecisionLog | None = None
        if settings.landing_dir:
            landing.recover(settings.landing_dir)
            self.events = landing.LandingWriter(
                settings.landing_dir, "events", fsync=settings.events_fsync,
                fsync_interval=settings.events_fsync_interval,
                rotate_seconds=settings.events_rotate_seconds,
                rotate_bytes=settings.events_rotate_bytes)
            if settings.decision_log:
                self.decision_log = landing.DecisionLog(landing.LandingWriter(
                    settings.landing_dir, "decisions", fsync="never",
                    rotate_seconds=settings.decisions_rotate_seconds,
                    rotate_bytes=settings.decisions_rotate_bytes))
            now = time.time()
            replayed = self.overlay.apply_events(landing.iter_events(
                settings.landing_dir, now - settings.local_consent_ttl, now - BOUGHT_TTL))
            if replayed:
                log.info("replayed %d recent events into the local overlay", replayed)
        self.app = DecisionApp(settings, snapshot, overlay=self.overlay,
                               decision_log=self.decision_log, events=self.events,
                               metrics=self.metrics, control=self)
        self.limits = limits_for(settings)
        self.connections = Connections(self.limits)
        self._server: asyncio.Server | None = None
        self._wake = asyncio.Event()
        self._refused: str | None = refused
        self._refused_reason: str | None = None
        self._overlay_error: str | None = None
        self._overlay_exists = False
        self._draining = False
        self._corrupt: tuple[str, str] | None = None  # (snapshot id, what failed)
        self._recovering: asyncio.Task | None = None
        self._tasks: list[asyncio.Task] = []
        self._check_lock = asyncio.Lock()
        self.address: tuple[str, int] | None = None
        self._register_gauges()

    # ------------------------------------------------------------------------- lifecycle
    async def start(self) -> tuple[str, int]:
        loop = asyncio.get_running_loop()
        if self.settings.overlay_uri:
            await self._poll_overlay_once(loop)
        app, connections = self.app, self.connections
        self._server = await loop.create_server(
            lambda: HttpProtocol(app, connections), self.settings.host,
            self.settings.port, backlog=self.settings.backlog)
        self.address = self._server.sockets[0].getsockname()[:2]
        # Everything loaded so far lives as long as the server: keep the cyclic GC from
        # walking it (a full collection over a big overlay would be a latency spike).
        gc.collect()
        gc.freeze()
        if self.decision_log is not None:
            self.decision_log.start(loop)
        self._tasks = [asyncio.create_task(self.watch_current()),
                       asyncio.create_task(self._timers())]
        if self.settings.overlay_uri:
            self._tasks.append(asyncio.create_task(self.poll_overlay()))
        if self.settings.verify_interval > 0:
            self._tasks.append(asyncio.create_task(self.verify_served()))
        return self.address

    async def close(self) -> None:
        """Drain and close the connections, then hand the decision log and the events to
        ingest and close the snapshot; each of those runs even if an earlier step raised."""
        self._draining = True
        loop = asyncio.get_running_loop()
        async with contextlib.AsyncExitStack() as handover:  # run last to first on exit
            handover.callback(self.app.snapshot.close)
            if self.events is not None:
                handover.push_async_callback(loop.run_in_executor, None, self.events.close)
            if self.decision_log is not None:
                handover.push_async_callback(loop.run_in_executor, None, self.decision_log.close)
                handover.callback(self.decision_log.stop)  # its timer, here on the loop thread
            for task in self._tasks:
                task.cancel()
            if self._server is not None:
                self._server.close()
            if self._recovering is not None:
                self._recovering.cancel()
            deadline = time.monotonic() + 10
            while any(c.pending for c in self.connections.open) and time.monotonic() < deadline:
                await asyncio.sleep(0.01)  # deferred answers (event fsyncs) still in flight
            self.connections.close_all()
            if self._server is not None:
                await self._server.wait_closed()
            await asyncio.sleep(0)  # let transports flush and run connection_lost

    async def _timers(self) -> None:
        """Landing rotation / interval fsync every 0.1 s, overlay expiry every 5 s, the
        connection timeout sweep every quarter of the shortest timeout (0.1 s to 1 s)."""
        loop = asyncio.get_running_loop()
        limits = self.limits
        sweep_every = min(1.0, max(0.1, min(limits.header_timeout, limits.body_timeout,
                                            limits.keepalive_timeout,
                                            limits.write_timeout) / 4))
        next_sweep = loop.time() + sweep_every
        n = 0
        while True:
            await asyncio.sleep(0.1)
            n += 1
            for writer in (self.events, self.decision_log and self.decision_log.writer):
                if writer is not None:
                    writer.tick()
            if n % 50 == 0:
                self.overlay.tick()
            now = loop.time()
            if now >= next_sweep:
                next_sweep = now + sweep_every
                self.connections.sweep(now)

    # --------------------------------------------------------------------------- snapshots
    def check_now(self) -> None:
        """Re-read CURRENT without waiting for the next interval (SIGHUP)."""
        self._wake.set()

    async def watch_current(self) -> None:
        """Poll CURRENT; swap in new verified snapshots, refuse bad ones (once each)."""
        while True:
            try:
                await asyncio.wait_for(self._wake.wait(), self.settings.reload_interval)
            except TimeoutError:
                pass
            self._wake.clear()
            try:
                await self._check_current()
            except Exception:  # noqa: BLE001 - the watcher must survive anything
                log.exception("snapshot watcher failed; retrying")

    async def _check_current(self, retry_refused: bool = False) -> None:
        async with self._check_lock:
            wanted = read_current(self.settings.serving_dir)
            serving = self.app.snapshot.snapshot_id
            if wanted is None or wanted == serving or (wanted == self._refused
                                                       and not retry_refused):
                return
            loop = asyncio.get_running_loop()
            try:
                new = await loop.run_in_executor(None, load_snapshot,
                                                 self.settings.serving_dir, wanted)
            except Exception as exc:  # noqa: BLE001 - any failure: keep serving the old one
                self._refused, self._refused_reason = wanted, str(exc)
                self.metrics.refused += 1
                log.error("refusing snapshot %s: %s; still serving %s", wanted, exc, serving)
                return
            self.app.swap(new).close()
            self._refused = self._refused_reason = None
            self.metrics.swaps += 1
            log.info("now serving snapshot %s (was %s)", wanted, serving)

    async def reload_now(self) -> dict[str, Any]:
        await self._check_current(retry_refused=True)
        return {"serving": self.app.snapshot.snapshot_id,
                "current": read_current(self.settings.serving_dir),
                "refused": self._refused, "refused_reason": self._refused_reason}

    # ------------------------------------------------------------------------ corruption
    def snapshot_corrupt(self, snapshot: Snapshot, detail: str) -> None:
        """``snapshot`` failed a check while served (a record's checksum on read, or the
        periodic full verification): not ready from now on, and roll back (once)."""
        sid = snapshot.snapshot_id
        if self._corrupt is not None and self._corrupt[0] == sid:
            return  # already known (and being handled): every further hit is only counted
        self._corrupt = (sid, detail)
        log.error("snapshot %s is corrupt: %s; /readyz is 503, affected requests get 503, "
                  "rolling back to the previously published snapshot", sid, detail)
        if self._recovering is None or self._recovering.done():
            self._recovering = asyncio.get_running_loop().create_task(self._roll_back_from(sid))

    async def _roll_back_from(self, sid: str) -> None:
        """Point CURRENT at the snapshot published before ``sid`` (if CURRENT still names it)
        and serve that; ``sid`` is refused from now on."""
        loop = asyncio.get_running_loop()
        d = self.settings.serving_dir
        reason = f"corrupt while served: {self._corrupt[1]}"
        self._refused, self._refused_reason = sid, reason  # the watcher must not reload it
        try:
            if read_current(d) == sid:
                previous, target, skipped = await loop.run_in_executor(None, snapshots.rollback,
                                                                       d, None)
                log.error("rolled CURRENT back from corrupt snapshot %s to %s%s", previous,
                          target, f" (skipped {'; '.join(skipped)})" if skipped else "")
            await self._check_current()
        except SnapshotError as exc:
            log.error("cannot roll back from corrupt snapshot %s: %s; still serving it (records "
                      "that fail their checksum get 503) and /readyz stays 503 until a good "
                      "snapshot is published", sid, exc)
        except Exception:  # noqa: BLE001 - stay not-ready, keep serving what is intact
            log.exception("rolling back from corrupt snapshot %s failed", sid)
        serving = self.app.snapshot.snapshot_id
        if serving == sid and self._refused is None:
            self._refused, self._refused_reason = sid, reason
        elif self._corrupt[0] == serving != sid:  # the one rolled back to failed meanwhile
            self._recovering = loop.create_task(self._roll_back_from(serving))

    async def verify_served(self) -> None:
        """Verify the served snapshot's files in full every ``verify_interval`` seconds."""
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(self.settings.verify_interval)
            snap = self.app.snapshot
            try:
                await loop.run_in_executor(None, snapshots.verify_snapshot, snap.info.path)
            except SnapshotError as exc:
                if snap is self.app.snapshot:
                    self.snapshot_corrupt(snap, f"periodic verification: {exc}")
            except Exception:  # noqa: BLE001 - the checker must survive anything
                log.exception("periodic verification of snapshot %s failed; retrying",
                              snap.snapshot_id)

    async def rollback(self, to: str | None) -> tuple[str | None, str, list[str]]:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(None, snapshots.rollback, self.settings.serving_dir, to)

    def snapshot_status(self) -> dict[str, Any]:
        d = self.settings.serving_dir
        infos = []
        for sid in snapshots.list_snapshots(d):
            try:
                m = json.loads(Path(snapshots.snapshot_path(d, sid), snapshots.MANIFEST)
                               .read_text())
            except (OSError, ValueError):
                m = {}
            infos.append({"snapshot_id": sid, "ds": m.get("ds"),
                          "decisions_version": m.get("decisions_version"),
                          "rows": m.get("row_count"), "bytes": m.get("bytes"),
                          "built_at": m.get("built_at")})
        return {"serving": self.app.snapshot.snapshot_id, "current": read_current(d),
                "refused": self._refused, "refused_reason": self._refused_reason,
                "stack": snapshots.served_stack(d), "snapshots": infos,
                "history": snapshots.read_history(d)[-20:]}

    # ----------------------------------------------------------------------------- overlay
    def _overlay_unchanged(self) -> bool:
        """Cheap check on the loop thread for a local table: no newer commit file exists.

        A Delta commit is ``_delta_log/<version, 20 digits>.json``; one ``stat`` answers
        "is there a version after the one loaded?" without opening the table (object-store
        URIs always take the full check, off the loop)."""
        uri = self.settings.overlay_uri
        if "://" in uri and not uri.startswith("file://"):
            return False
        log_dir = os.path.join(uri.removeprefix("file://"), "_delta_log")
        current = self.overlay.nearline.version
        if current is None:
            return not os.path.isdir(log_dir)
        return not os.path.exists(os.path.join(log_dir, f"{current + 1:020d}.json"))

    async def _poll_overlay_once(self, loop: asyncio.AbstractEventLoop) -> None:
        from tailor.lakehouse.arrow_io import table_version

        uri = self.settings.overlay_uri
        try:
            if self._overlay_unchanged() and not self._overlay_error:
                return
            version = await loop.run_in_executor(None, table_version, uri)
            self._overlay_exists = version is not None
            if version is None or version == self.overlay.nearline.version:
                self._overlay_error = None
                return
            loaded: NearlineRows = await loop.run_in_executor(None, load_nearline, uri, version)
        except Exception as exc:  # noqa: BLE001 - keep the previous overlay
            self._overlay_error = f"{type(exc).__name__}: {exc}"
            log.error("overlay %s could not be loaded (%s); keeping version %s", uri, exc,
                      self.overlay.nearline.version)
            return
        self.overlay.set_nearline(loaded)
        gc.freeze()  # the new overlay is long-lived too (the old one is freed by refcount)
        self._overlay_error = None
        log.info("overlay version %s: %d persons", loaded.version, len(loaded.rows))

    async def poll_overlay(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(self.settings.overlay_poll)
            await self._poll_overlay_once(loop)

    # ------------------------------------------------------------------------- readiness
    def readiness(self) -> tuple[bool, dict[str, Any]]:
        problems = []
        if self._draining:
            problems.append("shutting down")
        if self.events is not None and self.events.error:
            problems.append(f"events cannot be written: {self.events.error}")
        if self._overlay_exists and self.overlay.nearline.version is None:
            problems.append(f"overlay table not loaded: {self._overlay_error}")
        if self._corrupt is not None and self._corrupt[0] == self.app.snapshot.snapshot_id:
            problems.append(f"served snapshot {self._corrupt[0]} is corrupt ({self._corrupt[1]})"
                            f"; rolling back or waiting for a good snapshot")
        overlay = self.overlay.stats()
        if overlay["loaded_at"]:
            overlay["age_seconds"] = round(time.time() - overlay["loaded_at"], 1)
        return not problems, {"problems": problems, "overlay": overlay,
                              "overlay_error": self._overlay_error,
                              "refused_snapshot": self._refused,
                              "events_landing": self.events is not None}

    def _register_gauges(self) -> None:
        m = self.metrics
        m.gauge("tailor_snapshot_info", "The snapshot being served.", "gauge",
                lambda: [(f'snapshot_id="{self.app.snapshot.snapshot_id}",ds="'
                          f'{self.app.snapshot.manifest.get("ds")}"', 1)])
        m.gauge("tailor_snapshot_rows", "Persons in the served snapshot.", "gauge",
                lambda: [("", self.app.snapshot.manifest.get("row_count", 0))])
        m.gauge("tailor_overlay_version", "Version of the overlay table loaded (-1: none).",
                "gauge", lambda: [("", -1 if self.overlay.nearline.version is None
                                   else self.overlay.nearline.version)])
        m.gauge("tailor_overlay_persons", "Persons with overlay state, by source.", "gauge",
                lambda: [('source="nearline"', len(self.overlay.nearline.rows)),
                         ('source="local"', self.overlay.stats()["local_persons"])])
        m.gauge("tailor_overlay_age_seconds", "Seconds since the overlay table was loaded.",
                "gauge", lambda: [("", round(time.time() - self.overlay.nearline.loaded_at, 3)
                                   if self.overlay.nearline.loaded_at else -1)])
        m.gauge("tailor_open_connections", "Open client connections.", "gauge",
                lambda: [("", len(self.connections.open))])
        m.gauge("tailor_max_connections", "The connection cap in force (serving.connections."
                "max, lowered to fit RLIMIT_NOFILE).", "gauge",
                lambda: [("", self.limits.max_connections)])
        m.gauge("tailor_connections_refused_total", "Connections answered 503 at the cap.",
                "counter", lambda: [("", self.connections.refused)])
        m.gauge("tailor_connections_timed_out_total", "Connections closed by a timeout, by "
                "what they were waiting for.", "counter",
                lambda: [(f'phase="{p}"', n) for p, n in self.connections.timed_out.items()])

        def writer_samples(attr: str):
            out = []
            for kind, w in (("events", self.events),
                            ("decisions", self.decision_log and self.decision_log.writer)):
                if w is not None:
                    out.append((f'kind="{kind}"', getattr(w, attr)))
            return out

        m.gauge("tailor_landing_lines_total", "Lines written to landing files.", "counter",
                lambda: writer_samples("lines_written"))
        m.gauge("tailor_landing_bytes_total", "Bytes written to landing files.", "counter",
                lambda: writer_samples("bytes_written"))
        m.gauge("tailor_landing_files_total", "Landing files handed to ingest.", "counter",
                lambda: writer_samples("files_rotated"))
        m.gauge("tailor_landing_fsyncs_total", "fsync calls of event landing files.", "counter",
                lambda: writer_samples("fsyncs"))
        m.gauge("tailor_landing_fsync_seconds_total", "Time spent in fsync.", "counter",
                lambda: writer_samples("fsync_seconds"))
        m.gauge("tailor_decision_log_dropped_total", "Decision log lines lost to write errors.",
                "counter", lambda: [("", self.decision_log.dropped if self.decision_log else 0)])


def open_initial_snapshot(serving_dir: str) -> tuple[Snapshot, str | None]:
    """CURRENT, verified; if it fails, the newest earlier published snapshot that verifies
    (returned with the refused id). NoSnapshotError / SnapshotError if there is none."""
    try:
        return load_snapshot(serving_dir), None
    except snapshots.NoSnapshotError:
        raise
    except SnapshotError as exc:
        current = read_current(serving_dir)
        for candidate in reversed(snapshots.served_stack(serving_dir)[:-1]):
            try:
                snap = load_snapshot(serving_dir, candidate)
            except SnapshotError:
                continue
            log.error("CURRENT snapshot %s refused (%s); serving the previously published %s "
                      "until a good one is published", current, exc, candidate)
            return snap, current
        raise


async def serve(settings: ServerSettings, stop: asyncio.Event,
                on_ready: ReadyCallback | None = None, handle_signals: bool = False,
                on_server: Callable[[LookupServer], None] | None = None) -> None:
    """Run until ``stop`` is set. ``on_ready(host, port, snapshot_id)`` fires once listening
    (after ``on_server(server)``, which gets the running ``LookupServer``)."""
    loop = asyncio.get_running_loop()
    snapshot, refused = await loop.run_in_executor(None, open_initial_snapshot,
                                                   settings.serving_dir)
    try:
        server = LookupServer(settings, snapshot, refused)
        host, port = await server.start()
    except BaseException:
        snapshot.close()
        raise
    if refused:
        server.metrics.refused += 1
    if handle_signals:
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        loop.add_signal_handler(signal.SIGHUP, server.check_now)
    try:
        if on_server is not None:
            on_server(server)
        if on_ready is not None:
            on_ready(host, port, server.app.snapshot.snapshot_id)
        await stop.wait()
    finally:
        await server.close()


def run_forever(settings: ServerSettings, on_ready: ReadyCallback | None = None) -> None:
    """Blocking entry point for the CLI: uvloop, SIGTERM/SIGINT stop it cleanly."""
    async def main() -> None:
        await serve(settings, asyncio.Event(), on_ready=on_ready, handle_signals=True)

    # background threads (snapshot verification, overlay loads, landing fsyncs) hand the GIL
    # back to the event loop after 1 ms instead of 5 ms: a shorter worst-case stall
    sys.setswitchinterval(0.001)
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        runner.run(main())


class RunningServer:
    """A server on its own thread and loop (tests, notebooks, demos); use as a context manager."""

    def __init__(self, settings: ServerSettings, timeout: float = 30.0) -> None:
        self.settings = settings
        self.host = self.port = self.snapshot_id = None
        self.server: LookupServer | None = None
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
            await serve(self.settings, self._stop, on_ready=self._on_ready,
                        on_server=lambda server: setattr(self, "server", server))

        try:
            with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
                runner.run(main())
        except BaseException as exc:  # noqa: BLE001 - handed to the starting thread
            self._error = exc
            self._ready.set()

    def _on_ready(self, host: str, port: int, snapshot_id: str) -> None:
        self.host, self.port, self.snapshot_id = host, port, snapshot_id
        self._ready.set()

    def call(self, fn: Callable[[], Any], timeout: float = 10.0) -> Any:
        """Run ``fn()`` on the server's loop thread and return its result (tests)."""
        import concurrent.futures

        fut: concurrent.futures.Future = concurrent.futures.Future()

        def run() -> None:
            try:
                fut.set_result(fn())
            except BaseException as exc:  # noqa: BLE001
                fut.set_exception(exc)

        self._loop.call_soon_threadsafe(run)
        return fut.result(timeout)

    def stop(self, timeout: float = 30.0) -> None:
        """Stop the server and wait for it to close (decision log and landing files handed
        to ingest); re-raises, once, what the server's thread raised while it ran or closed
        (a failed shutdown is never silent)."""
        if self._loop is not None and self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(timeout)
        if self._thread.is_alive():
            raise TimeoutError(f"server did not stop within {timeout}s")
        error, self._error = self._error, None
        if error is not None:
            raise RuntimeError("the server's thread failed while running or closing") from error

    def __enter__(self) -> RunningServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def serve_in_thread(serving_dir: str | Path, pseudonym_key: str, person_id_length: int,
                    host: str = "127.0.0.1", port: int = 0, reload_interval: float = 1.0,
                    **options: Any) -> RunningServer:
    """Start a real server on a free loopback port in a background thread; ``.stop()`` it.

    ``options`` are further ``ServerSettings`` fields (landing_dir, overlay_uri, api keys...).
    """
    return RunningServer(ServerSettings(str(serving_dir), pseudonym_key, person_id_length,
                                        host, port, reload_interval, **options))


def settings_for(cfg: Any, **overrides: Any) -> ServerSettings:
    """``ServerSettings.from_config`` (kept short for tests and notebooks)."""
    return ServerSettings.from_config(cfg, **overrides)


__all__ = ["LookupServer", "RunningServer", "ServerSettings", "connection_cap", "limits_for",
           "open_initial_snapshot",
           "run_forever", "serve", "serve_in_thread", "settings_for"]
