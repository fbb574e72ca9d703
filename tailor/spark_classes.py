"""Class-data sharing for the Spark JVMs Tailor starts: Spark's classes mapped from one archive.

A new Spark JVM loads, parses and verifies some 25,000 classes from its jars as its first queries
need them. On the default world that is 12-13 CPU-s of class loading in the first job of a run
(``sun.cls.time`` of the Connect server after a cold ``features`` job), and 5.1 s for the Connect
server to start. The JDK's application class-data sharing (AppCDS, JDK 13+) keeps those classes
parsed and verified in one archive that the JVM maps at start instead: with it, the server starts
in 3.6 s and the same job's class loading takes 4.4 s (bench/README.md, 2026-12-07).

- :func:`build` makes the archive once per JDK and Spark installation (``tailor spark archive``;
  ``make install`` runs it): a Spark Connect server started with ``-XX:ArchiveClassesAtExit``
  runs :func:`exercise` (the kinds of queries the jobs run), and the JVM writes the classes it
  loaded when it exits. The file is checked with ``-Xshare:on`` before it is kept, so a broken
  one (a truncated archive crashes the JVM that maps it) is never used.
- :func:`java_options` is what :func:`tailor.spark.session_conf` adds to the driver's JVM
  (the Connect server's, or a job's own Spark): ``-XX:SharedArchiveFile=<archive>`` when the
  archive of this JDK and these jars exists and ``spark.class_archive`` is on; nothing otherwise.

The archive's name carries a fingerprint of the ``java`` binary and of every jar of the Spark
installation (name, size, modification time), which is what the JVM checks it against: after an
upgrade of either, the old archive is simply not found, and ``tailor spark archive`` makes the
new one (and removes the old). It lives beside the installation it belongs to, in
``<python environment>/var/tailor/`` (about 200 MB). Classes generated for queries at run time
(Spark's whole-stage code) are not in it: only the classes of the jars.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from tailor.spark import spark_home

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

    from tailor.config import Config

DRIVER_OPTIONS = "spark.driver.extraJavaOptions"
PREFIX = "spark-classes-"


class ClassArchiveError(RuntimeError):
    """The archive could not be built or failed its check (the message says why)."""


def java_binary() -> Path | None:
    """The ``java`` that ``spark-submit`` runs: ``$JAVA_HOME/bin/java``, else the one on PATH."""
    home = os.environ.get("JAVA_HOME")
    found = str(Path(home, "bin", "java")) if home else shutil.which("java")
    return Path(found).resolve() if found and Path(found).exists() else None


def fingerprint(home: Path, java: Path) -> str:
    """What the archive is valid for: the JVM binary and the installation's jars (name, size,
    modification time: the JVM refuses an archive whose class path files changed)."""
    h = hashlib.sha256()
    for path in [java, *sorted((home / "jars").glob("*.jar"))]:
        st = path.stat()
        h.update(f"{path}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()[:16]


def archive_dir() -> Path:
    """Where archives live: beside the Python environment (and so the pyspark) they belong to."""
    return Path(sys.prefix, "var", "tailor")


def archive_path(home: Path | None = None, java: Path | None = None,
                 directory: Path | None = None) -> Path | None:
    """The archive this JDK and Spark installation would use (None without a ``java``)."""
    java = java or java_binary()
    if java is None:
        return None
    home = home or spark_home()
    return (directory or archive_dir()) / f"{PREFIX}{fingerprint(home, java)}.jsa"


def in_use(cfg: Config, path: Path | None = None) -> Path | None:
    """The archive the JVMs Tailor starts map: None when ``spark.class_archive`` is off or
    there is no archive for this JDK and these jars (``tailor spark archive`` makes it)."""
    if not cfg.spark.class_archive:
        return None
    path = path or archive_path()
    return path if path is not None and path.is_file() else None


def java_options(cfg: Config, path: Path | None = None) -> list[str]:
    """The driver JVM options that map the archive :func:`in_use` (none without one)."""
    archive = in_use(cfg, path)
    return [f"-XX:SharedArchiveFile={archive}"] if archive else []


def with_java_options(conf: dict[str, str], options: list[str]) -> dict[str, str]:
    """``conf`` with ``options`` in front of its driver JVM options (the user's keep the last
    word: a later JVM option overrides an earlier one)."""
    if not options:
        return conf
    mine = " ".join(options)
    theirs = conf.get(DRIVER_OPTIONS, "").strip()
    return {**conf, DRIVER_OPTIONS: f"{mine} {theirs}".strip()}


# ---------------------------------------------------------------------------------- building

def exercise(spark: SparkSession, work: Path) -> None:
    """A few small queries of every kind the jobs run — Arrow in and out, Parquet written and
    read, broadcast and sort-merge joins, windows, aggregates, explode, anti/semi joins, a
    Python UDF over Arrow batches, checkpoint, cache — so the JVM loads the classes they need."""
    import pandas as pd
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    n = 20_000
    pdf = pd.DataFrame({
        "id": range(n), "user": [f"u{i % 500}" for i in range(n)],
        "ts": pd.date_range("2026-01-01", periods=n, freq="min", tz="UTC"),
        "amount": [float(i % 97) for i in range(n)],
        "kind": [("view", "buy", "cart")[i % 3] for i in range(n)],
        "items": [[f"i{i % 40}", f"i{(i * 7) % 40}"] for i in range(n)]})
    spark.createDataFrame(pdf).write.mode("overwrite").partitionBy("kind").parquet(str(work / "ev"))
    ev = spark.read.parquet(str(work / "ev")).withColumn("day", F.to_date("ts"))
    users = ev.select("user").distinct().withColumn("seg", F.sha1("user"))
    w = Window.partitionBy("user").orderBy("ts")
    (ev.join(F.broadcast(users), "user").join(users.hint("merge"), "user", "left")
     .withColumn("rn", F.row_number().over(w)).withColumn("prev", F.lag("ts").over(w))
     .withColumn("run", F.sum("amount").over(w.rowsBetween(Window.unboundedPreceding, 0)))
     .withColumn("item", F.explode("items"))
     .groupBy("user", "day", "kind")
     .agg(F.count("*"), F.sum("amount"), F.avg("amount"), F.max("ts"), F.min("ts"),
          F.countDistinct("item"), F.collect_list("item"), F.collect_set("kind"),
          F.percentile_approx("amount", 0.5), F.stddev("amount"), F.first("prev"),
          F.max_by("item", "amount"),
          F.sum(F.when(F.col("kind") == "buy", 1).otherwise(0)))
     .toArrow())

    def same(batches):
        yield from batches

    ev.mapInArrow(same, ev.schema).where("amount > 3").groupBy("kind").count().toPandas()
    (ev.select("user", "amount").unionByName(ev.select("user", "amount"))
     .dropDuplicates(["user"]).orderBy("user").limit(10).collect())
    sums = ev.groupBy("user").agg(F.sum("amount").alias("s")).localCheckpoint()
    sums.join(ev, "user", "left_anti").count()
    sums.join(ev, "user", "left_semi").count()
    (ev.withColumn("d", F.datediff(F.current_date(), "day")).withColumn("h", F.hour("ts"))
     .select(F.array_sort(F.array("amount")), F.transform("items", lambda x: F.upper(x)),
             F.from_json(F.lit('{"a":1}'), "a int"), F.to_json(F.struct("user")),
             F.concat_ws("-", "user", "kind"), "d", "h")
     .toArrow())
    ev.cache().count()
    ev.unpersist()
    (ev.repartition(4, "user").sortWithinPartitions("ts")
     .write.mode("overwrite").parquet(str(work / "out")))
    ev.approxQuantile("amount", [0.5], 0.01)


@dataclass(frozen=True)
class Built:
    path: Path
    new: bool                      # False: the current archive was there already
    seconds: float
    size_mb: float
    removed: tuple[str, ...]       # older archives of this directory, replaced


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def check(path: Path, spark_submit: Path | None = None, timeout_s: float = 120) -> None:
    """Raise unless a Spark driver JVM maps ``path`` (``-Xshare:on``: a JVM that cannot use the
    archive fails instead of running without it). The same launcher and class path as the
    server's: ``spark-submit --version`` with the archive."""
    submit = spark_submit or spark_home() / "bin" / "spark-submit"
    out = subprocess.run([str(submit), "--conf", f"{DRIVER_OPTIONS}=-Xshare:on "
                          f"-XX:SharedArchiveFile={path}", "--version"],
                         capture_output=True, text=True, timeout=timeout_s)
    if out.returncode != 0:
        tail = (out.stdout + out.stderr).strip().splitlines()[-3:]
        raise ClassArchiveError(f"the JVM cannot use the class archive {path}: "
                                + " / ".join(tail))


