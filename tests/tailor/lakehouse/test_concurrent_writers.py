"""Two writers race on one table: one commits, the other gets a clear conflict error, and the
table stays readable at the winner's version."""
import threading
import time

from tailor.lakehouse import TableConflictError

SCHEMA = "id long, ds string"


def slow_rows(spark, value, seconds):
    """A frame whose single task sleeps first, so its writer commits late."""
    def gen(batches):
        time.sleep(seconds)
        yield from batches

    return spark.createDataFrame([(value, "d1")], SCHEMA).repartition(1).mapInArrow(gen, SCHEMA)


def test_racing_overwrites_one_wins_one_conflicts(spark, lakehouse):
    lakehouse.write(spark.createDataFrame([(0, "d1")], SCHEMA), "gold.t", mode="append",
                    partition_by=["ds"])
    errors, results = [], []

    def slow_writer():
        try:
            results.append(lakehouse.write(slow_rows(spark, 1, 6), "gold.t", mode="overwrite_partitions"))
        except TableConflictError as exc:
            errors.append(exc)

    t = threading.Thread(target=slow_writer)
    t.start()
    time.sleep(1.5)  # the slow writer has read version 0 and is writing its files
    fast = lakehouse.write(spark.createDataFrame([(2, "d1")], SCHEMA), "gold.t",
                           mode="overwrite_partitions")
    t.join(60)
    assert fast.version == 1
    assert len(errors) == 1 and not results
    assert "conflicted with a concurrent commit" in str(errors[0])
    assert lakehouse.version("gold.t") == 1
    assert [r.id for r in lakehouse.read("gold.t").collect()] == [2]


def test_racing_creates_one_wins(spark, lakehouse):
    errors = []

    def create(value, delay):
        try:
            lakehouse.write(slow_rows(spark, value, delay), "gold.new", mode="append", partition_by=["ds"])
        except TableConflictError as exc:
            errors.append(exc)

    threads = [threading.Thread(target=create, args=(v, 3)) for v in (1, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    # Both saw "no table"; exactly one create can win (the loser is told to rerun).
    assert len(errors) <= 1
    assert lakehouse.read("gold.new").count() == 2 - len(errors)
