"""The one place a SparkSession is built, so every job runs with the same settings.

Locally this is ``local[N]`` from the pyspark wheel; on a cluster ``spark.master`` comes from
conf/cluster.yaml (or spark-submit). No ``spark.jars.packages`` anywhere: Maven is not reachable,
and the default Delta engine (the delta-rs bridge) needs no jars. With a Spark Connect server up
(``tailor spark start``, tailor/spark_connect.py) or ``spark.remote`` set, a job opens a session
on that server instead of starting a JVM of its own.
"""
from __future__ import annotations

import os
import sys
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from pathlib import Path
from typing import Callable, Iterable, TypeVar

from pyspark import StorageLevel
from pyspark.sql import SparkSession

from tailor.config import Config


def _python_env() -> None:
    # Executors must run the same interpreter (and site-packages) as the driver.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")


def spark_home() -> Path:
    """The Spark installation jobs run on: the pyspark wheel's (its bin/ and jars/)."""
    import pyspark

    return Path(pyspark.__file__).parent


def session_conf(cfg: Config) -> dict[str, str]:
    """The ``spark.*`` settings of every Tailor session (UTC, Arrow on, no UI, ``cfg.spark``, the
    class archive); the same whether a job starts its own Spark or ``tailor spark start`` serves
    one."""
    conf = {
        "spark.driver.memory": cfg.spark.driver_memory,
        "spark.sql.shuffle.partitions": str(cfg.spark.shuffle_partitions),
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.execution.arrow.pyspark.enabled": "true",
        "spark.sql.sources.partitionColumnTypeInference.enabled": "false",
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.driver.host": os.environ.get("SPARK_LOCAL_IP", "127.0.0.1"),
        "spark.sql.warehouse.dir": cfg.path("runs/spark-warehouse"),
    }
    if cfg.lakehouse.engine == "native":
        conf.update({"spark.sql.extensions": "io.delta.sql.DeltaSparkSessionExtension",
                     "spark.sql.catalog.spark_catalog":
                         "org.apache.spark.sql.delta.catalog.DeltaCatalog"})
    from tailor.spark_classes import java_options, with_java_options

    # the driver JVM maps Spark's classes from the class archive when there is one
    # (tailor/spark_classes.py); the user's own driver options come after ours
    return with_java_options({**conf, **cfg.spark.conf}, java_options(cfg))


# settings a session on a shared server sets for itself (the others are the server's)
RUNTIME_CONF = ("spark.sql.shuffle.partitions", "spark.sql.session.timeZone",
                "spark.sql.execution.arrow.pyspark.enabled",
                "spark.sql.sources.partitionColumnTypeInference.enabled")


def connect_url(cfg: Config) -> str | None:
    """The Spark Connect server a job should use: ``spark.remote`` if set; else the local server
    ``tailor spark start`` runs for this project, if it is up; else None (start a Spark here).
    Under spark-submit the job always uses the Spark spark-submit started."""
    if cfg.spark.remote:
        return cfg.spark.remote
    if os.environ.get("PYSPARK_GATEWAY_PORT"):  # launched by spark-submit / an existing JVM
        return None
    from tailor.spark_connect import live

    server = live(cfg)
    return server.url if server else None


def _connect(cfg: Config, url: str, app_name: str | None) -> SparkSession:
    import atexit
    import logging

    try:
        spark = SparkSession.builder.remote(url).appName(app_name or cfg.spark.app_name).getOrCreate()
    except Exception as exc:  # noqa: BLE001 - say which server and what to do
        raise RuntimeError(f"cannot open a Spark Connect session on {url}: {exc}. Is the server "
                           f"up? (`tailor spark status`; spark.remote / spark.connect)") from exc
    wanted = session_conf(cfg)
    for key in (*RUNTIME_CONF, *cfg.spark.conf):
        try:
            spark.conf.set(key, wanted[key])
        except Exception as exc:  # noqa: BLE001 - a static setting is the server's to choose
            logging.getLogger(__name__).debug("not set on the session: %s (%s)", key, exc)
    atexit.register(spark.stop)   # release the server-side session (its cache) at exit
    return spark


def get_spark(cfg: Config, app_name: str | None = None) -> SparkSession:
    """The session a job runs on: the active one, a session on a Spark Connect server
    (:func:`connect_url`), or a new local/cluster Spark built from ``cfg.spark``."""
    _python_env()
    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    url = connect_url(cfg)
    if url:
        return _connect(cfg, url, app_name)
    builder = SparkSession.builder.master(cfg.spark.master).appName(app_name or cfg.spark.app_name)
    for key, value in session_conf(cfg).items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


T = TypeVar("T")
R = TypeVar("R")


def concurrently(fn: Callable[[T], R], items: Iterable[T], workers: int) -> list[R]:
    """``[fn(x) for x in items]``, up to ``workers`` at a time from threads sharing the job's
    Spark session (``spark.concurrent_writes``): Spark runs the queries side by side, so one
    query's driver-side planning and small stages overlap another's work. Results in the
    order of ``items``. On a failure the calls not yet started are cancelled and the failure
    is raised once the running ones have ended (their writes are whole commits either way)."""
    items = list(items)
    if workers <= 1 or len(items) <= 1:
        return [fn(x) for x in items]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(fn, x) for x in items]
        wait(futures, return_when=FIRST_EXCEPTION)
        errors = [f.exception() for f in futures if f.done() and not f.cancelled()]
        error = next((e for e in errors if e is not None), None)
        if error is not None:
            for f in futures:
                f.cancel()
            raise error
        return [f.result() for f in futures]


def checkpointed(df, on_disk: bool = False):
    """``df`` computed now and kept (a reliable ``checkpoint`` when the SparkContext has a
    checkpoint dir, else ``localCheckpoint``; Spark Connect has no SparkContext): a frame read
    by several parts of one plan is then computed once, and its lineage ends here.

    ``on_disk``: a local checkpoint kept on the executors' disks only. By default it is kept in
    memory as far as it fits, and cached blocks up to half of Spark's unified memory cannot be
    evicted by execution: a frame of gigabytes there leaves the plan's sorts too little (the
    candidates' item touches at 1M customers: 2.8 GB, and the score job's ranking failed with
    UNABLE_TO_ACQUIRE_MEMORY)."""
    try:
        reliable = bool(df.sparkSession.sparkContext.getCheckpointDir())
    except Exception:  # noqa: BLE001 - Spark Connect: local checkpoints
        reliable = False
    if reliable:
        return df.checkpoint(eager=True)
    if on_disk:
        return df.localCheckpoint(eager=True, storageLevel=StorageLevel.DISK_ONLY)
    return df.localCheckpoint(eager=True)
