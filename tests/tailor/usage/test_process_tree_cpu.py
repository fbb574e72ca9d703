"""The CPU of a job is its whole process tree's: a child still running (like Spark's JVM), a
child that exited and was reaped, and this process — each counted once."""
from __future__ import annotations

import subprocess
import sys

from tailor.usage import live_tree, parse_stat, snapshot

# burns a fixed amount of CPU (process time, not wall time), says so, then waits for stdin
CHILD = ("import sys, time\n"
         "t = time.process_time()\n"
         "while time.process_time() - t < {cpu}: pass\n"
         "print('ready', flush=True)\n"
         "sys.stdin.read()\n")


def _child(cpu: float) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", CHILD.format(cpu=cpu)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "ready"
    return proc


def test_live_and_reaped_children_count_once():
    before = snapshot()
    live = _child(0.3)
    try:
        during = snapshot()
        assert any(pid == live.pid for pid, _ in during.live)
        assert during.cpu_since(before) >= 0.3          # the live child, from /proc

        live.stdin.close()
        live.wait()                                      # reaped: now in RUSAGE_CHILDREN
        after = snapshot()
        assert not any(pid == live.pid for pid, _ in after.live)
        assert after.cpu_since(before) >= 0.3
        # moving from "live" to "reaped" does not count it twice
        assert after.cpu_since(during) < 0.3
    finally:
        if live.poll() is None:
            live.kill()
            live.wait()


def test_spark_jvm_is_part_of_the_tree(spark):
    jvm = spark.sparkContext._gateway.proc.pid
    before = snapshot()
    spark.range(2_000_000).selectExpr("sum(id * id)").collect()
    after = snapshot()

    jvm_cpu = {pid: cpu for (pid, _), cpu in after.live.items()}
    assert jvm in jvm_cpu, "the JVM py4j started should be a descendant of this process"
    earlier = {pid: cpu for (pid, _), cpu in before.live.items()}
    assert jvm_cpu[jvm] > earlier.get(jvm, 0.0)
    assert after.cpu_since(before) > 0


def test_python_workers_are_part_of_the_tree(spark):
    """pyspark's Python workers (forked by a daemon the JVM starts) are counted: a Python task
    that burns 0.4 s of CPU shows up in the tree beside the JVM."""
    jvm = spark.sparkContext._gateway.proc.pid

    def burn(batches):
        import time

        t = time.process_time()
        while time.process_time() - t < 0.4:
            pass
        yield from batches

    def workers(usage):
        return sum(cpu for (pid, _), cpu in usage.live.items() if pid != jvm)

    before = snapshot()
    spark.range(1, numPartitions=1).mapInPandas(burn, "id long").collect()
    after = snapshot()
    # /proc counts CPU in clock ticks (10 ms) and the difference of two rounded floats can land
    # a hair under 0.4 (a fresh clone saw 12.28 - 11.88): allow a few ticks
    assert workers(after) - workers(before) >= 0.4 - 0.05
    # their daemon ignores SIGCHLD (pyspark/daemon.py): a worker that exits takes its CPU out of
    # every counter, so a job samples its tree while it runs (test_unreaped_descendants.py)
    assert any(s.ignores_sigchld for s in live_tree() if s.pid != jvm)


def test_parse_stat_reads_a_command_with_spaces_and_parentheses():
    import os

    fields = ["S", "41", "0", "0", "0", "-1", "0", "0", "0", "0", "0",
              "250", "50", "100", "0", "20", "0", "3", "0", "12345"]
    stat = parse_stat("4242 (java (x) y) " + " ".join(fields) + " 0 0\n")
    assert (stat.pid, stat.ppid, stat.start_ticks) == (4242, 41, 12345)
    # utime 250 + stime 50 + cutime 100 + cstime 0 clock ticks
    assert stat.cpu_seconds == 400 / os.sysconf("SC_CLK_TCK")
