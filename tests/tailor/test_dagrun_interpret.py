"""A DAG run is a success only if every task of the DAG ran and succeeded: a run without any
task (a logical date before the DAG's start_date), a failed task or a task that never ran is a
failure whose message says why and what to do."""
from tailor.dagrun import interpret

DAG = "personalization_daily"
TASKS = ["ingest", "identity", "publish"]


def test_no_task_before_start_date_is_a_failure_that_says_why():
    result = interpret(DAG, "1998-04-22", "success", {}, TASKS, "2026-09-01T00:00:00+00:00")
    assert not result.ok
    assert "no task ran" in result.message
    assert "1998-04-22 is before the DAG's start_date 2026-09-01" in result.message
    assert "on or after 2026-09-01" in result.message


def test_no_task_for_another_reason():
    result = interpret(DAG, "2026-10-01", "success", {"ingest": None}, TASKS, "2026-09-01")
    assert not result.ok and "no task ran" in result.message and "3 tasks" in result.message


def test_failed_and_unrun_tasks_are_named():
    tasks = {"ingest": "success", "identity": "failed"}
    result = interpret(DAG, "2026-10-01", "failed", tasks, TASKS, "2026-09-01")
    assert not result.ok
    assert "2 of 3 tasks did not succeed: identity=failed, publish=not run" in result.message
    assert "task_id=identity" in result.message


def test_skipped_is_not_success():
    tasks = {"ingest": "success", "identity": "success", "publish": "skipped"}
    assert not interpret(DAG, "2026-10-01", "success", tasks, TASKS, "2026-09-01").ok


def test_every_task_succeeded():
    tasks = dict.fromkeys(TASKS, "success")
    result = interpret(DAG, "2026-10-01", "success", tasks, TASKS, "2026-09-01")
    assert result.ok and result.message == "3 of 3 tasks succeeded"


def test_missing_run():
    result = interpret(DAG, "2026-10-01", "missing", {}, TASKS, "2026-09-01")
    assert not result.ok and "no run" in result.message
