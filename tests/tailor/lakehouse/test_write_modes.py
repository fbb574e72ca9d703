"""Each write mode does exactly what it promises, and every write returns its version."""
import pytest

from tailor.lakehouse import SchemaMismatchError

SCHEMA = "id long, v string, ds string"


def rows(lakehouse, name, **kw):
    return sorted(tuple(r) for r in lakehouse.read(name, **kw).collect())


def test_append_adds_rows_and_returns_versions(spark, lakehouse):
    r0 = lakehouse.write(spark.createDataFrame([(1, "a", "d1")], SCHEMA), "silver.t",
                         mode="append", partition_by=["ds"])
    r1 = lakehouse.write(spark.createDataFrame([(2, "b", "d2")], SCHEMA), "silver.t", mode="append")
    assert (r0.version, r1.version) == (0, 1)
    assert r1.rows_written == 1
    assert rows(lakehouse, "silver.t") == [(1, "a", "d1"), (2, "b", "d2")]
    assert lakehouse.version("silver.t") == 1


def test_overwrite_partitions_replaces_only_written_days(spark, lakehouse):
    lakehouse.write(spark.createDataFrame([(1, "a", "d1"), (2, "b", "d2")], SCHEMA), "silver.t",
                    mode="append", partition_by=["ds"])
    day1 = spark.createDataFrame([(3, "c", "d1")], SCHEMA)
    first = lakehouse.write(day1, "silver.t", mode="overwrite_partitions")
    rerun = lakehouse.write(day1, "silver.t", mode="overwrite_partitions")
    assert rerun.version == first.version + 1
    assert rows(lakehouse, "silver.t") == [(2, "b", "d2"), (3, "c", "d1")]  # rerun: same rows


def test_overwrite_partitions_clears_named_partition_even_when_empty(spark, lakehouse):
    lakehouse.write(spark.createDataFrame([(1, "a", "d1"), (2, "b", "d2")], SCHEMA), "silver.t",
                    mode="append", partition_by=["ds"])
    empty = spark.createDataFrame([], SCHEMA)
    lakehouse.write(empty, "silver.t", mode="overwrite_partitions", replace_partitions={"ds": "d1"})
    assert rows(lakehouse, "silver.t") == [(2, "b", "d2")]


def test_merge_upserts_on_keys(spark, lakehouse):
    lakehouse.write(spark.createDataFrame([(1, "a", "d1"), (2, "b", "d2")], SCHEMA), "silver.t",
                    mode="append", partition_by=["ds"])
    lakehouse.write(spark.createDataFrame([(1, "A", "d1"), (3, "c", "d3")], SCHEMA), "silver.t",
                    mode="merge", keys=["id"])
    assert rows(lakehouse, "silver.t") == [(1, "A", "d1"), (2, "b", "d2"), (3, "c", "d3")]


def test_insert_only_merge_keeps_existing_and_is_a_noop_on_rerun(spark, lakehouse):
    lakehouse.write(spark.createDataFrame([(1, "a", "d1")], SCHEMA), "bronze.t",
                    mode="merge", keys=["id"], partition_by=["ds"])
    batch = spark.createDataFrame([(1, "changed", "d1"), (2, "b", "d1")], SCHEMA)
    first = lakehouse.write(batch, "bronze.t", mode="merge", keys=["id"], when_matched="ignore")
    again = lakehouse.write(batch, "bronze.t", mode="merge", keys=["id"], when_matched="ignore")
    assert rows(lakehouse, "bronze.t") == [(1, "a", "d1"), (2, "b", "d1")]
    assert again.version == first.version and again.files_added == 0


def test_overwrite_replaces_table_and_schema(spark, lakehouse):
    lakehouse.write(spark.createDataFrame([(1, "a", "d1")], SCHEMA), "gold.t", mode="append",
                    partition_by=["ds"])
    lakehouse.write(spark.createDataFrame([(1.5, "d9")], "score double, ds string"), "gold.t",
                    mode="overwrite")
    assert rows(lakehouse, "gold.t") == [(1.5, "d9")]


def test_append_with_other_schema_is_refused_with_a_clear_error(spark, lakehouse):
    lakehouse.write(spark.createDataFrame([(1, "a", "d1")], SCHEMA), "gold.t", mode="append",
                    partition_by=["ds"])
    with pytest.raises(SchemaMismatchError, match="mode='overwrite'"):
        lakehouse.write(spark.createDataFrame([(1, 2, "d1")], "id long, v long, ds string"),
                        "gold.t", mode="append")
    assert lakehouse.version("gold.t") == 0


def test_merge_of_rows_said_unique_skips_the_dedupe(spark, lakehouse):
    """A merge keeps one row per key of its input unless the caller says the keys are unique
    (bronze ingest, whose new rows are unique by construction): then the rows go in as given."""
    lakehouse.write(spark.createDataFrame([(1, "a", "d1")], SCHEMA), "bronze.t",
                    mode="merge", keys=["id"], partition_by=["ds"])
    batch = spark.createDataFrame([(1, "changed", "d1"), (2, "b", "d1"), (2, "b", "d1")], SCHEMA)
    lakehouse.write(batch, "bronze.t", mode="merge", keys=["id"], when_matched="ignore")
    assert rows(lakehouse, "bronze.t") == [(1, "a", "d1"), (2, "b", "d1")]
    unique = spark.createDataFrame([(1, "changed", "d1"), (3, "c", "d2")], SCHEMA)
    lakehouse.write(unique, "bronze.t", mode="merge", keys=["id"], when_matched="ignore",
                    unique_keys=True)
    assert rows(lakehouse, "bronze.t") == [(1, "a", "d1"), (2, "b", "d1"), (3, "c", "d2")]
    lakehouse.write(spark.createDataFrame([(4, "d", "d1"), (4, "d", "d1")], SCHEMA), "bronze.n",
                    mode="merge", keys=["id"], partition_by=["ds"], unique_keys=True)
    assert rows(lakehouse, "bronze.n") == [(4, "d", "d1"), (4, "d", "d1")]  # taken at its word
