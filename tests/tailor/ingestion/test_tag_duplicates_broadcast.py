"""Tagging duplicates gives the same statuses whether the suspect event ids are broadcast (few,
the usual case) or joined by shuffle (more than ``BROADCAST_IDS``), and rows whose event id is
neither repeated nor in bronze are ``new`` without being ranked."""
from datetime import datetime

from pyspark.sql import functions as F

from tailor.catalog import table
from tailor.ingestion.bronze import BRONZE_COLUMNS, suspect_ids, tag_duplicates

T0 = datetime(2026, 9, 1, 10)
T1 = datetime(2026, 9, 1, 11)


def _rows(spark, specs):
    """(event_id, item_id, landing_file, ingested_at) → bronze rows (+ quarantine_id)."""
    data = [tuple(({c: None for c in BRONZE_COLUMNS} | {
        "event_id": eid, "event_type": "view", "event_ts": T0, "event_date": "2026-09-01",
        "anonymous_id": "a1", "item_id": item, "landing_file": f, "ingested_at": at,
        }).values()) for eid, item, f, at in specs]
    frame = spark.createDataFrame(data, table("bronze.events").ddl)
    return frame.withColumn("quarantine_id", F.concat_ws(":", "landing_file", "event_id",
                                                         "item_id"))


def test_statuses_equal_with_and_without_broadcast(spark, lakehouse):
    first = _rows(spark, [("b1", "I1", "f0", T0), ("b2", "I2", "f0", T0)])
    lakehouse.write(first.select(*BRONZE_COLUMNS), "bronze.events", mode="merge",
                    keys=["event_id"], partition_by=["event_date"], when_matched="ignore")
    rows = _rows(spark, [
        ("b1", "I1", "f1", T1),                        # in bronze, same content: duplicate
        ("b2", "I9", "f1", T1),                        # in bronze, other content: conflict
        ("r1", "I3", "f1", T1), ("r1", "I3", "f2", T1),  # repeated, same: new + duplicate
        ("r2", "I4", "f1", T0), ("r2", "I5", "f1", T1),  # repeated, differs: new + conflict
        ("n1", "I6", "f1", T1), ("n2", "I7", "f2", T1)])  # neither: new
    suspects = sorted(r.event_id for r in suspect_ids(lakehouse, rows).collect())
    assert suspects == ["b1", "b2", "r1", "r2"]
    tagged = {}
    for broadcast in (True, False):
        out = tag_duplicates(lakehouse, rows, suspect_ids(lakehouse, rows), broadcast)
        tagged[broadcast] = sorted((r.event_id, r.item_id, r.landing_file, r._status)
                                   for r in out.collect())
    assert tagged[True] == tagged[False] == sorted([
        ("b1", "I1", "f1", "duplicate"), ("b2", "I9", "f1", "conflict"),
        ("r1", "I3", "f1", "new"), ("r1", "I3", "f2", "duplicate"),
        ("r2", "I4", "f1", "new"), ("r2", "I5", "f1", "conflict"),
        ("n1", "I6", "f1", "new"), ("n2", "I7", "f2", "new")])
