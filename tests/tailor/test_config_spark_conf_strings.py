"""spark.conf takes YAML's and the environment's true/false and numbers as the strings Spark
expects; anything else is refused with the key named."""
import pytest

from tailor.config import ConfigError, load_config

REPO = __import__("pathlib").Path(__file__).resolve().parents[2]


def test_booleans_and_numbers_become_spark_strings():
    cfg = load_config(root=REPO, environ={"TAILOR__SPARK__CONF__spark.ui.enabled": "true",
                                          "TAILOR__SPARK__CONF__spark.sql.shuffle.partitions": "16",
                                          "TAILOR__SPARK__CONF__spark.memory.fraction": "0.5",
                                          "TAILOR__SPARK__CONF__spark.app.x": "'kept as is'"})
    conf = cfg.spark.conf
    assert conf["spark.ui.enabled"] == "true"
    assert conf["spark.sql.shuffle.partitions"] == "16"
    assert conf["spark.memory.fraction"] == "0.5"
    assert conf["spark.app.x"] == "kept as is"
    off = load_config(root=REPO, overrides={"spark": {"conf": {"spark.ui.enabled": False}}},
                      environ={})
    assert off.spark.conf["spark.ui.enabled"] == "false"


def test_an_environment_override_keeps_a_spark_keys_case():
    """Spark's settings are camelCase and case-sensitive: spark.eventLog.enabled spelled
    spark.eventlog.enabled is a setting Spark does not know, silently ignored."""
    cfg = load_config(root=REPO, environ={
        "TAILOR__SPARK__CONF__spark.eventLog.enabled": "true",
        "TAILOR__SPARK__CONF__spark.sql.adaptive.coalescePartitions.enabled": "false",
        "TAILOR__SPARK__SHUFFLE_PARTITIONS": "3"})
    assert cfg.spark.conf["spark.eventLog.enabled"] == "true"
    assert cfg.spark.conf["spark.sql.adaptive.coalescePartitions.enabled"] == "false"
    assert "spark.eventlog.enabled" not in cfg.spark.conf
    assert cfg.spark.shuffle_partitions == 3


def test_a_list_is_refused_naming_the_setting():
    with pytest.raises(ConfigError, match="spark.conf.spark.jars"):
        load_config(root=REPO, overrides={"spark": {"conf": {"spark.jars": ["a.jar"]}}},
                    environ={})
