"""A contract holds the rows it checks in one process, so above ``quality.max_rows`` a table with
person_id is checked on every row of a stable sample of persons (the summary says so); below it,
on every row."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pyarrow as pa
from deltalake import write_deltalake

from tailor.catalog import table
from tailor.config import load_config
from tailor.jobs import validate

ROOT = Path(__file__).resolve().parents[2]
DS = "2026-10-01"
PERSONS, PER_PERSON = 300, 10


def _cfg(tmp_path, max_rows):
    schema = table("silver.events").arrow_schema
    ts = datetime(2026, 10, 1, 10, tzinfo=timezone.utc)
    rows = [{name: None for name in schema.names} | {
        "event_id": f"e{p}-{i}", "event_type": "view", "event_ts": ts, "event_date": DS,
        "person_id": f"p{p:03d}", "item_id": "i1", "landing_file": "f.jsonl", "ingested_at": ts}
        for p in range(PERSONS) for i in range(PER_PERSON)]
    lakehouse = tmp_path / "lh"
    write_deltalake(str(lakehouse / "silver" / "events"),
                    pa.Table.from_pylist(rows, schema=schema), partition_by=["event_date"])
    return load_config(root=ROOT, overrides={
        "paths": {"lakehouse": str(lakehouse), "runs": str(tmp_path / "runs")},
        "quality": {"max_rows": max_rows, "data_docs": False}})


def test_above_max_rows_a_whole_person_sample_is_checked(tmp_path):
    summary = validate.check("silver.events", DS, _cfg(tmp_path, 1000))
    assert summary["success"]
    assert summary["rows_total"] == PERSONS * PER_PERSON
    assert summary["sample_share"] == round(1000 / 3000, 6)
    assert 0 < summary["rows"] < PERSONS * PER_PERSON
    assert summary["rows"] % PER_PERSON == 0            # persons are kept whole


def test_below_max_rows_every_row_is_checked(tmp_path):
    summary = validate.check("silver.events", DS, _cfg(tmp_path, 5000))
    assert (summary["rows"], summary["rows_total"], summary["sample_share"]) == (3000, 3000, 1.0)
