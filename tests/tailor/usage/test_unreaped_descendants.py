"""A descendant whose parent ignores SIGCHLD is reaped by the kernel and its CPU is in nobody's
counters (pyspark's worker daemon does this to every Python worker): a TreeWatch still counts
it, at its last sample; a single snapshot cannot."""
from __future__ import annotations

import subprocess
import sys

from tailor.usage import ProcessStat, TreeWatch, parse_status, snapshot, unreaped_cpu

# a parent that ignores SIGCHLD (as pyspark/daemon.py does), forks a child that burns 0.6 s of
# CPU and exits (auto-reaped), says so once it is gone, then waits for stdin
PARENT = ("import os, signal, sys, time\n"
          "signal.signal(signal.SIGCHLD, signal.SIG_IGN)\n"
          "pid = os.fork()\n"
          "if pid == 0:\n"
          "    t = time.process_time()\n"
          "    while time.process_time() - t < 0.6: pass\n"
          "    os._exit(0)\n"
          "try:\n"
          "    os.waitpid(pid, 0)   # with SIGCHLD ignored: returns once the child is gone\n"
          "except ChildProcessError:\n"
          "    pass\n"
          "print('done', flush=True)\n"
          "sys.stdin.read()\n")


def _run_parent() -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", PARENT], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)


def _finish(proc: subprocess.Popen) -> None:
    proc.stdin.close()
    proc.wait(timeout=30)


def test_a_watch_counts_a_child_its_parent_left_unreaped():
    watch = TreeWatch(interval_s=0.05).start()
    proc = _run_parent()
    try:
        assert proc.stdout.readline().strip() == "done"   # the busy child has exited by now
        usage = watch.stop()
    finally:
        _finish(proc)
    # counted at its last sample: what it used after that is lost (one interval, a tick; more
    # when a busy machine delays the sampling thread)
    assert usage.cpu_since(watch.first) >= 0.4
    assert usage.unreaped_cpu >= 0.4


def test_two_snapshots_miss_it():
    """The reason for the watch: the child's CPU is in neither the parent's cutime nor ours."""
    before = snapshot()
    proc = _run_parent()
    try:
        assert proc.stdout.readline().strip() == "done"
        after = snapshot()
    finally:
        _finish(proc)
    assert after.cpu_since(before) < 0.3


def test_unreaped_cpu_counts_only_children_of_an_ignoring_parent():
    previous = [ProcessStat(10, 1, 100, 5.0),                       # the daemon, still there
                ProcessStat(11, 10, 200, 2.0),                      # its worker: gone, unreaped
                ProcessStat(12, 10, 300, 1.5),                      # its worker: still there
                ProcessStat(20, 1, 400, 3.0)]                       # gone, but 1 reaps it
    now = {(10, 100), (12, 300), (11, 999)}    # pid 11 recycled: another process
    assert unreaped_cpu(previous, now, ignoring={10}) == 2.0
    assert unreaped_cpu(previous, now, ignoring=set()) == 0.0


def test_parse_status_reads_the_sigchld_bit_and_the_peak():
    text = "Name:\tpython3\nVmHWM:\t  2048 kB\nSigIgn:\t0000000000011000\n"   # bit 17 = SIGCHLD
    assert parse_status(text) == (2048 * 1024, True)
    assert parse_status("SigIgn:\t0000000001001000\n") == (None, False)

