"""PostgreSQL for the metadata stores: Airflow's metadata DB and MLflow's tracking store.

SQLite stays the zero-setup default. The ``standalone`` profile (conf/standalone.yaml, with
``make cluster``) keeps both stores in a PostgreSQL server that :func:`start` runs from Debian's
``postgresql`` package: a cluster initialised into ``postgres.data_dir`` (default
``<paths.runs>/postgres``), listening on 127.0.0.1:``postgres.port`` only (no Unix socket in
/var/run), trust authentication for the local user ``postgres.user``, one database per store
(``postgres.databases``). :func:`stop` ends it; the data stays for the next start.

PostgreSQL refuses to run as root: when Tailor runs as root (a container, this sandbox), the
server runs as the ``postgres`` system user the Debian package creates, and the data folder is
handed to it (every folder above it must be traversable by that user).

    tailor postgres start      # what `make cluster` runs, beside the Spark cluster
    tailor postgres status --json
    tailor postgres stop
"""
from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from tailor.config import Config

HOST = "127.0.0.1"


class PostgresError(RuntimeError):
    """The server could not be set up or started (the message says what to do)."""


@dataclass(frozen=True)
class Postgres:
    host: str
    port: int
    user: str
    data_dir: str
    log: str

    def url(self, database: str, driver: str = "psycopg2") -> str:
        """The SQLAlchemy URL of one database (Airflow and MLflow both take this form)."""
        return f"postgresql+{driver}://{self.user}@{self.host}:{self.port}/{database}"


def server(cfg: Config) -> Postgres:
    """Where this project's server lives and answers (whether or not it is running)."""
    data = cfg.path(cfg.postgres.data_dir) if cfg.postgres.data_dir else str(
        Path(cfg.runs_dir, "postgres", "data"))
    return Postgres(HOST, cfg.postgres.port, cfg.postgres.user, data,
                    str(Path(data).parent / "postgres.log"))


def binary(name: str) -> str:
    """A PostgreSQL server program (``initdb``, ``pg_ctl``, ``pg_isready``): on PATH, else in
    Debian's versioned folder (newest first)."""
    found = shutil.which(name) or next(
        iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)), None)
    if found is None:
        raise PostgresError(f"PostgreSQL's {name} was not found: install Debian's package "
                            f"(`apt-get install -y postgresql`), or point paths."
                            f"mlflow_tracking_uri and Airflow at a server you have")
    return found


def _as_owner(args: list[str]) -> list[str]:
    """Run ``args`` as the server's owner: the ``postgres`` system user when we are root."""
    if os.geteuid() != 0:
        return args
    try:
        pwd.getpwnam("postgres")
    except KeyError as exc:
        raise PostgresError("running as root, and there is no 'postgres' user to run the "
                            "server as (PostgreSQL refuses root): install Debian's postgresql "
                            "package, which creates it") from exc
    return ["runuser", "-u", "postgres", "--", *args]


def _run(args: list[str], what: str) -> subprocess.CompletedProcess:
    done = subprocess.run(_as_owner(args), capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise PostgresError(f"{what} failed ({done.returncode}): "
                            f"{(done.stderr or done.stdout).strip()[-1500:]}")
    return done


def is_up(pg: Postgres) -> bool:
    """The server accepts connections."""
    try:
        check = subprocess.run([binary("pg_isready"), "-h", pg.host, "-p", str(pg.port), "-q"],
                               timeout=10)
    except (PostgresError, subprocess.TimeoutExpired):
        return False
    return check.returncode == 0


def _hand_over(*paths: Path) -> None:
    """Give ``paths`` to the server's owner (the ``postgres`` user) when we are root."""
    if os.geteuid() != 0:
        return
    owner = pwd.getpwnam("postgres")
    for path in paths:
        os.chown(path, owner.pw_uid, owner.pw_gid)


def _initialise(pg: Postgres) -> None:
    data = Path(pg.data_dir)
    data.mkdir(parents=True, exist_ok=True)
    _hand_over(data, data.parent)
    data.chmod(0o700)
    _run([binary("initdb"), "-D", str(data), "-U", pg.user, "--auth=trust",
          "--encoding=UTF8", "--no-instructions"], "initdb")


def _databases(pg: Postgres) -> set[str]:
    import psycopg2

    with psycopg2.connect(host=pg.host, port=pg.port, user=pg.user, dbname="postgres") as conn:
        with conn.cursor() as cur:
            cur.execute("SELECT datname FROM pg_database")
            return {row[0] for row in cur.fetchall()}


def _create(pg: Postgres, names: list[str]) -> None:
    import psycopg2

    missing = [n for n in names if n not in _databases(pg)]
    if not missing:
        return
    conn = psycopg2.connect(host=pg.host, port=pg.port, user=pg.user, dbname="postgres")
    try:
        conn.autocommit = True                       # CREATE DATABASE refuses a transaction
        with conn.cursor() as cur:
            for name in missing:
                cur.execute(f'CREATE DATABASE "{name}"')
    finally:
        conn.close()


def start(cfg: Config) -> tuple[Postgres, bool]:
    """Initialise (first time), start and create the stores' databases → (server, started now).
    A server already answering on the port is used as it is."""
    pg = server(cfg)
    if is_up(pg):
        _create(pg, cfg.postgres.databases)
        return pg, False
    if not Path(pg.data_dir, "PG_VERSION").exists():
        _initialise(pg)
    options = f"-h {pg.host} -p {pg.port} -k {pg.data_dir}"   # TCP on loopback; socket inside
    Path(pg.log).touch()
    _hand_over(Path(pg.log))
    _run([binary("pg_ctl"), "-D", pg.data_dir, "-l", pg.log, "-o", options, "-w", "-t", "60",
          "start"], f"starting PostgreSQL (log: {pg.log})")
    _create(pg, cfg.postgres.databases)
    return pg, True


def stop(cfg: Config) -> Postgres | None:
    """Stop the server (fast shutdown: open sessions are ended) → it, None if none was running."""
    pg = server(cfg)
    if not Path(pg.data_dir, "postmaster.pid").exists():
        return None
    _run([binary("pg_ctl"), "-D", pg.data_dir, "-m", "fast", "-w", "-t", "60", "stop"],
         "stopping PostgreSQL")
    return pg
