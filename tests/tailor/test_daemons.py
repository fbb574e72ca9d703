"""A helper process is started detached in its own process group and stopped as a group: its
children go with it, a polite SIGTERM first, SIGKILL for what ignores it."""
import os
import sys
import time

from tailor.daemons import group_alive, launch, start_ticks, terminate

STUBBORN = ("import signal, subprocess, sys, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
            "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)']); time.sleep(60)")


def test_group_is_stopped_children_included(tmp_path):
    proc = launch([sys.executable, "-c", STUBBORN], tmp_path / "out.log", dict(os.environ))
    time.sleep(0.5)
    assert os.getpgid(proc.pid) == proc.pid != os.getpgid(0)     # its own group
    assert start_ticks(proc.pid) is not None and group_alive(proc.pid)
    started = time.monotonic()
    terminate([proc.pid], grace_s=1.0)                          # ignores SIGTERM → SIGKILL
    proc.wait(timeout=10)
    assert time.monotonic() - started < 8
    assert not group_alive(proc.pid)                            # the child went too
    assert start_ticks(proc.pid) is None


def test_an_exited_process_not_yet_reaped_is_gone(tmp_path):
    """Whoever adopts a stopped helper (PID 1) may reap it seconds later; a zombie must not
    count as running meanwhile (`tailor host stop` waited ~1.5 s for PID 1 before this)."""
    proc = launch([sys.executable, "-c", "pass"], tmp_path / "out.log", dict(os.environ))
    deadline = time.monotonic() + 10
    while open(f"/proc/{proc.pid}/stat").read().rsplit(")", 1)[1].split()[0] != "Z":
        assert time.monotonic() < deadline, "the child never exited"
        time.sleep(0.02)
    assert start_ticks(proc.pid) is None            # exited, still in /proc until reaped
    proc.wait(timeout=5)
