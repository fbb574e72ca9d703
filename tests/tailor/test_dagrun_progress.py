"""``make demo`` prints a line per task as the DAG runs: task starts and ends are read from
``airflow dags test`` output as it comes (lines as Airflow 3 writes them), with each task's wall
time and whether it failed."""
from tailor.dagrun import TaskProgress, print_progress, task_progress

LINES = [
    "2026-12-03T16:35:12Z [info ] [DAG TEST] starting task_id=ingest map_index=-1 [airflow.sdk]",
    "2026-12-03T16:40:38Z [info ] Task instance state updated new_state=success rows_affected=1",
    "2026-12-03T16:40:38Z [info ] [DAG TEST] end task task_id=ingest map_index=-1 [airflow.sdk]",
    "2026-12-03T16:40:39Z [info ] [DAG TEST] starting task_id=identity map_index=-1 [airflow.sdk]",
    "2026-12-03T16:41:00Z [error] Task failed with exception",
    "2026-12-03T16:41:01Z [info ] [DAG TEST] end task task_id=identity map_index=-1 [airflow.sdk]",
]


def test_starts_and_ends_with_wall_time_and_failure():
    ticks = iter([0.0, 5.0, 10.0, 12.5])
    events = list(task_progress(LINES, clock=lambda: next(ticks)))
    assert events == [TaskProgress("ingest", None), TaskProgress("ingest", 5.0, False),
                      TaskProgress("identity", None), TaskProgress("identity", 2.5, True)]


def test_printed_one_line_per_ended_task(capsys):
    show = print_progress()
    for event in [TaskProgress("ingest", None), TaskProgress("ingest", 5.0),
                  TaskProgress("identity", None), TaskProgress("identity", 2.5, True)]:
        show(event)
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 2
    assert "ingest" in out[0] and "done" in out[0] and "5 s" in out[0]
    assert "identity" in out[1] and "FAILED" in out[1]


EXECUTOR_LINES = [   # airflow.executor: local — `dags test --use-executor`, as Airflow 3.3 logs it
    "2026-12-04T17:06:19.032065Z [info     ] TaskInstance Finished: dag_id=personalization_daily, "
    "task_id=train_policy, run_id=manual__2026-12-04T17:06:09+00:00, map_index=-1, ti_id=01a2, "
    "run_start_date=2026-12-04 17:06:09.962627+00:00, run_end_date=2026-12-04 17:06:18.678503+00:00, "
    "run_duration=8.715876, state=success, executor=LocalExecutor(parallelism=2), "
    "executor_state=success, try_number=1 [airflow.jobs.scheduler_job_runner.SchedulerJobRunner]",
    "2026-12-04T17:06:20.1Z [info     ] TaskInstance Finished: dag_id=personalization_daily, "
    "task_id=score, run_id=manual__x, map_index=-1, run_duration=3.5, state=failed, "
    "executor=LocalExecutor(parallelism=2)",
]


def test_an_executor_run_reports_each_task_end_with_airflows_duration():
    events = list(task_progress(EXECUTOR_LINES, clock=lambda: 0.0))
    assert events == [TaskProgress("train_policy", 8.715876, False),
                      TaskProgress("score", 3.5, True)]
