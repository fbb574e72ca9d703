"""bench/dag_scale.py's deadline: once reached, the processes it started are stopped (so the
size is reported with how far it got); a run that ends first is left alone."""
import subprocess
import sys
import time

from bench.dag_scale import Deadline, growth

SLEEPER = [sys.executable, "-c", "import time; time.sleep(60)"]


def test_reaching_the_deadline_stops_the_child_processes():
    t = time.monotonic()
    with Deadline(0.5) as deadline:
        child = subprocess.Popen(SLEEPER)
        child.wait(timeout=45)
    assert deadline.fired
    assert child.returncode != 0 and time.monotonic() - t < 40


def test_a_run_that_ends_before_the_deadline_is_not_stopped():
    with Deadline(30) as deadline:
        done = subprocess.run([sys.executable, "-c", "pass"])
    time.sleep(0.1)
    assert not deadline.fired and done.returncode == 0


def test_no_deadline_never_fires():
    with Deadline(None) as deadline:
        pass
    assert not deadline.fired and deadline.timer is None


def test_growth_skips_sizes_that_did_not_finish():
    sizes = [{"users": 10_000, "dag_s": 400.0, "status": "ok"},
             {"users": 100_000, "dag_s": 1_200.0, "status": "ok"},
             {"users": 1_000_000, "dag_s": 9_000.0, "status": "stopped: the deadline ..."}]
    assert growth(sizes) == [{"from": 10_000, "to": 100_000, "ratio_per_10x": 3.0}]
