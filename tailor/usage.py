"""CPU time and memory of this process and every process it started (Spark's JVM, its Python
workers), read from ``/proc`` and ``getrusage`` — what a job costs, measured where it ran.

A job's CPU is the CPU of its whole process tree between two :func:`snapshot` calls:

* this process: ``getrusage(RUSAGE_SELF)`` (every thread: the driver, py4j, Arrow);
* children that exited and were waited for: ``getrusage(RUSAGE_CHILDREN)`` (a ``spark-submit``
  started and reaped by this process, a subprocess);
* descendants still alive — the Spark JVM that ``pyspark`` starts as a child (py4j gateway) and
  the Python worker daemon it forks: ``utime + stime`` of ``/proc/<pid>/stat``, *plus* their
  ``cutime + cstime`` (the workers they started, ran and reaped: pyspark's forked Python workers
  are counted when their parent daemon waits for them).

Live processes are keyed by (pid, start time), so a JVM shared by several jobs in one process
(tests, notebooks) is charged to each job only for the CPU it used meanwhile. Orphans re-parented
away from the tree are not seen (their CPU is lost, never double counted). CPU-seconds are
logical-CPU seconds as Linux counts them (a hyper-thread = one vCPU, the unit clouds price).

Peak RSS: the sum of ``VmHWM`` (each process's own peak resident set) over this process and its
live descendants — an upper bound on the tree's peak, for the whole life of each process (not
per job when several jobs share one process). Platforms without ``/proc`` get this process and
its reaped children only.
"""
from __future__ import annotations

import os
import resource
from dataclasses import dataclass, field

_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
_PROC = "/proc"


@dataclass(frozen=True)
class ProcessStat:
    """One live descendant: its identity and its CPU so far (own + reaped children)."""

    pid: int
    ppid: int
    start_ticks: int
    cpu_seconds: float


@dataclass(frozen=True)
class Usage:
    """CPU of a process tree at one instant (:func:`snapshot`); subtract two for a job's share."""

    self_cpu: float                       # this process (all threads)
    children_cpu: float                   # its exited, reaped children (and their reaped children)
    live: dict[tuple[int, int], float] = field(default_factory=dict)  # (pid, start) -> CPU
    peak_rss_bytes: int | None = None

    def cpu_since(self, earlier: "Usage") -> float:
        """CPU-seconds the tree used between ``earlier`` and this snapshot (never negative).

        A process alive at both instants counts its increase; one born after ``earlier``
        counts in full; one alive at ``earlier`` that has since exited and been reaped by
        this process is in ``children_cpu`` in full, so its part before ``earlier`` is
        taken off again.
        """
        total = (self.self_cpu - earlier.self_cpu) + (self.children_cpu - earlier.children_cpu)
        for key, cpu in self.live.items():
            total += cpu - earlier.live.get(key, 0.0)
        for key, cpu in earlier.live.items():
            if key not in self.live:
                total -= cpu  # reaped since: its whole life is now in a parent's counters
        return max(total, 0.0)


def parse_stat(text: str) -> ProcessStat:
    """``/proc/<pid>/stat`` → (pid, ppid, start time, utime+stime+cutime+cstime in seconds).

    The command name (field 2) may hold spaces and parentheses: fields are counted from the
    last ``)``.
    """
    pid = int(text[:text.index(" ")])
    rest = text[text.rindex(")") + 2:].split()
    # rest[0] is field 3 (state): field n is rest[n - 3]
    ppid = int(rest[1])
    utime, stime, cutime, cstime = (int(v) for v in rest[11:15])
    start = int(rest[19])
    return ProcessStat(pid, ppid, start, (utime + stime + cutime + cstime) / _TICKS)


def _read(path: str) -> str | None:
    try:
        with open(path) as fh:
            return fh.read()
    except OSError:  # the process exited meanwhile, or no /proc here
        return None


def _all_stats() -> list[ProcessStat]:
    try:
        pids = [name for name in os.listdir(_PROC) if name.isdigit()]
    except OSError:
        return []
    stats = []
    for pid in pids:
        text = _read(f"{_PROC}/{pid}/stat")
        if text:
            try:
                stats.append(parse_stat(text))
            except (ValueError, IndexError):
                continue
    return stats


def descendants(root: int, stats: list[ProcessStat]) -> list[ProcessStat]:
    """The processes below ``root`` (children, grandchildren, ...) among ``stats``."""
    children: dict[int, list[ProcessStat]] = {}
    for s in stats:
        children.setdefault(s.ppid, []).append(s)
    out, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            out.append(child)
            todo.append(child.pid)
    return out


def _peak_rss_bytes(pids: list[int]) -> int | None:
    total, seen = 0, False
    for pid in pids:
        text = _read(f"{_PROC}/{pid}/status")
        for line in (text or "").splitlines():
            if line.startswith("VmHWM:"):
                total += int(line.split()[1]) * 1024
                seen = True
                break
    return total if seen else None


def snapshot(also: tuple[int, ...] = ()) -> Usage:
    """CPU of this process, its reaped children and its live descendants, now; ``also``: other
    processes charged with their descendants (a shared Spark Connect server this job uses)."""
    me = os.getpid()
    own = resource.getrusage(resource.RUSAGE_SELF)
    reaped = resource.getrusage(resource.RUSAGE_CHILDREN)
    stats = _all_stats()
    tree = descendants(me, stats)
    for pid in also:
        if pid != me:
            tree += [s for s in stats if s.pid == pid] + descendants(pid, stats)
    peak = _peak_rss_bytes([me, *(s.pid for s in tree)])
    if peak is None:  # no /proc: this process's peak (ru_maxrss is in KiB on Linux)
        peak = own.ru_maxrss * 1024 or None
    return Usage(self_cpu=own.ru_utime + own.ru_stime,
                 children_cpu=reaped.ru_utime + reaped.ru_stime,
                 live={(s.pid, s.start_ticks): s.cpu_seconds for s in tree},
                 peak_rss_bytes=peak)
