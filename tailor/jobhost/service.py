"""A project's job host: start, stop, find it, and hand it a ``tailor run``.

:func:`start` launches ``python -m tailor.jobhost.server`` detached (own process group, like the
Spark Connect server; ``tailor/daemons.py``) with ``jobhost.preload``, records it in
``<paths.runs>/jobhost/host.json`` and, unless told not to wait, waits until its socket appears
(it appears only once the host listens). :func:`run_on_host` is what ``tailor run`` calls first.
"""
from __future__ import annotations

import hashlib
import os
import signal
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Mapping

from tailor.daemons import launch, record, recorded, start_ticks, starting, terminate
from tailor.jobhost import locator

if TYPE_CHECKING:
    from tailor.config import Config

STATE = "jobhost/host.json"      # under paths.runs
MAX_SOCKET_PATH = 100            # sun_path holds 108 bytes; longer paths go under the temp dir


class JobHostError(RuntimeError):
    """The host could not be started."""


@dataclass(frozen=True)
class RecordedHost:
    pid: int
    start_ticks: int     # with pid, names one process (a recycled pid is not our host)
    socket: str
    started_at: str
    log: str


def state_path(cfg: Config) -> Path:
    return Path(cfg.runs_dir, STATE)


def socket_path(cfg: Config) -> str:
    """``runs/jobhost/host.sock``, or a per-user private folder in the temp dir when that path
    is too long for a Unix socket."""
    path = str(state_path(cfg).with_name("host.sock"))
    if len(path) <= MAX_SOCKET_PATH:
        return path
    try:
        folder = locator.private_dir()
    except locator.LocatorError as exc:
        raise JobHostError(f"{exc}, or shorten paths.runs so the socket fits in "
                           "runs/jobhost/") from None
    return str(folder / (hashlib.sha256(path.encode()).hexdigest()[:16] + ".sock"))


def _recorded(cfg: Config) -> RecordedHost | None:
    return recorded(state_path(cfg), RecordedHost)


def _alive(host: RecordedHost) -> bool:
    return start_ticks(host.pid) == host.start_ticks


def live(cfg: Config) -> RecordedHost | None:
    """The host recorded for this project if it is running and listening."""
    host = _recorded(cfg)
    if host is None or not _alive(host):
        return None
    try:
        owner = os.stat(host.socket).st_uid
    except OSError:                   # not listening (yet, or any more)
        return None
    return host if owner == os.getuid() else None


def command(cfg: Config, socket: str) -> list[str]:
    jh = cfg.jobhost
    return [sys.executable, "-m", "tailor.jobhost.server", "--socket", socket,
            "--preload", ",".join(jh.preload), "--idle-timeout-s", str(jh.idle_timeout_s),
            "--stop-grace-s", str(jh.stop_grace_s)]


def start(cfg: Config, wait: bool = True,
          env: Mapping[str, str] | None = None) -> tuple[RecordedHost, bool]:
    """Start the project's host (or find the one already running) → (host, started now);
    with ``wait``, once it listens. ``env`` (default: this process's) is the environment it
    serves callers with; the CLI passes the one it started with (:data:`tailor.cli.ENVIRONMENT`).
    A concurrent start of the same project's host waits for this one, then finds it."""
    with starting(state_path(cfg).with_name("start.lock")):
        host, started = _launch(cfg, env)
    if wait:
        _wait_listening(cfg, host)
    return host, started


def _launch(cfg: Config, env: Mapping[str, str] | None) -> tuple[RecordedHost, bool]:
    running = _recorded(cfg)
    if running is not None and _alive(running):
        return running, False
    path = state_path(cfg)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.parent.chmod(0o700)           # the socket's folder: this user only
    sock = socket_path(cfg)
    if os.path.exists(sock):           # left by a host that was killed
        os.unlink(sock)
    log = path.with_name("host.log")
    env = dict(os.environ if env is None else env)
    proc = launch(command(cfg, sock), log, env)
    host = RecordedHost(pid=proc.pid, start_ticks=start_ticks(proc.pid) or 0, socket=sock,
                        started_at=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                        log=str(log))
    record(path, host)
    try:   # so that a `tailor run` with this environment finds it without loading conf/
        locator.write(env, os.getcwd(), sock)
    except (OSError, locator.LocatorError):
        pass   # a caller then finds the host through conf/ (host.json)
    return host, True


def _wait_listening(cfg: Config, host: RecordedHost) -> None:
    deadline = time.monotonic() + cfg.jobhost.start_timeout_s
    while not os.path.exists(host.socket):
        if not _alive(host):
            raise JobHostError(f"the job host (pid {host.pid}) exited while starting; its log: "
                               f"{host.log}")
        if time.monotonic() > deadline:
            terminate([host.pid])
            raise JobHostError(f"the job host did not listen within "
                               f"{cfg.jobhost.start_timeout_s} s (jobhost.start_timeout_s); "
                               f"its log: {host.log}")
        time.sleep(0.1)


def stop(cfg: Config, wait_s: float | None = None) -> tuple[RecordedHost | None, bool]:
    """Tell the recorded host to stop → (the host, whether it has exited). It stops taking jobs
    at once and exits after the jobs it runs; this waits up to ``wait_s`` (default
    ``jobhost.stop_grace_s``) for that."""
    host = _recorded(cfg)
    if host is None or not _alive(host):
        state_path(cfg).unlink(missing_ok=True)
        return None, True
    try:
        os.kill(host.pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    deadline = time.monotonic() + (cfg.jobhost.stop_grace_s if wait_s is None else wait_s)
    while _alive(host) and time.monotonic() < deadline:
        time.sleep(0.05)
    gone = not _alive(host)
    if gone:
        state_path(cfg).unlink(missing_ok=True)
        locator.remove(os.environ, os.getcwd(), host.socket)
    return host, gone


def run_on_host(argv: list[str], env: Mapping[str, str] | None = None) -> int | None:
    """``tailor <argv>`` on the project's job host → its exit status; ``None`` when there is no
    host to take it (the caller runs it itself; a configuration error is reported there).
    ``env``: the caller's environment (default: this process's). The host is found by its
    locator when ``tailor host start`` left one for this environment (no configuration
    loaded: :mod:`tailor.jobhost.locator`), else through ``conf/`` and ``host.json``."""
    from tailor.jobhost.client import connect, hand_over

    env = os.environ if env is None else env
    located = locator.read(env, os.getcwd())
    sock = connect(located) if located else None
    if sock is None:
        from tailor.config import ConfigError, get_config

        try:
            cfg = get_config()
        except ConfigError:
            return None
        host = live(cfg)
        sock = connect(host.socket) if host else None
    return None if sock is None else hand_over(sock, argv, env=env)
