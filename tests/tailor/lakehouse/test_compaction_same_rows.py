"""Compaction (delta-rs optimize.compact) of a table the bridge appended to in many small
writes, as the nearline DAG does: fewer files, and every reader — Spark through the bridge, Arrow
through delta-rs — returns the same rows as before, partition values and types included. A
second compaction has nothing to do and commits nothing."""
from datetime import datetime, timezone

TS = datetime(2026, 10, 1, 12, tzinfo=timezone.utc)
SCHEMA = "event_id string, ts timestamp, price double, items array<string>, event_date string"


def _rows(spark_df):
    return sorted((tuple(r) for r in spark_df.collect()), key=repr)


def test_small_appends_compacted_read_the_same(spark, lakehouse):
    for batch in range(12):   # twelve nearline micro-batches, each a file per day
        rows = [(f"e{batch}-{i}", TS, float(batch + i) if i else None, [f"i{batch}"] * i,
                 f"2026-10-0{1 + i % 2}") for i in range(4)]
        lakehouse.write(spark.createDataFrame(rows, SCHEMA), "bronze.scratch", mode="append",
                        partition_by=["event_date"])
    before_stats = lakehouse.file_stats("bronze.scratch")
    spark_before = _rows(lakehouse.read("bronze.scratch"))
    arrow_before = sorted(lakehouse.read_arrow("bronze.scratch").to_pylist(), key=repr)

    result = lakehouse.compact("bronze.scratch", target_bytes=64 * 1024 * 1024, min_files=10)

    after_stats = lakehouse.file_stats("bronze.scratch")
    assert result is not None and result.files_removed == before_stats.live_files == 24
    assert after_stats.live_files == 2 < before_stats.live_files      # one file per day
    assert _rows(lakehouse.read("bronze.scratch")) == spark_before
    assert sorted(lakehouse.read_arrow("bronze.scratch").to_pylist(), key=repr) == arrow_before
    assert len(spark_before) == 48
    # time travel to before the compaction still reads the small files
    assert _rows(lakehouse.read("bronze.scratch", version=before_stats.version)) == spark_before

    assert lakehouse.compact("bronze.scratch", 64 * 1024 * 1024, 10) is None
    assert lakehouse.version("bronze.scratch") == after_stats.version


def test_partitions_below_min_files_are_left_alone(lakehouse):
    import pyarrow as pa

    for i in range(5):
        lakehouse.write_arrow(pa.table({"id": [i], "ds": ["d1"]}), "ops.scratch",
                              mode="append", partition_by=["ds"])
    assert lakehouse.compact("ops.scratch", 64 * 1024 * 1024, min_files=6) is None
    assert lakehouse.file_stats("ops.scratch").live_files == 5
