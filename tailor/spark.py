"""The one place a SparkSession is built, so every job runs with the same settings.

Locally this is ``local[N]`` from the pyspark wheel; on a cluster ``spark.master`` comes from
conf/cluster.yaml (or spark-submit). No ``spark.jars.packages`` anywhere: Maven is not reachable,
and the default Delta engine (the delta-rs bridge) needs no jars.
"""
from __future__ import annotations

import os
import sys

from pyspark.sql import SparkSession

from tailor.config import Config


def _python_env() -> None:
    # Executors must run the same interpreter (and site-packages) as the driver.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")


def get_spark(cfg: Config, app_name: str | None = None) -> SparkSession:
    """Return the active session or build one from ``cfg.spark`` (UTC, Arrow on)."""
    _python_env()
    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    builder = (
        SparkSession.builder.master(cfg.spark.master)
        .appName(app_name or cfg.spark.app_name)
        .config("spark.driver.memory", cfg.spark.driver_memory)
        .config("spark.sql.shuffle.partitions", str(cfg.spark.shuffle_partitions))
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.sql.sources.partitionColumnTypeInference.enabled", "false")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.host", os.environ.get("SPARK_LOCAL_IP", "127.0.0.1"))
        .config("spark.sql.warehouse.dir", cfg.path("runs/spark-warehouse"))
    )
    if cfg.lakehouse.engine == "native":
        builder = (builder
                   .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
                   .config("spark.sql.catalog.spark_catalog",
                           "org.apache.spark.sql.delta.catalog.DeltaCatalog"))
    for key, value in cfg.spark.conf.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark
