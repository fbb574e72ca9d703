"""Long-lived helper processes Tailor starts for the user (the Spark Connect server, a local
standalone cluster): started detached in their own process group (they outlive the command that
started them; a task's process-group kill does not reach them), their output appended to a log,
and stopped as a group (the JVM and everything it forked), politely first."""
from __future__ import annotations

import fcntl
import json
import os
import signal
import subprocess
import time
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Any, Iterator, Sequence, TypeVar

T = TypeVar("T")


def launch(args: Sequence[str], log: Path, env: dict[str, str]) -> subprocess.Popen:
    """Start ``args`` detached (own session and process group; pgid = pid), output → ``log``."""
    with open(log, "ab") as out:
        return subprocess.Popen(list(args), stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, env=env, start_new_session=True)


@contextmanager
def starting(path: Path) -> Iterator[None]:
    """One starter at a time: an exclusive lock on ``path`` (created if missing) for the block.
    Two commands starting the same helper at once (the DAG's first task, and ``tailor.dagrun``
    starting it while Airflow prepares the run) would otherwise both launch one; the second
    waits here, then finds the first's up. The kernel drops the lock if its holder dies."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def record(path: Path, state: Any) -> None:
    """Write ``state`` (a dataclass: what was started, its pid...) to ``path`` as JSON, whole
    or not at all (a reader never sees half a record)."""
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(asdict(state), indent=2))
    tmp.replace(path)


def recorded(path: Path, kind: type[T]) -> T | None:
    """The ``kind`` that :func:`record` wrote at ``path``; None if there is none (or it is not
    one)."""
    try:
        return kind(**json.loads(path.read_text()))
    except (OSError, ValueError, TypeError):
        return None


def start_ticks(pid: int) -> int | None:
    """When ``pid`` started (``/proc/<pid>/stat`` field 22), None if it is gone: with the pid,
    it names one process (a recycled pid has another start time). A zombie (exited, not yet
    reaped by whoever adopted it: PID 1 may take seconds) is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2:].split()
    return None if fields[0] == "Z" else int(fields[19])


KILL_WAIT_S = 5.0   # how long terminate() waits for a SIGKILLed group to disappear


def group_alive(pgid: int) -> bool:
    """Any process of group ``pgid`` still running (zombies, dead but not yet reaped by
    whoever adopted them, do not count)."""
    try:
        names = [n for n in os.listdir("/proc") if n.isdigit()]
    except OSError:  # no /proc: ask the kernel, zombies included
        try:
            os.killpg(pgid, 0)
            return True
        except ProcessLookupError:
            return False
    for name in names:
        try:
            text = Path(f"/proc/{name}/stat").read_text()
        except OSError:
            continue
        fields = text[text.rindex(")") + 2:].split()
        if int(fields[2]) == pgid and fields[0] != "Z":   # fields: state, ppid, pgrp, ...
            return True
    return False


def terminate(pids: Sequence[int], grace_s: float = 20.0) -> None:
    """SIGTERM the process groups of ``pids`` (in the order given), wait up to ``grace_s`` in
    all for them to exit, then SIGKILL what is left."""
    for pid in pids:
        try:
            os.killpg(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + grace_s
    for pid in pids:
        while group_alive(pid):
            if time.monotonic() > deadline:
                try:
                    os.killpg(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                # SIGKILL is delivered at once but a process takes a moment to die: return when
                # the group is gone (or after KILL_WAIT_S), so "stopped" means stopped
                gone_by = time.monotonic() + KILL_WAIT_S
                while group_alive(pid) and time.monotonic() < gone_by:
                    time.sleep(0.05)
                break
            time.sleep(0.2)
