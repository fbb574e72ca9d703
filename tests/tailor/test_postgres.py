"""`tailor postgres start` runs a real PostgreSQL (Debian's package) on 127.0.0.1 with the
stores' databases; a second start finds it up; `stop` ends it and keeps the data; a restart
serves the same data. Skipped where PostgreSQL is not installed."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tailor import postgres

REPO = Path(__file__).resolve().parents[2]
TAILOR = str(Path(sys.executable).with_name("tailor"))

try:
    postgres.binary("pg_ctl")
    HAVE_POSTGRES = True
except postgres.PostgresError:
    HAVE_POSTGRES = False

pytestmark = pytest.mark.skipif(not HAVE_POSTGRES, reason="Debian's postgresql is not installed")


@pytest.fixture
def folder():
    # the server runs as the 'postgres' user under root: its folder must be reachable by it
    path = Path(tempfile.mkdtemp(prefix="tailor-pg-test-"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def test_start_creates_the_databases_stop_keeps_the_data(folder):
    import psycopg2

    env = {**os.environ, "TAILOR_HOME": str(REPO), "TAILOR__POSTGRES__PORT": "5439",
           "TAILOR__POSTGRES__DATA_DIR": str(folder / "data")}
    cli = lambda *a: subprocess.run([TAILOR, "postgres", *a], env=env, capture_output=True,  # noqa: E731
                                    text=True, timeout=180)
    try:
        first = cli("start")
        assert first.returncode == 0 and "started" in first.stdout, first.stdout + first.stderr
        assert "postgresql+psycopg2://tailor@127.0.0.1:5439/mlflow" in first.stdout
        assert "already up" in cli("start").stdout
        with psycopg2.connect(host="127.0.0.1", port=5439, user="tailor", dbname="mlflow") as conn:
            with conn.cursor() as cur:
                cur.execute("CREATE TABLE kept (x int); INSERT INTO kept VALUES (7)")
                cur.execute("SELECT datname FROM pg_database")
                assert {"airflow", "mlflow"} <= {r[0] for r in cur.fetchall()}
        assert json.loads(cli("status", "--json").stdout)["up"] is True
        assert "stopped" in cli("stop").stdout
        assert cli("status").returncode == 3
        assert cli("start").returncode == 0
        with psycopg2.connect(host="127.0.0.1", port=5439, user="tailor", dbname="mlflow") as conn:
            with conn.cursor() as cur:
                cur.execute("SELECT x FROM kept")
                assert cur.fetchall() == [(7,)]
    finally:
        cli("stop")
    assert not (folder / "data" / "postmaster.pid").exists()
    assert "no PostgreSQL" in cli("stop").stdout


def test_a_missing_server_says_how_to_get_one(monkeypatch):
    monkeypatch.setattr(postgres.shutil, "which", lambda name: None)
    monkeypatch.setattr(postgres.glob, "glob", lambda pattern: [])
    with pytest.raises(postgres.PostgresError, match="apt-get install -y postgresql"):
        postgres.binary("pg_ctl")
