"""``cluster=False`` writes each task's rows where they are: the same rows as a clustered write,
in a file per partition value per task (the clustered write shuffles each value to one task)."""
SCHEMA = "id long, v string, ds string"


def test_unclustered_write_keeps_the_rows_and_skips_the_shuffle(spark, lakehouse):
    rows = [(i, f"v{i}", f"d{i % 2}") for i in range(40)]
    frame = spark.createDataFrame(rows, SCHEMA).repartition(3)     # every task holds both days
    clustered = lakehouse.write(frame, "silver.c", mode="overwrite", partition_by=["ds"])
    loose = lakehouse.write(frame, "silver.u", mode="overwrite", partition_by=["ds"],
                            cluster=False)
    for name in ("silver.c", "silver.u"):
        assert sorted(tuple(r) for r in lakehouse.read(name).collect()) == sorted(rows)
    assert clustered.files_added == 2
    assert loose.files_added == 6
    assert clustered.rows_written == loose.rows_written == 40
