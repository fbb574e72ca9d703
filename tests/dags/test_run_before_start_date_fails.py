"""The real ``airflow dags test`` of the daily DAG on a logical date before its start_date runs
no task and Airflow calls the run a success; tailor.dagrun (what make demo and the end-to-end
test use) reports it as a failure that names the start date."""
from pathlib import Path

from tailor.dagrun import run_dag

REPO = Path(__file__).resolve().parents[2]


def test_early_logical_date_is_not_a_success(tmp_path, monkeypatch):
    monkeypatch.setenv("AIRFLOW_HOME", str(tmp_path / "airflow"))
    monkeypatch.setenv("AIRFLOW__CORE__DAGS_FOLDER", str(REPO / "dags"))
    monkeypatch.setenv("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
    result = run_dag(REPO, "1998-04-22", tmp_path / "airflow.log")
    assert result.state == "success" and result.tasks == {}  # what Airflow itself says
    assert not result.ok
    assert "no task ran: logical date 1998-04-22 is before the DAG's start_date 2026-09-01" \
        in result.message
