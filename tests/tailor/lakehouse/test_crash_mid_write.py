"""Killing a writer halfway (kill -9 while its files are being written) leaves the last
committed version intact and readable; the orphaned files are invisible."""
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

WRITER = textwrap.dedent("""
    import sys, time
    sys.path.insert(0, {repo!r})
    from tailor.config import load_config
    from tailor.lakehouse import Lakehouse
    from tailor.spark import get_spark
    cfg = load_config(root={repo!r}, overrides={{"paths": {{"lakehouse": {lake!r}}},
                      "spark": {{"master": "local[1]"}}}}, environ={{}})
    spark = get_spark(cfg)
    lh = Lakehouse(cfg, spark)
    lh.write(spark.createDataFrame([(i, "d1") for i in range(100)], "id long, ds string"),
             "gold.t", mode="append", partition_by=[])
    print("COMMITTED", flush=True)

    import tailor.lakehouse.bridge as bridge
    real_writer = bridge.make_file_writer

    def stalled_writer(*args, **kwargs):
        inner = real_writer(*args, **kwargs)

        def write_then_stall(batches):
            for meta in inner(batches):   # the data files are now on disk...
                time.sleep(600)           # ...and the commit never comes: we get killed
                yield meta
        return write_then_stall

    bridge.make_file_writer = stalled_writer
    big = spark.range(0, 10000, numPartitions=1).selectExpr("id", "'d1' as ds")
    print("WRITING", flush=True)
    lh.write(big, "gold.t", mode="overwrite")
""")


def test_kill_during_write_keeps_last_version(tmp_path, spark, lakehouse, wait_until):
    repo = str(Path(__file__).resolve().parents[3])
    lake = lakehouse.root
    script = tmp_path / "writer.py"
    script.write_text(WRITER.format(repo=repo, lake=lake))
    env = {**os.environ, "PYSPARK_PYTHON": sys.executable, "SPARK_LOCAL_IP": "127.0.0.1"}
    proc = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True, env=env, start_new_session=True)
    try:
        seen = []
        while "WRITING" not in seen:   # readline returns "" if the writer dies first
            line = proc.stdout.readline()
            if not line:
                break
            seen.append(line.strip())
        assert "COMMITTED" in seen and "WRITING" in seen, seen
        table_dir = Path(lake) / "gold" / "t"
        # the doomed write has opened its file
        wait_until(lambda: len(list(table_dir.glob("*.parquet"))) >= 2, timeout=60,
                   interval=0.5, what="the doomed write opening its file")
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(30)
    assert len(list(table_dir.glob("*.parquet"))) == 2  # an orphan exists on disk...
    assert lakehouse.version("gold.t") == 0              # ...but no new version was committed
    assert lakehouse.read("gold.t").count() == 100       # and the table reads as committed
    assert lakehouse.read_arrow("gold.t").num_rows == 100
