"""Spark names each landing line's file relative to the landing root and computes its
quarantine id natively, with the same results as the Python reference (``relative_path``,
``quarantine_id``): ids already in bronze.quarantine stay the ids of the same lines."""
from tailor.ingestion.bronze import identified_lines
from tailor.ingestion.landing import relative_path
from tailor.ingestion.parse import quarantine_id

ROOT = "/data/landing/"


def test_native_ids_equal_the_reference(spark):
    rows = [('{"event_id": "é", "note": "日本"}', "/data/landing/2026/events-2026-09-01-000.jsonl"),
            ("{broken", "/data/landing/b.jsonl"), ("", "/elsewhere/c.jsonl"),
            ("tab\there \\n", "s3://bucket/landing/d.jsonl")]
    frame = spark.createDataFrame(rows, "value string, landing_file string")
    got = {(r.value, r.landing_file, r.quarantine_id)
           for r in identified_lines(frame, ROOT).collect()}
    expected = set()
    for line, path in rows:
        relative = relative_path(path, ROOT)
        expected.add((line, relative, quarantine_id(relative, line)))
    assert got == expected
    assert ("{broken", "b.jsonl", quarantine_id("b.jsonl", "{broken")) in got
