"""Airflow 3 runs DAGs without a logical date (REST API ``"logical_date": null``, ``airflow dags
trigger`` without ``-e``): ``{{ ds }}`` is then undefined. Every task still gets a ds: the
last complete day for the daily DAG, the day of the run for the nearline and maintenance DAGs;
with a logical date, its ds as before."""
from datetime import datetime, timezone
from pathlib import Path
from types import SimpleNamespace

import pytest

DAGS = Path(__file__).resolve().parents[2] / "dags"
RUN_AFTER = datetime(2026, 11, 22, 6, 45, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def dagbag(tmp_path_factory):
    import os

    os.environ.setdefault("AIRFLOW_HOME", str(tmp_path_factory.mktemp("airflow")))
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS))


def rendered_ds(task, **context):
    from airflow.sdk.execution_time import macros

    context = {"dag_run": SimpleNamespace(run_after=RUN_AFTER), "macros": macros, **context}
    command = task.render_template(task.bash_command, context, jinja_env=task.dag.get_template_env())
    return command.split("--ds ", 1)[1].split()[0]


def dated(dag):
    """The tasks about a day of data (every job; not spark_start / spark_stop, which are not)."""
    tasks = [t for t in dag.tasks if "--ds " in t.bash_command]
    assert len(tasks) >= len(dag.tasks) - 2
    return tasks


@pytest.mark.parametrize("dag_id, expected", [("personalization_daily", "2026-11-21"),
                                              ("personalization_nearline", "2026-11-22"),
                                              ("personalization_maintenance", "2026-11-22")])
def test_every_task_gets_a_ds_without_a_logical_date(dagbag, dag_id, expected):
    dag = dagbag.dags[dag_id]
    assert {rendered_ds(t) for t in dated(dag)} == {expected}


@pytest.mark.parametrize("dag_id", ["personalization_daily", "personalization_nearline",
                                    "personalization_maintenance"])
def test_a_logical_date_wins(dagbag, dag_id):
    dag = dagbag.dags[dag_id]
    assert {rendered_ds(t, ds="2026-10-15") for t in dated(dag)} == {"2026-10-15"}
