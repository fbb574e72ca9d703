"""The class archive: found only for the JDK and jars it was made from, put in front of the
user's driver options, checked by a real JVM before use — and mapped by the JVMs Tailor starts."""
from __future__ import annotations

import os

import pytest

from tailor import spark_classes
from tailor.spark_classes import DRIVER_OPTIONS, ClassArchiveError


def _install(tmp_path):
    home, java = tmp_path / "pyspark", tmp_path / "java"
    (home / "jars").mkdir(parents=True)
    for name in ("spark-core.jar", "scala-library.jar"):
        (home / "jars" / name).write_bytes(b"x" * 10)
    java.write_bytes(b"jvm")
    return home, java


def test_the_archive_name_follows_the_jars_and_the_jvm(tmp_path):
    home, java = _install(tmp_path)
    first = spark_classes.archive_path(home, java, tmp_path / "var")
    assert first == spark_classes.archive_path(home, java, tmp_path / "var")   # stable
    jar = home / "jars" / "spark-core.jar"
    os.utime(jar, ns=(jar.stat().st_atime_ns, jar.stat().st_mtime_ns + 10**9))
    touched = spark_classes.archive_path(home, java, tmp_path / "var")
    assert touched != first                       # the JVM would refuse it: another name
    (home / "jars" / "delta.jar").write_bytes(b"y")
    added = spark_classes.archive_path(home, java, tmp_path / "var")
    java.write_bytes(b"another jvm")
    assert len({first, touched, added, spark_classes.archive_path(home, java, tmp_path / "var")}) == 4
    assert first.name.startswith(spark_classes.PREFIX) and first.suffix == ".jsa"


def test_options_only_for_an_archive_that_exists_and_is_wanted(tmp_path, cfg):
    archive = tmp_path / "spark-classes-0123.jsa"
    assert spark_classes.java_options(cfg, archive) == []           # not built
    archive.write_bytes(b"...")
    assert spark_classes.java_options(cfg, archive) == [f"-XX:SharedArchiveFile={archive}"]
    off = cfg.model_copy(update={"spark": cfg.spark.model_copy(update={"class_archive": False})})
    assert spark_classes.java_options(off, archive) == []


def test_the_users_driver_options_come_after_ours():
    conf = {DRIVER_OPTIONS: "-XX:+UseParallelGC", "spark.x": "1"}
    merged = spark_classes.with_java_options(conf, ["-XX:SharedArchiveFile=/a.jsa"])
    assert merged == {DRIVER_OPTIONS: "-XX:SharedArchiveFile=/a.jsa -XX:+UseParallelGC",
                      "spark.x": "1"}
    assert spark_classes.with_java_options(conf, []) is conf
    assert spark_classes.with_java_options({}, ["-Xa"]) == {DRIVER_OPTIONS: "-Xa"}


def test_session_settings_carry_the_archive(tmp_path, monkeypatch):
    from tailor.spark import session_conf
    from tests.conftest import make_config

    archive = tmp_path / "a.jsa"
    archive.write_bytes(b"...")
    monkeypatch.setattr(spark_classes, "archive_path", lambda: archive)
    cfg = make_config(tmp_path, spark={"conf": {DRIVER_OPTIONS: "-Dmine=1"}})
    assert session_conf(cfg)[DRIVER_OPTIONS] == f"-XX:SharedArchiveFile={archive} -Dmine=1"
    monkeypatch.setattr(spark_classes, "archive_path", lambda: tmp_path / "missing.jsa")
    assert session_conf(cfg)[DRIVER_OPTIONS] == "-Dmine=1"


def test_a_broken_archive_is_refused_by_the_check(tmp_path):
    """A truncated archive crashes the JVM that maps it (SIGBUS), so build() checks the file
    with -Xshare:on through spark-submit before moving it into place."""
    junk = tmp_path / "junk.jsa"
    junk.write_bytes(os.urandom(100_000))
    with pytest.raises(ClassArchiveError, match="cannot use the class archive"):
        spark_classes.check(junk)


def test_the_installed_archive_is_mapped_by_spark(spark):
    """`make install` builds the archive; the JVM accepts it, and the test run's own Spark
    (started like a job's) was started with it."""
    archive = spark_classes.archive_path()
    assert archive is not None and archive.is_file(), (
        "no class archive for this Java and Spark: `make install` (or `tailor spark archive`) "
        "builds it")
    spark_classes.check(archive)
    jvm = spark.sparkContext._jvm
    args = list(jvm.java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments())
    assert f"-XX:SharedArchiveFile={archive}" in args
