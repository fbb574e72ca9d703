"""bench/spark_profile.py: a job's JVM and Spark figures are those recorded inside its window."""
import pytest

from bench.spark_profile import _epoch, _seconds, jvm_window, spark_window


def _at(second: int) -> str:
    return f"2026-12-05T10:00:{second:02d}.123456789Z"


def _load(second: int, jvm: float, machine: float) -> dict:
    return {"type": "jdk.CPULoad", "values": {"startTime": _at(second), "jvmUser": jvm,
                                              "jvmSystem": 0.05, "machineTotal": machine}}


def _compiler(second: int, total: str, count: int) -> dict:
    return {"type": "jdk.CompilerStatistics",
            "values": {"startTime": _at(second), "totalTimeSpent": total, "compileCount": count}}


def test_iso_durations_and_timestamps():
    assert _seconds("PT0.5S") == 0.5 and _seconds("PT3M15S") == 195.0
    assert _seconds("PT1H0.25S") == 3600.25
    assert _epoch(_at(10)) - _epoch(_at(4)) == pytest.approx(6.0)
    assert _epoch("2026-12-05T10:00:04.000GMT") == pytest.approx(_epoch(_at(4)) - 0.123456, abs=1e-3)


def test_a_jobs_cpu_jit_and_gc_are_the_growth_inside_its_window():
    events = [_compiler(1, "PT2S", 100), _load(2, 0.1, 0.2),
              _load(5, 0.45, 0.5), _compiler(5, "PT2.5S", 120), _load(6, 0.55, 0.9),
              _compiler(7, "PT1M4S", 900), _load(9, 0.3, 0.3),
              {"type": "jdk.GarbageCollection",
               "values": {"startTime": _at(6), "sumOfPauses": "PT0.25S"}},
              {"type": "jdk.GarbageCollection",
               "values": {"startTime": _at(9), "sumOfPauses": "PT1S"}}]
    start, end = _epoch(_at(4)), _epoch(_at(8))
    got = jvm_window(events, start, end, cpus=2)
    assert got == {"jvm_cpu_s": 2.2,           # (0.45 + 0.05 + 0.55 + 0.05) × 2 cores
                   "machine_cpu_s": 2.8,       # (0.5 + 0.9) × 2
                   "jit_s": 62.0,              # 64 s at 7 s minus 2 s at 1 s (last before start)
                   "compiles": 800, "gc_pause_s": 0.25}


def test_spark_records_count_only_when_submitted_inside_the_window():
    jobs = [{"submissionTime": "2026-12-05T10:00:05.000GMT"},
            {"submissionTime": "2026-12-05T10:00:09.000GMT"}, {"jobId": 7}]
    stages = [{"submissionTime": "2026-12-05T10:00:05.500GMT", "numTasks": 4,
               "executorRunTime": 1500},
              {"submissionTime": "2026-12-05T10:00:06.000GMT", "numTasks": 2,
               "executorRunTime": 500},
              {"submissionTime": "2026-12-05T10:00:02.000GMT", "numTasks": 9,
               "executorRunTime": 9000}]
    got = spark_window(jobs, stages, _epoch(_at(4)), _epoch(_at(8)))
    assert got == {"spark_jobs": 1, "stages": 2, "tasks": 6, "executor_run_s": 2.0}
