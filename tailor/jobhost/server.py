"""The job host: imports the heavy libraries once, then forks a child per ``tailor`` command.

    python -m tailor.jobhost.server --socket PATH --preload pandas,mlflow [--idle-timeout-s S]

(``tailor host start`` runs it; see :mod:`tailor.jobhost.service`.) Until it has preloaded, this
module imports the standard library only, and it never imports Tailor's configuration or jobs:
a child imports those from disk itself, with its caller's environment, so a change to the code
or to ``conf/`` between two jobs is seen by the second, as without a host.

The host is single-threaded (nothing else runs while it forks) and serves one caller after
another from a ``selectors`` loop: accept, check the caller (same user, same environment up to
:data:`IGNORED_ENV` and :data:`TASK_ENV_PREFIXES`), fork, and report the child's pid and, when
its ``pidfd`` says so, its exit status. A caller that goes away (Airflow killed the task) gets
its job stopped: SIGTERM to the job's process group, SIGKILL after ``--stop-grace-s``. SIGTERM to
the host stops it taking jobs (its socket goes at once) and it exits after the jobs it runs have
finished: the daily DAG's teardown does not cut short a nearline job that used the same host. A
child gets SIGTERM if the host dies (``PR_SET_PDEATHSIG``), so no job outlives the host that its
caller waits on.
"""
from __future__ import annotations

import argparse
import atexit
import ctypes
import importlib
import io
import os
import selectors
import signal
import socket
import sys
import threading
import time
import traceback
from dataclasses import dataclass, field
from typing import Any, Mapping, NoReturn

from tailor.jobhost import wire

# Set by the shell for each command, not by the person or the task: ignored when comparing.
IGNORED_ENV = frozenset({"PWD", "OLDPWD", "SHLVL", "_"})
# Airflow's per-task context (task id, try number...), its task supervisor's channel
# (``__AIRFLOW_SUPERVISOR_FD``) and, under an executor, the task its worker parses for
# (``_AIRFLOW_PARSING_CONTEXT_*``): they differ between the tasks of one run.
TASK_ENV_PREFIXES = ("AIRFLOW_CTX_", "__AIRFLOW_", "_AIRFLOW_PARSING_CONTEXT_")
READ_TIMEOUT_S = 5.0       # a caller sends its request at once; a silent one is dropped
PR_SET_PDEATHSIG = 1


def env_differences(host: Mapping[str, str], caller: Mapping[str, str]) -> list[str]:
    """The variables whose values differ between the host's environment and a caller's (names
    only: values may be secrets). Libraries read some variables when imported (thread counts,
    tracking URIs), so a host only serves callers whose environment it was started with."""
    return sorted(k for k in set(host) | set(caller)
                  if host.get(k) != caller.get(k) and k not in IGNORED_ENV
                  and not k.startswith(TASK_ENV_PREFIXES))


def preload(modules: list[str], log: Any = sys.stderr) -> dict[str, float]:
    """Import ``modules`` (seconds each); one that fails is logged and skipped: a job that needs
    it imports it itself and fails there, with its own error."""
    seconds: dict[str, float] = {}
    for name in modules:
        t = time.monotonic()
        try:
            importlib.import_module(name)
        except Exception as exc:  # noqa: BLE001 - any import error: the job reports its own
            print(f"job host: could not preload {name}: {type(exc).__name__}: {exc}", file=log)
            continue
        seconds[name] = round(time.monotonic() - t, 2)
    return seconds


@dataclass
class Request:
    """What a caller asked for: run ``tailor <argv>`` as it would have."""

    argv: list[str]
    argv0: str
    env: dict[str, str]
    cwd: str
    umask: int
    fds: list[int] = field(default_factory=list)

    @classmethod
    def parse(cls, message: dict[str, Any], fds: list[int]) -> "Request":
        try:
            argv, env = message["argv"], message["env"]
            request = cls(argv=[str(a) for a in argv], argv0=str(message["argv0"]),
                          env={str(k): str(v) for k, v in env.items()}, cwd=str(message["cwd"]),
                          umask=int(message["umask"]), fds=fds)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise wire.WireError(f"not a job request: {exc!r}") from exc
        if len(fds) != wire.FDS:
            raise wire.WireError(f"a job request carries {wire.FDS} file descriptors, not {len(fds)}")
        return request


