"""Every write of a declared table is checked against the catalog: a missing column, a wrong type
or an undeclared column is refused before anything is committed; a conforming frame is written."""
import pytest

from tailor.catalog import table
from tailor.lakehouse import Lakehouse, SchemaMismatchError


def _quality_rows(spark, **types):
    """An empty ops.quality frame with some column types changed."""
    cols = table("ops.quality").columns
    return spark.createDataFrame([], ", ".join(f"{c.name} {types.get(c.name, c.type)}" for c in cols))


def test_conforming_frame_is_written(spark, cfg):
    lh = Lakehouse(cfg, spark)
    result = lh.write(spark.createDataFrame([], table("ops.quality").ddl), "ops.quality",
                      mode="append", partition_by=["ds"])
    assert result.version == 0


def test_wrong_type_is_refused(spark, cfg):
    lh = Lakehouse(cfg, spark)
    with pytest.raises(SchemaMismatchError, match="count is int, declared bigint"):
        lh.write(_quality_rows(spark, count="int"), "ops.quality", mode="append")
    assert not lh.exists("ops.quality")


def test_missing_and_undeclared_columns_are_refused(spark, cfg):
    lh = Lakehouse(cfg, spark)
    frame = spark.createDataFrame([], table("ops.quality").ddl).drop("share").withColumnRenamed(
        "reason", "why")
    with pytest.raises(SchemaMismatchError) as err:
        lh.write(frame, "ops.quality", mode="append")
    assert "share" in str(err.value) and "why" in str(err.value)
