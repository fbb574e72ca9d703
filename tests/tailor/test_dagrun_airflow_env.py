"""The Airflow runs Tailor starts take their metadata DB and executor from conf/: SQLite under
AIRFLOW_HOME by default; airflow.metadata_db on PostgreSQL (async engine through psycopg 3);
airflow.executor local → LocalExecutor reporting to the run's API server. An Airflow setting
already in the environment wins."""
from pathlib import Path

from tailor.dagrun import airflow_env

REPO = Path(__file__).resolve().parents[2]
PG = "postgresql+psycopg2://tailor@127.0.0.1:5433/airflow"


def test_default_is_sqlite_and_inline(monkeypatch):
    monkeypatch.delenv("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", raising=False)
    monkeypatch.delenv("TAILOR_ENV", raising=False)
    env = airflow_env(REPO)
    assert "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN" not in env
    assert "AIRFLOW__CORE__EXECUTOR" not in env or env["AIRFLOW__CORE__EXECUTOR"] != "LocalExecutor"


def test_postgres_and_local_executor_from_config(monkeypatch):
    monkeypatch.delenv("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", raising=False)
    monkeypatch.setenv("TAILOR__AIRFLOW__METADATA_DB", PG)
    monkeypatch.setenv("TAILOR__AIRFLOW__EXECUTOR", "local")
    monkeypatch.setenv("TAILOR__AIRFLOW__API_PORT", "8799")
    env = airflow_env(REPO)
    assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] == PG
    assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC"] == PG.replace("+psycopg2", "+psycopg_async")
    assert env["AIRFLOW__CORE__EXECUTOR"] == "LocalExecutor"
    assert env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == "http://127.0.0.1:8799/execution/"


def test_an_airflow_setting_in_the_environment_wins(monkeypatch):
    mine = "postgresql+psycopg2://me@db.example/airflow"
    monkeypatch.setenv("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", mine)
    monkeypatch.setenv("TAILOR__AIRFLOW__METADATA_DB", PG)
    assert airflow_env(REPO)["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] == mine