def build(cfg: Config, force: bool = False, say: Callable[[str], None] = print) -> Built:
    """Make the archive of this JDK and Spark installation (no-op if it exists, unless
    ``force``): a Connect server on a free port archives the classes :func:`exercise` made it
    load, at its exit; checked, then moved into place whole."""
    from tailor import spark_connect
    from tailor.daemons import launch, terminate

    path = archive_path()
    if path is None:
        raise ClassArchiveError("no java found (JAVA_HOME or PATH): Spark needs Java 17+")
    if path.is_file() and not force:
        return Built(path, False, 0.0, round(path.stat().st_size / 2**20, 1), ())
    say("building the class archive of this Java and Spark (about a minute)")
    started = time.monotonic()
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="tailor-classes-") as tmp:
        work = Path(tmp)
        dump = work / "classes.jsa"
        port = _free_port()
        no_archive = cfg.model_copy(update={"spark": cfg.spark.model_copy(
            update={"class_archive": False})})
        conf = with_java_options(spark_connect.server_conf(no_archive, port),
                                 [f"-XX:ArchiveClassesAtExit={dump}"])
        log = work / "server.log"
        say(f"  a Spark Connect server on port {port} archiving the classes it loads")
        proc = launch(spark_connect.command(no_archive, conf), log,
                      spark_connect.server_env(cfg))
        try:
            spark_connect.wait_accepting(proc, port, cfg.spark.connect.start_timeout_s, log)
            from pyspark.sql import SparkSession

            session = SparkSession.builder.remote(f"sc://{spark_connect.HOST}:{port}").getOrCreate()
            say("  running a workload of every kind of query the jobs run")
            exercise(session, work)
            session.stop()
        except BaseException:
            terminate([proc.pid])
            raise
        say("  stopping it: the JVM writes the archive as it exits")
        terminate([proc.pid], grace_s=300)
        if not dump.is_file() or dump.stat().st_size == 0:
            raise ClassArchiveError(f"the JVM wrote no archive at exit; its log: "
                                    f"{(log.read_text(errors='replace')[-1500:])}")
        check(dump)
        tmp_path = path.with_suffix(".tmp")
        shutil.move(str(dump), tmp_path)
        tmp_path.replace(path)
    removed = tuple(sorted(p.name for p in path.parent.glob(f"{PREFIX}*.jsa") if p != path))
    for name in removed:
        (path.parent / name).unlink(missing_ok=True)
    return Built(path, True, round(time.monotonic() - started, 1),
                 round(path.stat().st_size / 2**20, 1), removed)
