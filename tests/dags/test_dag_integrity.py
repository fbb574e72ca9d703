"""The DAG files import cleanly under Airflow 3 and wire the contracts where they gate: every
table-writing stage is followed by its contract, publish only after the gold contracts, train
only after drift, the nearline overlay before the behaviour refresh, and table maintenance once
a day on its own."""
from pathlib import Path

import pytest

DAGS = Path(__file__).resolve().parents[2] / "dags"


@pytest.fixture(scope="module")
def dagbag(tmp_path_factory):
    import os

    os.environ.setdefault("AIRFLOW_HOME", str(tmp_path_factory.mktemp("airflow")))
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS))


def upstream_closure(dag, task_id):
    seen, todo = set(), [task_id]
    while todo:
        for up in dag.get_task(todo.pop()).upstream_task_ids:
            if up not in seen:
                seen.add(up)
                todo.append(up)
    return seen


def test_dags_import_without_errors(dagbag):
    assert dagbag.import_errors == {}
    assert {"personalization_daily", "personalization_nearline",
            "personalization_maintenance"} <= set(dagbag.dag_ids)


def test_daily_contracts_gate_the_right_tasks(dagbag):
    dag = dagbag.dags["personalization_daily"]
    assert {"validate_bronze", "validate_features", "validate_training", "validate_gold"} \
        <= set(dag.task_ids)
    assert {"validate_gold", "decide", "train", "drift", "validate_features"} \
        <= upstream_closure(dag, "publish")
    assert {"drift", "validate_training"} <= upstream_closure(dag, "train")
    assert "validate_bronze" in upstream_closure(dag, "identity")
    assert {"policy_outcomes", "validate_training", "train_policy", "score"} \
        <= upstream_closure(dag, "decide")
    assert {"decide", "incrementality", "train_policy"} <= upstream_closure(dag, "policy_report")


def test_nearline_runs_overlay_before_behaviour(dagbag):
    dag = dagbag.dags["personalization_nearline"]
    assert upstream_closure(dag, "behaviour_refresh") == {"nearline_ingest", "overlay"}
    assert dag.max_active_runs == 1


def test_maintenance_runs_once_a_day_alone(dagbag):
    dag = dagbag.dags["personalization_maintenance"]
    assert dag.task_ids == ["maintenance"]
    assert dag.get_task("maintenance").bash_command.split()[1:3] == ["run", "maintenance"]
    assert dag.schedule == "0 4 * * *"
    assert dag.max_active_runs == 1 and not dag.catchup


def test_daily_run_shares_one_spark_started_first_and_stopped_last(dagbag):
    """spark_start precedes every job; spark_stop follows every job and is a teardown (it runs
    whatever happened and does not decide the run's state); they start / stop the run's Spark
    and its job host, and the stop stops both whatever the first stop did (`;`, not `&&`)."""
    dag = dagbag.dags["personalization_daily"]
    jobs = set(dag.task_ids) - {"spark_start", "spark_stop"}
    assert upstream_closure(dag, "spark_stop") >= jobs | {"spark_start"}
    assert all("spark_start" in upstream_closure(dag, t) for t in jobs)
    stop = dag.get_task("spark_stop")
    assert stop.is_teardown and dag.get_task("spark_start").is_setup
    commands = [c.split()[1:] for c in stop.bash_command.split(";")]
    assert commands == [["host", "stop", "--per-run"], ["spark", "stop", "--per-run"]]
    start = [c.split()[1:] for c in dag.get_task("spark_start").bash_command.split("&&")]
    assert ["spark", "start", "--per-run"] in start and ["host", "start", "--per-run"] == start[-1]