@dataclass
class Job:
    pid: int
    pidfd: int
    conn: socket.socket
    stop_by: float | None = None     # when to SIGKILL a job asked to stop


class Host:
    """The accept / fork / reap loop. :meth:`serve` returns ``None`` in the host when it
    stops, and the :class:`Request` in a child just forked (which then becomes the job)."""

    def __init__(self, listener: socket.socket, env: Mapping[str, str], path: str = "",
                 idle_timeout_s: float = 0.0, stop_grace_s: float = 10.0,
                 log: Any = sys.stderr) -> None:
        self.listener, self.path = listener, path
        self.inode = os.stat(path).st_ino if path else 0
        self.env = dict(env)                     # as started, before preloading
        self.idle_timeout_s, self.stop_grace_s, self.log = idle_timeout_s, stop_grace_s, log
        self.selector = selectors.DefaultSelector()
        self.jobs: dict[int, Job] = {}           # pid -> job
        self.stopping = False
        self.served = 0
        self.idle_since = time.monotonic()

    # -- the loop

    def serve(self) -> Request | None:
        self.selector.register(self.listener, selectors.EVENT_READ, ("accept", None))
        while not self.stopping or self.jobs:
            for key, _ in self.selector.select(timeout=0.5):
                kind, job = key.data
                if kind == "accept":
                    request = self._accept()
                    if request is not None:
                        return request           # the child: become the job
                elif kind == "caller":
                    self._from_caller(job)
                else:
                    self._reap(job)
            self._escalate()
            if (not self.stopping and not self.jobs and self.idle_timeout_s
                    and time.monotonic() - self.idle_since > self.idle_timeout_s):
                self._say(f"no job for {self.idle_timeout_s:g} s (jobhost.idle_timeout_s): "
                          "stopping")
                self.stop()
        self.selector.close()
        return None

    def stop(self, *_: Any) -> None:
        """Stop taking jobs (the socket goes at once: new callers run their jobs themselves);
        the jobs running finish, and the loop ends after the last."""
        if self.stopping:
            return
        self.stopping = True
        try:
            self.selector.unregister(self.listener)
        except (KeyError, ValueError):
            pass
        self.listener.close()
        if self.path:
            unlink_own(self.path, self.inode)
        if self.jobs:
            self._say(f"stopping after the {len(self.jobs)} job(s) running")

    # -- events

    def _accept(self) -> Request | None:
        try:
            conn, _ = self.listener.accept()
        except OSError:
            return None
        fds: list[int] = []
        try:
            uid = wire.peer_uid(conn)
            if uid != os.getuid():
                raise wire.WireError(f"a caller runs as uid {uid}, the host as {os.getuid()}")
            conn.settimeout(READ_TIMEOUT_S)
            message, fds = wire.receive(conn, with_fds=True)
            request = Request.parse(message, fds)
            differ = env_differences(self.env, request.env)
            if differ:
                shown = ", ".join(differ[:8]) + (f" (+{len(differ) - 8} more)" if len(differ) > 8 else "")
                wire.send(conn, {"refused": "it was started with another environment: "
                                            f"{shown} differ"})
                raise wire.WireError(f"refused tailor {' '.join(request.argv[:2])}: {shown} differ")
        except (OSError, wire.WireError) as exc:
            self._say(f"caller dropped: {exc}")
            for fd in fds:
                os.close(fd)
            conn.close()
            return None
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            self._forget(conn)
            return request
        for fd in request.fds:
            os.close(fd)
        job = Job(pid=pid, pidfd=os.pidfd_open(pid), conn=conn)
        self.jobs[pid] = job
        self.served += 1
        conn.settimeout(None)
        self.selector.register(conn, selectors.EVENT_READ, ("caller", job))
        self.selector.register(job.pidfd, selectors.EVENT_READ, ("exit", job))
        try:
            wire.send(conn, {"pid": pid})
        except OSError:
            self._terminate(job)                 # the caller is already gone
        self._say(f"job {pid}: tailor {' '.join(request.argv)}")
        return None

    def _from_caller(self, job: Job) -> None:
        try:
            message, _ = wire.receive(job.conn)
        except (OSError, wire.WireError):
            self.selector.unregister(job.conn)   # the caller is gone: so goes its job
            self._terminate(job)
            return
        signum = message.get("signal")
        if isinstance(signum, int) and signum in {s.value for s in signal.Signals}:
            self._signal(job, signum)

    def _reap(self, job: Job) -> None:
        _, status = os.waitpid(job.pid, 0)
        code = os.waitstatus_to_exitcode(status)
        self.selector.unregister(job.pidfd)
        os.close(job.pidfd)
        try:
            self.selector.unregister(job.conn)
        except (KeyError, ValueError):
            pass
        try:
            wire.send(job.conn, {"exit": code})
        except OSError:
            pass
        job.conn.close()
        del self.jobs[job.pid]
        self.idle_since = time.monotonic()
        self._say(f"job {job.pid}: exit {code}")

    # -- stopping jobs

    def _signal(self, job: Job, signum: int) -> None:
        try:
            os.killpg(job.pid, signum)
        except ProcessLookupError:
            pass

    def _terminate(self, job: Job) -> None:
        if job.stop_by is None:
            job.stop_by = time.monotonic() + self.stop_grace_s
            self._signal(job, signal.SIGTERM)

    def _escalate(self) -> None:
        now = time.monotonic()
        for job in self.jobs.values():
            if job.stop_by is not None and now > job.stop_by:
                self._signal(job, signal.SIGKILL)

    # -- the child's side of the fork

    def _forget(self, conn: socket.socket) -> None:
        """In a child: let go of everything that is the host's (the listening socket, other
        callers' connections, their jobs' pidfds), or their ends would stay open."""
        for job in self.jobs.values():
            job.conn.close()
            os.close(job.pidfd)
        self.listener.close()
        self.selector.close()
        conn.close()

    def _say(self, text: str) -> None:
        print(f"{time.strftime('%Y-%m-%dT%H:%M:%S')} job host: {text}", file=self.log, flush=True)


