"""Configuration: base + overlay + environment, typed, with errors that name the problem."""
import pytest

from tailor.config import ConfigError, load_config

REPO = __import__("pathlib").Path(__file__).resolve().parents[2]


def test_overlay_and_environment_override():
    local = load_config(env="local", root=REPO, environ={})
    assert local.spark.master == "local[2]" and local.lakehouse.engine == "bridge"
    cluster = load_config(env="cluster", root=REPO, environ={})
    assert cluster.lakehouse.engine == "native" and cluster.lakehouse_root.startswith("s3://")
    env = load_config(root=REPO, environ={"TAILOR__POLICY__EPSILON": "0.25",
                                          "TAILOR__PATHS__LAKEHOUSE": "/data/lh"})
    assert env.policy.epsilon == 0.25 and env.lakehouse_root == "/data/lh"


def test_relative_paths_hang_off_the_project_root():
    cfg = load_config(root=REPO, environ={})
    assert cfg.lakehouse_root == str(REPO / "lakehouse")
    assert cfg.mlflow_tracking_uri == f"sqlite:///{REPO}/mlflow/mlflow.db"


def test_unknown_key_and_unknown_env_fail_clearly():
    with pytest.raises(ConfigError, match="epsilonn"):
        load_config(root=REPO, environ={"TAILOR__POLICY__EPSILONN": "1"})
    with pytest.raises(ConfigError, match="staging.yaml"):
        load_config(env="staging", root=REPO, environ={})


def test_an_overlay_may_extend_another():
    """conf/standalone.yaml builds on local.yaml: local's settings stay, its own win."""
    from tailor.config import load_config

    cfg = load_config(env="standalone", environ={})
    assert cfg.spark.master == "spark://127.0.0.1:7077"
    assert cfg.clock.mode == "replay" and cfg.lakehouse.engine == "bridge"   # from local.yaml
    assert cfg.spark.conf["spark.cores.max"] == "2"


def test_parallel_airflow_tasks_need_a_server_metadata_db():
    """airflow.executor 'local' on SQLite is refused at load time, saying what to set."""
    from tailor.config import ConfigError, load_config

    with pytest.raises((ConfigError, ValueError), match="metadata_db"):
        load_config(environ={"TAILOR__AIRFLOW__EXECUTOR": "local"})
    cfg = load_config(env="standalone", environ={})
    assert cfg.airflow.executor == "local" and cfg.airflow.metadata_db.startswith("postgresql")
