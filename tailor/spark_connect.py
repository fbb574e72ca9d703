"""One long-lived Spark for many jobs: a local Spark Connect server (pyspark 4 ships it).

Every ``tailor run JOB`` used to start its own Spark application: 10-15 s of JVM start-up and
JIT warm-up per task, 19 times per daily DAG run. :func:`start` launches one Spark Connect
server from the pyspark wheel (``spark-submit --class ...SparkConnectServer``) with the same
settings a job's own session would have (``tailor.spark.session_conf``), bound to 127.0.0.1 on
``spark.connect.port``, in its own process group so it outlives the command that started it, and
records it in ``<paths.runs>/spark-connect/server.json``. While it is up, :func:`tailor.spark.get_spark`
opens a session on it (``SparkSession.builder.remote``) instead of starting a JVM; a job that
finds no live server starts its own Spark as before, so every task stays retryable on its own.
:func:`stop` ends it. The daily DAG does both around each run (``spark.connect.per_run``).

A job's CPU (``ops.runs``) includes the server's CPU while the job ran (:func:`charged_pids`):
with one job at a time (the DAG's sequential runs) that is the job's Spark work; jobs running
in parallel on one server are each charged the whole server meanwhile.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from tailor.config import Config
from tailor.daemons import launch, record, recorded, start_ticks, starting, terminate

SERVER_CLASS = "org.apache.spark.sql.connect.service.SparkConnectServer"
HOST = "127.0.0.1"
STATE = "spark-connect/server.json"   # under paths.runs


class SparkConnectError(RuntimeError):
    """The server could not be started, or a configured remote cannot be reached."""


@dataclass(frozen=True)
class Server:
    """A running local server, as :func:`start` recorded it."""

    url: str
    pid: int
    start_ticks: int     # /proc start time of pid: a recycled pid is not our server
    started_at: str
    log: str


def state_path(cfg: Config) -> Path:
    return Path(cfg.runs_dir, STATE)


def _accepting(port: int, timeout: float = 1.0) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=timeout):
            return True
    except OSError:
        return False


def _port(url: str) -> int:
    return int(url.rsplit(":", 1)[1].split("/")[0])


def _recorded(cfg: Config) -> Server | None:
    """The server :func:`start` recorded for this project (alive or not), if any."""
    return recorded(state_path(cfg), Server)


def live(cfg: Config) -> Server | None:
    """The server :func:`start` recorded for this project, if it is still up and listening."""
    server = _recorded(cfg)
    if server is None:
        return None
    if start_ticks(server.pid) != server.start_ticks or not _accepting(_port(server.url)):
        return None
    return server


def charged_pids(cfg: Config) -> tuple[int, ...]:
    """Processes whose CPU a job using the local server is charged for (the server's tree)."""
    if cfg.spark.remote:
        return ()
    server = live(cfg)
    return (server.pid,) if server else ()


def server_conf(cfg: Config, port: int | None = None) -> dict[str, str]:
    """The server's Spark settings: a job's session settings (``tailor.spark.session_conf``,
    the class archive's JVM option among them) bound to 127.0.0.1:``port`` (default
    ``spark.connect.port``)."""
    from tailor.spark import session_conf

    return {**session_conf(cfg), "spark.connect.grpc.binding.address": HOST,
            "spark.connect.grpc.binding.port": str(port or cfg.spark.connect.port)}


def command(cfg: Config, conf: dict[str, str] | None = None) -> list[str]:
    """The ``spark-submit`` command line of the server (``conf``, default :func:`server_conf`,
    as ``--conf``)."""
    from tailor.spark import spark_home

    conf = server_conf(cfg) if conf is None else conf
    args = [str(spark_home() / "bin" / "spark-submit"), "--class", SERVER_CLASS,
            "--master", cfg.spark.master, "--name", f"{cfg.spark.app_name}-connect"]
    for key, value in conf.items():
        args += ["--conf", f"{key}={value}"]
    return args + ["spark-internal"]


def server_env(cfg: Config) -> dict[str, str]:
    """The server's environment: this one, with the Python its workers run, the address Spark
    binds and the project its sessions' jobs load conf/ from."""
    return {**os.environ, "PYSPARK_PYTHON": os.environ.get("PYSPARK_PYTHON", sys.executable),
            "SPARK_LOCAL_IP": os.environ.get("SPARK_LOCAL_IP", HOST),
            "TAILOR_HOME": os.environ.get("TAILOR_HOME", str(cfg.root))}


def wait_accepting(proc: subprocess.Popen, port: int, timeout_s: float, log_path: Path) -> None:
    """Wait until the server ``proc`` accepts connections on ``port``; raise (and stop it) if
    it exits or does not listen within ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while not _accepting(port, timeout=0.5):
        if proc.poll() is not None:
            raise SparkConnectError(f"the Spark Connect server exited with {proc.returncode} "
                                    f"while starting; its log: {log_path}")
        if time.monotonic() > deadline:
            terminate([proc.pid])
            raise SparkConnectError(
                f"the Spark Connect server did not listen on {HOST}:{port} within "
                f"{timeout_s} s (spark.connect.start_timeout_s); its log: {log_path}")
        time.sleep(0.5)


def start(cfg: Config) -> tuple[Server, bool]:
    """Start the server (or find the one already up) → (server, started now). A concurrent
    start of the same project's server waits for this one, then finds it up."""
    with starting(state_path(cfg).with_name("start.lock")):
        return _start(cfg)


def _start(cfg: Config) -> tuple[Server, bool]:
    running = live(cfg)
    if running:
        return running, False
    port = cfg.spark.connect.port
    if _accepting(port):
        raise SparkConnectError(
            f"port {HOST}:{port} is taken by another process (not a server this project started):"
            f" set spark.connect.port (e.g. TAILOR__SPARK__CONNECT__PORT={port + 1}) or stop it")
    path = state_path(cfg)
    log_path = path.with_name("server.log")
    proc = launch(command(cfg), log_path, server_env(cfg))
    wait_accepting(proc, port, cfg.spark.connect.start_timeout_s, log_path)
    server = Server(url=f"sc://{HOST}:{port}", pid=proc.pid,
                    start_ticks=start_ticks(proc.pid) or 0,
                    started_at=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                    log=str(log_path))
    record(path, server)
    return server, True


def stop(cfg: Config) -> Server | None:
    """Stop the recorded server (if it is still ours and alive) → what was stopped."""
    server = _recorded(cfg)
    if server is None:
        return None
    alive = start_ticks(server.pid) == server.start_ticks
    if alive:
        terminate([server.pid])
    state_path(cfg).unlink(missing_ok=True)
    return server if alive else None
