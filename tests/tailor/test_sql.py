"""``tailor sql`` answers from each table's latest committed snapshot (or the version asked for):
the live files only (rows an overwrite replaced are gone), partition values as the log records
them, filters on partition columns and plain columns both correct; an unknown table or version
is a clear error."""
import pytest

from tailor.sql import query

SCHEMA = "id long, v string, amount double, ds string"


def test_sql_reads_the_latest_snapshot_with_partitions(spark, lakehouse, cfg):
    lakehouse.write(spark.createDataFrame([(1, "a", 1.0, "2026-10-01"), (2, "b", 2.0, "2026-10-02")],
                                          SCHEMA), "gold.t", mode="append", partition_by=["ds"])
    lakehouse.write(spark.createDataFrame([(3, "c", 3.0, "2026-10-01")], SCHEMA), "gold.t",
                    mode="overwrite_partitions")
    everything = query(cfg, "SELECT id, v, amount, ds FROM gold.t ORDER BY id")
    assert everything.values.tolist() == [[2, "b", 2.0, "2026-10-02"], [3, "c", 3.0, "2026-10-01"]]
    one_day = query(cfg, "SELECT count(*) n, sum(amount) s FROM gold.t WHERE ds = '2026-10-01'")
    assert one_day.values.tolist() == [[1, 3.0]]
    by_value = query(cfg, "SELECT ds FROM gold.t WHERE amount > 2.5")
    assert by_value["ds"].tolist() == ["2026-10-01"]


def test_sql_time_travel_reads_an_earlier_version(spark, lakehouse, cfg):
    lakehouse.write(spark.createDataFrame([(1, "a", 1.0, "d")], SCHEMA), "gold.t", mode="append")
    lakehouse.write(spark.createDataFrame([(2, "b", 2.0, "d")], SCHEMA), "gold.t", mode="append")
    sql = "SELECT count(*) n FROM gold.t"
    assert query(cfg, sql)["n"].tolist() == [2]
    assert query(cfg, sql, as_of={"gold.t": 0})["n"].tolist() == [1]
    with pytest.raises(ValueError, match="versions 0..1"):
        query(cfg, sql, as_of={"gold.t": 7})


def test_sql_names_the_known_tables_when_one_is_missing(spark, lakehouse, cfg):
    lakehouse.write(spark.createDataFrame([(1, "a", 1.0, "d")], SCHEMA), "gold.t", mode="append")
    with pytest.raises(ValueError, match="no table gold.nope .*gold.t"):
        query(cfg, "SELECT * FROM gold.nope")
