"""Suspect event ids are found on a 64-bit hash of the id (an aggregation over longs): a hash
two ids share only adds a suspect, which ranks alone, so the statuses are those of comparing
the ids — even when every id collides with another."""
from pyspark.sql import functions as F

from tailor.ingestion import bronze
from tailor.ingestion.bronze import BRONZE_COLUMNS, suspect_ids, tag_duplicates
from tests.support.bronze_rows import T0, T1, bronze_rows

EXPECTED = sorted([
    ("b1", "I1", "f1", "duplicate"), ("b2", "I9", "f1", "conflict"),
    ("r1", "I3", "f1", "new"), ("r1", "I3", "f2", "duplicate"),
    ("r2", "I4", "f1", "new"), ("r2", "I5", "f1", "conflict"),
    ("n1", "I6", "f1", "new"), ("n2", "I7", "f2", "new"), ("n33", "I8", "f2", "new")])


def _statuses(lakehouse, rows):
    out = tag_duplicates(lakehouse, rows, suspect_ids(lakehouse, rows), broadcast=True)
    return sorted((r.event_id, r.item_id, r.landing_file, r._status) for r in out.collect())


def test_colliding_hashes_change_no_status(spark, lakehouse, monkeypatch):
    first = bronze_rows(spark, [("b1", "I1", "f0", T0), ("b2", "I2", "f0", T0), ("x9", "I0", "f0", T0)])
    lakehouse.write(first.select(*BRONZE_COLUMNS), "bronze.events", mode="merge",
                    keys=["event_id"], partition_by=["event_date"], when_matched="ignore")
    rows = bronze_rows(spark, [
        ("b1", "I1", "f1", T1), ("b2", "I9", "f1", T1),
        ("r1", "I3", "f1", T1), ("r1", "I3", "f2", T1),
        ("r2", "I4", "f1", T0), ("r2", "I5", "f1", T1),
        ("n1", "I6", "f1", T1), ("n2", "I7", "f2", T1), ("n33", "I8", "f2", T1)])
    assert sorted(r.event_id for r in suspect_ids(lakehouse, rows).collect()) == \
        ["b1", "b2", "r1", "r2"]
    assert _statuses(lakehouse, rows) == EXPECTED

    # the id's length as its "hash": n1, n2 collide with each other and with bronze's x9, and
    # n33 with nothing but itself; all but n33 become suspects, no status changes
    monkeypatch.setattr(bronze, "_id_hash", lambda: F.length("event_id").cast("long").alias("_h"))
    assert sorted(r.event_id for r in suspect_ids(lakehouse, rows).collect()) == \
        ["b1", "b2", "n1", "n2", "r1", "r2"]
    assert _statuses(lakehouse, rows) == EXPECTED