def imported_env(before: Mapping[str, str], after: Mapping[str, str]) -> dict[str, str]:
    """The variables importing the preloaded libraries set (e.g. ``KMP_INIT_AT_FORK``, MLflow's
    telemetry session): a new process that imported them would have these too."""
    return {k: v for k, v in after.items() if before.get(k) != v}


def become(request: Request, host_pid: int, imported: Mapping[str, str]) -> None:
    """Make this forked child the process its caller would have started: its own process
    group, default signal handlers, the caller's stdin/stdout/stderr, environment (plus what
    the preloaded imports set, ``imported``), working directory, umask and argv; and SIGTERM
    when the host dies."""
    os.setpgid(0, 0)
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        pass
    if os.getppid() != host_pid:            # the host died before prctl took effect
        os._exit(128 + signal.SIGTERM)
    for signum in (signal.SIGTERM, signal.SIGHUP, signal.SIGCHLD):
        signal.signal(signum, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    for target, fd in enumerate(request.fds):
        os.dup2(fd, target)
    for fd in request.fds:
        if fd > 2:
            os.close(fd)
    os.environ.clear()
    os.environ.update({**request.env, **imported})
    os.chdir(request.cwd)
    os.umask(request.umask)
    sys.argv = [request.argv0, *request.argv]
    sys.path[0] = os.path.dirname(os.path.abspath(request.argv0))   # as a console script's
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper) and stream.isatty():
            stream.reconfigure(line_buffering=True)   # as Python sets up a terminal's
    numpy = sys.modules.get("numpy")
    if numpy is not None:   # its global generator, seeded at import: reseed as a new process
        numpy.random.seed()


