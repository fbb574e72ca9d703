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
