"""Additive schema evolution: a table written before the catalog declared a column (bronze and
silver events before ``order_id``) gains it, nullable, on its next write — old rows read null,
new rows keep their value, merges on the evolved table work — and any other difference from the
catalog still refuses the write."""
import pytest

from tailor.catalog import table
from tailor.lakehouse import SchemaMismatchError

NAME = "silver.events"


def _frame(spark, event_id, columns):
    """One silver.events row with only ``event_id`` set among ``columns`` (typed as declared)."""
    from pyspark.sql import functions as F

    base = spark.createDataFrame([(event_id,)], "event_id string")
    return base.select(*[(F.col(c.name) if c.name == "event_id" else F.lit(None))
                         .cast(c.type).alias(c.name) for c in table(NAME).columns
                         if c.name in columns])


def _old_columns():
    return [c for c in table(NAME).column_names if c != "order_id"]


def test_old_table_gains_the_declared_column(spark, lakehouse):
    from pyspark.sql import functions as F

    old = _frame(spark, "e1", _old_columns()).withColumn("event_date", F.lit("2026-09-01"))
    lakehouse.engine.write(old, lakehouse.uri(NAME), "append", partition_by=["event_date"])
    assert "order_id" not in lakehouse.read(NAME).columns

    new = (_frame(spark, "e2", table(NAME).column_names)
           .withColumn("event_date", F.lit("2026-09-02")).withColumn("order_id", F.lit("o-9")))
    lakehouse.write(new, NAME, mode="merge", keys=["event_id"])

    got = {r.event_id: r.order_id for r in lakehouse.read(NAME).collect()}
    assert got == {"e1": None, "e2": "o-9"}
    assert lakehouse.read(NAME).columns == table(NAME).column_names
    again = lakehouse.write(new, NAME, mode="merge", keys=["event_id"], when_matched="ignore")
    assert {r.event_id for r in lakehouse.read(NAME, version=again.version).collect()} == {"e1", "e2"}


def test_other_differences_still_refuse(spark, lakehouse):
    from pyspark.sql import functions as F

    new = _frame(spark, "e1", table(NAME).column_names).withColumn("extra", F.lit(1))
    with pytest.raises(SchemaMismatchError, match="catalog"):
        lakehouse.write(new, NAME, mode="append", partition_by=["event_date"])
