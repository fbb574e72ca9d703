"""CPU time and memory of this process and every process it started (Spark's JVM, its Python
workers), read from ``/proc`` and ``getrusage`` — what a job costs, measured where it ran.

A job's CPU is the CPU of its whole process tree between two samples (:func:`snapshot`, or the
first and last of a :class:`TreeWatch`):

* this process: ``getrusage(RUSAGE_SELF)`` (every thread: the driver, py4j, Arrow);
* children that exited and were waited for: ``getrusage(RUSAGE_CHILDREN)`` (a ``spark-submit``
  started and reaped by this process, a subprocess);
* descendants still alive — the Spark JVM that ``pyspark`` starts as a child (py4j gateway) and
  the Python worker daemon it forks: ``utime + stime`` of ``/proc/<pid>/stat``, *plus* their
  ``cutime + cstime`` (the children they waited for);
* descendants that exited *unreaped*: a parent that ignores ``SIGCHLD`` lets the kernel reap
  its children, and since Linux 2.6.9 their CPU then goes into nobody's ``cutime``. pyspark's
  worker daemon does exactly that (``signal(SIGCHLD, SIG_IGN)`` in ``pyspark/daemon.py``), so
  every Python worker that ends before the job does (an idle worker Spark retires, a worker not
  reused, every worker at ``spark.stop()``) takes its CPU with it: a 1M-customer ingest was
  recorded at 938 CPU-s where a ``/proc`` sampler saw 1.92-2.00 busy cores for 659 s. A
  :class:`TreeWatch` samples the tree every ``interval_s`` and counts such a process at its
  last sample (:func:`unreaped_cpu`): what it used after that sample is lost, at most one
  interval of one core per process, and a process born and gone between two samples is not seen.

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

import logging
import os
import resource
import signal
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field

_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
_PROC = "/proc"
_SIGCHLD_MASK = 1 << (signal.SIGCHLD - 1)   # its bit in /proc/<pid>/status SigIgn

log = logging.getLogger(__name__)

Key = tuple[int, int]   # (pid, start ticks): a recycled pid is another process


@dataclass(frozen=True)
class ProcessStat:
    """One live descendant: its identity and its CPU so far (own + reaped children)."""

    pid: int
    ppid: int
    start_ticks: int
    cpu_seconds: float
    ignores_sigchld: bool = False   # its exited children are reaped by the kernel, uncounted

    @property
    def key(self) -> Key:
        return (self.pid, self.start_ticks)


@dataclass(frozen=True)
class Usage:
    """CPU of a process tree at one instant (:func:`snapshot`); subtract two for a job's share."""

    self_cpu: float                       # this process (all threads)
    children_cpu: float                   # its exited, reaped children (and their reaped children)
    live: dict[Key, float] = field(default_factory=dict)   # (pid, start) -> CPU
    peak_rss_bytes: int | None = None
    unreaped_cpu: float = 0.0             # descendants gone unreaped, at their last sample

    def cpu_since(self, earlier: "Usage") -> float:
        """CPU-seconds the tree used between ``earlier`` and this snapshot (never negative).

        A process alive at both instants counts its increase; one born after ``earlier``
        counts in full; one alive at ``earlier`` that has since exited is now either in a
        parent's counters (reaped) or in ``unreaped_cpu`` (at its last sample), in full, so
        its part before ``earlier`` is taken off again.
        """
        total = ((self.self_cpu - earlier.self_cpu) + (self.children_cpu - earlier.children_cpu)
                 + (self.unreaped_cpu - earlier.unreaped_cpu))
        for key, cpu in self.live.items():
            total += cpu - earlier.live.get(key, 0.0)
        for key, cpu in earlier.live.items():
            if key not in self.live:
                total -= cpu
        return max(total, 0.0)


def unreaped_cpu(previous: Iterable[ProcessStat], now: set[Key], ignoring: set[int]) -> float:
    """CPU (at the previous sample) of the processes of ``previous`` that are gone ``now`` and
    whose parent ignores ``SIGCHLD`` (pids in ``ignoring``): nobody's ``cutime`` holds it."""
    return sum(s.cpu_seconds for s in previous if s.key not in now and s.ppid in ignoring)


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


