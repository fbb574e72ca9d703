"""The caller's side: hand ``tailor <argv>`` to a job host and wait for its exit status.

:func:`submit` returns ``None`` when the host cannot take the job (none listening, or it was
started with another environment: it says which variables, on stderr), and the caller runs the
job itself, as it would without a host. Once the job runs on the host, this process only
waits: SIGTERM, SIGINT, SIGHUP and SIGQUIT are passed on to the job's process group, and if
this process dies (Airflow's SIGKILL), the host stops the job. A host that dies under a running
job is an error (exit 1; the job got SIGTERM): Airflow's retry then runs it without one.
"""
from __future__ import annotations

import os
import signal
import socket
import sys
from typing import Any, Mapping

from tailor.jobhost import wire

FORWARDED = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGQUIT)
CONNECT_TIMEOUT_S = 5.0


def exit_status(code: int) -> int:
    """A job's exit code as a shell reports it: ``-N`` (killed by signal N) → ``128 + N``."""
    return 128 - code if code < 0 else code


def connect(path: str) -> socket.socket | None:
    """A connection to the host listening at ``path``, if one does and runs as this user."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.settimeout(CONNECT_TIMEOUT_S)
        sock.connect(path)
        if wire.peer_uid(sock) != os.getuid():   # never hand our environment to another user
            raise wire.WireError("the socket's process runs as another user")
    except (OSError, wire.WireError):
        sock.close()
        return None
    return sock


def hand_over(sock: socket.socket, argv: list[str], *,
              env: Mapping[str, str] | None = None) -> int | None:
    """Run ``tailor <argv>`` on the host at the other end of ``sock`` (from :func:`connect`)
    with ``env`` (default: this process's environment) → its exit status, or ``None`` if the
    host did not take it (run it here)."""
    try:
        umask = os.umask(0)
        os.umask(umask)
        wire.send(sock, {"argv": list(argv), "argv0": sys.argv[0] or "tailor",
                         "env": dict(os.environ if env is None else env), "cwd": os.getcwd(), "umask": umask},
                  fds=(0, 1, 2))
        reply, _ = wire.receive(sock)
    except (OSError, wire.WireError):
        sock.close()
        return None
    if "refused" in reply:
        print(f"tailor: the job host did not take this job ({reply['refused']}); running it "
              "in this process", file=sys.stderr)
        sock.close()
        return None
    sock.settimeout(None)
    print(f"tailor: running on the job host as pid {reply.get('pid')} (tailor host status)",
          file=sys.stderr, flush=True)
    return _wait(sock)


def submit(path: str, argv: list[str], *, env: Mapping[str, str] | None = None) -> int | None:
    """Run ``tailor <argv>`` on the host listening at ``path`` with ``env`` (default: this
    process's environment) → its exit status, or ``None`` if the host did not take it (run it
    here)."""
    sock = connect(path)
    return None if sock is None else hand_over(sock, argv, env=env)


def _wait(sock: socket.socket) -> int:
    def forward(signum: int, _frame: Any) -> None:
        try:
            wire.send(sock, {"signal": signum})
        except OSError:
            pass

    previous = {s: signal.signal(s, forward) for s in FORWARDED}
    try:
        while True:
            try:
                message, _ = wire.receive(sock)
            except (OSError, wire.WireError):
                print("tailor: the job host went away while the job ran (it was stopped with "
                      "it); rerun the job", file=sys.stderr)
                return 1
            if "exit" in message:
                return exit_status(int(message["exit"]))
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        sock.close()
