"""What a write says about its rows (``metadata=``) is read back from the commit that wrote them,
through later commits that keep the rows (compaction) and at any earlier version by time travel;
a table written without it says nothing."""

SCHEMA = "person_id string, cutoff string, x double"


def test_a_commits_metadata_is_read_back_through_compaction(spark, lakehouse):
    def write(rows, mode, said=None):
        frame = spark.createDataFrame(rows, SCHEMA)
        return lakehouse.write(frame, "training.scratch", mode=mode, partition_by=["cutoff"],
                               metadata=said).version

    plain = write([("p1", "c1", 1.0)], "overwrite")
    first = write([("p1", "c1", 2.0), ("p2", "c1", 3.0)], "overwrite", {"tailor.sample": "a"})
    for i in range(3):   # small appends, then a compaction that says nothing
        write([(f"q{i}", "c2", float(i))], "append", {"tailor.sample": "b"})
    appended = lakehouse.version("training.scratch")
    assert lakehouse.compact("training.scratch", 64 * 1024 * 1024, min_files=2) is not None
    assert lakehouse.version("training.scratch") > appended

    assert lakehouse.commit_metadata("training.scratch", "tailor.sample") == "b"
    assert lakehouse.commit_metadata("training.scratch", "tailor.sample", first) == "a"
    assert lakehouse.commit_metadata("training.scratch", "tailor.sample", plain) is None
    assert lakehouse.commit_metadata("training.scratch", "tailor.other") is None
