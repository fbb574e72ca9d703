"""A DAG run read straight from Airflow's SQLite metadata DB: the latest run of the day, judged
by its task instances as Airflow's own models would be; anything it cannot judge (no run, no task
instances) is left to Airflow's reading."""
import sqlite3

from tailor.dagrun import read_run_sqlite, sqlite_path


def _db(path, runs, tis):
    with sqlite3.connect(path) as db:   # the columns Airflow 3's tables have that are read
        db.execute("CREATE TABLE dag_run (dag_id TEXT, run_id TEXT, state TEXT, "
                   "logical_date TIMESTAMP, run_after TIMESTAMP)")
        db.execute("CREATE TABLE task_instance (dag_id TEXT, run_id TEXT, task_id TEXT, "
                   "state TEXT)")
        db.executemany("INSERT INTO dag_run VALUES (?, ?, ?, ?, ?)", runs)
        db.executemany("INSERT INTO task_instance VALUES (?, ?, ?, ?)", tis)
    return str(path)


def test_the_latest_run_of_the_day_is_judged_by_its_tasks(tmp_path):
    path = _db(tmp_path / "airflow.db", [
        ("d", "r1", "failed", "2026-10-15 00:00:00.000000", "2026-12-07 10:00:00.000000"),
        ("d", "r2", "success", "2026-10-15 00:00:00.000000", "2026-12-07 11:00:00.000000"),
        ("d", "r0", "success", "2026-10-14 00:00:00.000000", "2026-12-07 12:00:00.000000")],
        [("d", "r1", "a", "failed"), ("d", "r1", "b", None),
         ("d", "r2", "a", "success"), ("d", "r2", "b", "success")])
    run = read_run_sqlite(path, "2026-10-15", "d")
    assert run.ok and run.state == "success" and run.tasks == {"a": "success", "b": "success"}


def test_a_task_that_did_not_run_fails_the_run(tmp_path):
    path = _db(tmp_path / "airflow.db",
               [("d", "r1", "failed", "2026-10-15 00:00:00.000000", "2026-12-07 10:00:00")],
               [("d", "r1", "a", "failed"), ("d", "r1", "b", "upstream_failed"),
                ("d", "r1", "c", None)])
    run = read_run_sqlite(path, "2026-10-15", "d")
    assert not run.ok and "a=failed" in run.message and "c=not run" in run.message


def test_no_run_or_no_task_instances_is_left_to_airflow(tmp_path):
    path = _db(tmp_path / "airflow.db",
               [("d", "r1", "success", "2026-10-15 00:00:00.000000", "2026-12-07 10:00:00")], [])
    assert read_run_sqlite(path, "2026-10-15", "d") is None     # start_date explains it
    assert read_run_sqlite(path, "2026-10-16", "d") is None
    assert read_run_sqlite(str(tmp_path / "nosuch.db"), "2026-10-15", "d") is None


def test_only_a_sqlite_db_that_exists_is_read(tmp_path):
    (tmp_path / "airflow.db").write_bytes(b"")
    assert sqlite_path({"AIRFLOW_HOME": str(tmp_path)}) == str(tmp_path / "airflow.db")
    assert sqlite_path({"AIRFLOW__DATABASE__SQL_ALCHEMY_CONN":
                        f"sqlite:///{tmp_path}/airflow.db"}) == f"{tmp_path}/airflow.db"
    assert sqlite_path({"AIRFLOW__DATABASE__SQL_ALCHEMY_CONN":
                        "postgresql+psycopg2://tailor@127.0.0.1:5433/airflow"}) is None
    assert sqlite_path({"AIRFLOW_HOME": str(tmp_path / "none")}) is None
