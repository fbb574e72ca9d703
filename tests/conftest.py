"""Shared fixtures: one SparkSession per test run, a fresh lakehouse per test."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
os.environ.setdefault("MPLBACKEND", "Agg")


def make_config(tmp_path: Path, **sections):
    """A Config rooted at the repo whose writable paths all live under ``tmp_path``."""
    from tailor.config import deep_merge, load_config

    paths = {
        "lakehouse": str(tmp_path / "lakehouse"),
        "landing": str(tmp_path / "landing"),
        "serving": str(tmp_path / "serving"),
        "runs": str(tmp_path / "runs"),
        "mlflow_tracking_uri": f"sqlite:///{tmp_path}/mlflow/mlflow.db",
        "mlflow_artifacts": str(tmp_path / "mlflow" / "artifacts"),
    }
    overrides = deep_merge({"paths": paths, "spark": {"master": "local[2]", "shuffle_partitions": 2}},
                           sections)
    return load_config(env="local", root=REPO_ROOT, overrides=overrides, environ={})


@pytest.fixture(scope="session")
def spark(tmp_path_factory):
    from tailor.spark import get_spark

    cfg = make_config(tmp_path_factory.mktemp("spark"))
    session = get_spark(cfg, app_name="tailor-tests")
    yield session
    session.stop()


@pytest.fixture
def cfg(tmp_path):
    return make_config(tmp_path)


def _wait_until(predicate, timeout: float = 10.0, interval: float = 0.05, what: str = "condition"):
    """Poll ``predicate`` until it returns something truthy (returned). ``timeout`` is a hang
    guard for work another process or thread does, not a speed check: speed is measured in
    bench/, never asserted here."""
    import time

    for _ in range(max(1, int(timeout / interval))):
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    value = predicate()
    if not value:
        pytest.fail(f"{what} never happened (gave up polling after ~{timeout:g}s)")
    return value


@pytest.fixture
def wait_until():
    """``wait_until(predicate, timeout=10, what=...)``: poll until truthy (returned), else fail."""
    return _wait_until


@pytest.fixture
def cfg_with(tmp_path):
    """A factory for a test's config with some sections overridden, e.g.
    ``cfg_with(clock={"mode": "live"})`` (same paths as ``cfg``)."""
    return lambda **sections: make_config(tmp_path, **sections)


@pytest.fixture
def lakehouse(cfg, spark):
    from tailor.lakehouse import Lakehouse

    return Lakehouse(cfg, spark)


def as_table(frame, name: str):
    """``frame`` shaped as table ``name`` of the catalog: declared columns cast to their declared
    types, missing ones null (a fixture states only the columns its test is about), extra
    columns kept where the table allows them (training sets' features)."""
    from pyspark.sql import functions as F

    from tailor.catalog import table

    spec = table(name)
    cols = [(F.col(c.name) if c.name in frame.columns else F.lit(None)).cast(c.type).alias(c.name)
            for c in spec.columns]
    extra = [c for c in frame.columns if c not in spec.column_names] if spec.extra else []
    return frame.select(*cols, *extra)


@pytest.fixture(name="as_table")
def as_table_fixture():
    """:func:`as_table` as a fixture."""
    return as_table
