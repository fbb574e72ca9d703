"""Tagging duplicates gives the same statuses whether the suspect event ids are broadcast (few,
the usual case) or joined by shuffle (more than ``BROADCAST_IDS``), and rows whose event id is
neither repeated nor in bronze are ``new`` without being ranked."""
from tailor.ingestion.bronze import BRONZE_COLUMNS, suspect_ids, tag_duplicates
from tests.support.bronze_rows import T0, T1, bronze_rows


def test_statuses_equal_with_and_without_broadcast(spark, lakehouse):
    first = bronze_rows(spark, [("b1", "I1", "f0", T0), ("b2", "I2", "f0", T0)])
    lakehouse.write(first.select(*BRONZE_COLUMNS), "bronze.events", mode="merge",
                    keys=["event_id"], partition_by=["event_date"], when_matched="ignore")
    rows = bronze_rows(spark, [
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
