"""Reads resolve a snapshot: any committed version, pruned to partitions, Spark or Arrow."""


def test_read_old_version_and_partition(spark, lakehouse):
    schema = "id long, ds string"
    lakehouse.write(spark.createDataFrame([(1, "d1"), (2, "d2")], schema), "silver.t",
                    mode="append", partition_by=["ds"])
    lakehouse.write(spark.createDataFrame([(9, "d1")], schema), "silver.t", mode="overwrite_partitions")
    assert sorted(r.id for r in lakehouse.read("silver.t", version=0).collect()) == [1, 2]
    assert sorted(r.id for r in lakehouse.read("silver.t").collect()) == [2, 9]
    assert [r.id for r in lakehouse.read("silver.t", partitions={"ds": "d2"}).collect()] == [2]
    history = lakehouse.history("silver.t")
    assert [h["version"] for h in history] == [1, 0]
    assert lakehouse.count("silver.t") == 2 and lakehouse.count("silver.t", version=0) == 2
    assert lakehouse.count("silver.t", partitions={"ds": "d1"}) == 1
    assert history[0]["tailor.mode"] == "overwrite_partitions"


def test_arrow_read_matches_spark_read(spark, lakehouse):
    df = spark.createDataFrame([(1, [0.5, 1.0], "d1"), (2, [], "d2")], "id long, xs array<double>, ds string")
    lakehouse.write(df, "gold.t", mode="append", partition_by=["ds"])
    arrow = lakehouse.read_arrow("gold.t").sort_by("id").to_pylist()
    spark_rows = [r.asDict() for r in lakehouse.read("gold.t").orderBy("id").collect()]
    assert arrow == spark_rows
    assert lakehouse.read_arrow("gold.t", partitions={"ds": "d2"}).num_rows == 1


def test_empty_snapshot_reads_as_empty_frame_with_schema(spark, lakehouse):
    schema = "id long, ds string"
    lakehouse.write(spark.createDataFrame([(1, "d1")], schema), "silver.t", mode="append",
                    partition_by=["ds"])
    df = lakehouse.read("silver.t", partitions={"ds": "nope"})
    assert df.count() == 0 and df.columns == ["id", "ds"]
