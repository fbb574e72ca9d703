"""``tailor.spark.concurrently`` (independent writes of one job side by side): results come back
in the order of the items whatever order the calls end in, no more than ``workers`` run at once,
a failure is raised to the job and cancels the calls not yet started, and ``workers=1`` runs
them one after another in order."""
import threading
import time

import pytest

from tailor.spark import concurrently


def test_order_kept_and_at_most_workers_at_once():
    running, peak, lock = 0, 0, threading.Lock()

    def slow(x):
        nonlocal running, peak
        with lock:
            running += 1
            peak = max(peak, running)
        time.sleep(0.05 * (4 - x))           # the first items end last
        with lock:
            running -= 1
        return x * 10

    assert concurrently(slow, range(4), workers=2) == [0, 10, 20, 30]
    assert peak == 2


def test_failure_reaches_the_caller_and_cancels_what_has_not_started():
    started = []

    def boom(x):
        started.append(x)
        if x == 1:
            raise ValueError("group 1 failed")
        time.sleep(0.3)
        return x

    with pytest.raises(ValueError, match="group 1 failed"):
        concurrently(boom, range(6), workers=2)
    assert {0, 1} <= set(started) and not {3, 4, 5} & set(started)


def test_one_worker_runs_in_order_on_the_calling_thread():
    seen = []
    assert concurrently(lambda x: seen.append((x, threading.current_thread())) or x,
                        "abc", workers=1) == ["a", "b", "c"]
    assert [x for x, _ in seen] == ["a", "b", "c"]
    assert {t for _, t in seen} == {threading.current_thread()}