def parse_status(text: str) -> tuple[int | None, bool]:
    """``/proc/<pid>/status`` → (``VmHWM`` in bytes or None, whether it ignores ``SIGCHLD``)."""
    peak, ignores = None, False
    for line in text.splitlines():
        if line.startswith("VmHWM:"):
            peak = int(line.split()[1]) * 1024
        elif line.startswith("SigIgn:"):
            ignores = bool(int(line.split()[1], 16) & _SIGCHLD_MASK)
    return peak, ignores


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


def _tree(me: int, also: tuple[int, ...]) -> list[ProcessStat]:
    """This process's live descendants, and each of ``also`` with its descendants."""
    stats = _all_stats()
    tree = descendants(me, stats)
    for pid in also:
        if pid != me:
            tree += [s for s in stats if s.pid == pid] + descendants(pid, stats)
    return tree


def _with_status(tree: list[ProcessStat]) -> tuple[list[ProcessStat], int | None]:
    """``tree`` with each process's ``SIGCHLD`` disposition, and the sum of their ``VmHWM``."""
    out, total, seen = [], 0, False
    for s in tree:
        text = _read(f"{_PROC}/{s.pid}/status")
        if text is None:   # gone since its stat was read
            out.append(s)
            continue
        peak, ignores = parse_status(text)
        if peak is not None:
            total, seen = total + peak, True
        out.append(ProcessStat(s.pid, s.ppid, s.start_ticks, s.cpu_seconds, ignores))
    return out, (total if seen else None)


def live_tree(also: tuple[int, ...] = ()) -> list[ProcessStat]:
    """This process's live descendants (and ``also`` with theirs), each with its ``SIGCHLD``
    disposition."""
    return _with_status(_tree(os.getpid(), also))[0]


class TreeWatch:
    """A job's process tree sampled every ``interval_s`` on a daemon thread, so descendants
    that exit unreaped (pyspark's Python workers) are counted (see the module docstring).

    ``start()`` takes the first sample; ``stop()`` the last, and returns it: the job's CPU is
    ``watch.stop().cpu_since(watch.first)``. ``interval_s <= 0``: no thread, two samples only.
    """

    def __init__(self, also: tuple[int, ...] = (), interval_s: float = 1.0):
        self.also, self.interval_s = tuple(also), interval_s
        self.first: Usage | None = None
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._previous: list[ProcessStat] = []
        self._ignoring: set[int] = set()
        self._unreaped = 0.0

    def start(self) -> "TreeWatch":
        self.first = self.sample()
        if self.interval_s > 0:
            self._thread = threading.Thread(target=self._run, name="tailor-usage", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> Usage:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join()
        return self.sample()

    def _run(self) -> None:
        while not self._stopping.wait(self.interval_s):
            try:
                self.sample()
            except Exception as exc:  # noqa: BLE001 - a measurement never fails a job
                log.warning("could not sample the process tree: %s: %s", type(exc).__name__, exc)
                return

    def sample(self) -> Usage:
        """The tree's usage now; what left the tree unreaped since the last sample is added."""
        with self._lock:
            me = os.getpid()
            own = resource.getrusage(resource.RUSAGE_SELF)
            reaped = resource.getrusage(resource.RUSAGE_CHILDREN)
            tree, peak = _with_status(_tree(me, self.also))
            my_status = _read(f"{_PROC}/{me}/status")
            my_peak, i_ignore = parse_status(my_status) if my_status else (None, False)
            self._unreaped += unreaped_cpu(self._previous, {s.key for s in tree}, self._ignoring)
            self._previous = tree
            self._ignoring = {s.pid for s in tree if s.ignores_sigchld} | ({me} if i_ignore else set())
            if my_peak is not None:
                peak = (peak or 0) + my_peak
            if peak is None:  # no /proc: this process's peak (ru_maxrss is in KiB on Linux)
                peak = own.ru_maxrss * 1024 or None
            return Usage(self_cpu=own.ru_utime + own.ru_stime,
                         children_cpu=reaped.ru_utime + reaped.ru_stime,
                         live={s.key: s.cpu_seconds for s in tree},
                         peak_rss_bytes=peak, unreaped_cpu=self._unreaped)


def snapshot(also: tuple[int, ...] = ()) -> Usage:
    """CPU of this process, its reaped children and its live descendants, now; ``also``: other
    processes charged with their descendants (a shared Spark Connect server this job uses).
    One sample: a descendant that exits unreaped before the next is lost (use a
    :class:`TreeWatch` across a job)."""
    return TreeWatch(also, interval_s=0).sample()