def listen(path: str) -> socket.socket:
    """A Unix socket at ``path``, private to this user, that appears only once listening."""
    tmp = f"{path}.{os.getpid()}.tmp"
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    old = os.umask(0o177)
    try:
        listener.bind(tmp)
    finally:
        os.umask(old)
    listener.listen(64)
    os.replace(tmp, path)
    return listener


def unlink_own(path: str, listener_inode: int) -> None:
    """Remove the socket at ``path`` if it is still this host's (not a newer host's)."""
    try:
        if os.stat(path).st_ino == listener_inode:
            os.unlink(path)
    except OSError:
        pass


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tailor.jobhost.server",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--socket", required=True, help="where to listen (a path)")
    parser.add_argument("--preload", default="", help="comma-separated modules to import first")
    parser.add_argument("--idle-timeout-s", type=float, default=0.0,
                        help="stop after this long without a job (0: never)")
    parser.add_argument("--stop-grace-s", type=float, default=10.0,
                        help="SIGTERM → SIGKILL delay when a job must stop")
    args = parser.parse_args(argv)
    host_pid = os.getpid()
    t = time.monotonic()
    env = dict(os.environ)
    seconds = preload([m for m in args.preload.split(",") if m])
    listener = listen(args.socket)
    imported = imported_env(env, os.environ)
    host = Host(listener, env, args.socket, idle_timeout_s=args.idle_timeout_s,
                stop_grace_s=args.stop_grace_s)
    signal.signal(signal.SIGTERM, host.stop)
    signal.signal(signal.SIGINT, host.stop)
    host._say(f"pid {host_pid} ready on {args.socket} after {time.monotonic() - t:.1f} s "
              f"(preloaded {', '.join(f'{k} {v:.2f} s' for k, v in seconds.items()) or 'nothing'})")
    request = host.serve()
    if request is None:                      # the host, stopped
        host._say(f"stopped after {host.served} job(s)")
        finish(0)   # as a job ends: not tearing down every preloaded module (seconds)
    become(request, host_pid, imported)
    finish(run_tailor(request.argv))


def run_tailor(argv: list[str]) -> int:
    """``tailor <argv>`` in this process → its exit code, as the console script would end."""
    try:
        from tailor.cli import main as tailor

        return tailor(argv, host=False)
    except SystemExit as exc:
        if exc.code is None or isinstance(exc.code, int):
            return exc.code or 0
        print(exc.code, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 128 + signal.SIGINT
    except BaseException:  # noqa: BLE001 - reported as Python would, then exit 1
        traceback.print_exc()
        return 1


def finish(code: int) -> NoReturn:
    """End a job's process the way an interpreter's exit would — threading's exit hooks (a
    ``concurrent.futures`` pool left open stops its idle workers there), then wait for the
    non-daemon threads, run the atexit handlers (logging's flush among them), flush stdout
    and stderr — but without tearing down every preloaded module one by one (~0.9 s for
    MLflow, GX and the rest), as multiprocessing's children end. Joining the threads without
    the hooks first waited forever on a pool's idle workers: a score job that failed at 1M
    customers never ended, and its DAG run with it."""
    shutdown = getattr(threading, "_shutdown", None)   # what Py_FinalizeEx calls first:
    if shutdown is not None:                            # the hooks, then the joins
        shutdown()
    else:
        for thread in threading.enumerate():
            if thread is not threading.main_thread() and not thread.daemon:
                thread.join()
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code)


if __name__ == "__main__":
    sys.exit(main())
