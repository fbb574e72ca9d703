"""`tailor import events` maps source columns to landing fields and writes valid landing events:
ISO UTC timestamps with Z, typed values, deterministic ids, one file per UTC day; the same for
CSV, Parquet and JSON lines."""
import json
from pathlib import Path

import polars as pl
import pytest

from tailor.events import validate_event
from tailor.importers.events import import_file

ROWS = {
    "cust": ["c1", "c2", "c2", "c2"],
    "when": ["2026-03-01 23:30:00", "2026-03-01T22:00:00+02:00", "2026-03-02", "2026-03-02"],
    "sku": ["A", "B", "C", "C"],
    "amount": ["9.5", "10", "3.25", "3.25"],  # the last two rows are identical orders
    "qty": ["1", "2", "3", "3"],
    "ignored": ["x", "y", "z", "z"],
}
MAP = {"customer_id": "cust", "ts": "when", "item_id": "sku", "price": "amount",
       "quantity": "qty"}


def _write(tmp_path: Path, fmt: str) -> Path:
    frame = pl.DataFrame(ROWS)
    if fmt == "parquet":  # native types in Parquet
        frame = frame.with_columns(pl.col("amount").cast(pl.Float64), pl.col("qty").cast(pl.Int32))
    path = tmp_path / f"orders.{fmt}"
    {"csv": frame.write_csv, "parquet": frame.write_parquet, "jsonl": frame.write_ndjson}[fmt](path)
    return path


def _landing(landing: Path) -> list[dict]:
    return [json.loads(line) for p in sorted(landing.glob("events-*.jsonl"))
            for line in p.read_text().splitlines()]


@pytest.mark.parametrize("fmt", ["csv", "parquet", "jsonl"])
def test_maps_columns_to_valid_landing_events(tmp_path, fmt):
    landing = tmp_path / "landing"
    report = import_file(_write(tmp_path, fmt), MAP, landing,
                         {"event_type": "purchase", "category": "books"})

    events = _landing(landing)
    assert report.rows == report.events == len(events) == 4 and report.rejected == 0
    assert all(validate_event(e) is None for e in events)
    assert sorted(p.name for p in landing.glob("*.jsonl")) == \
        ["events-2026-03-01-000.jsonl", "events-2026-03-02-000.jsonl"]
    first = min(events, key=lambda e: e["ts"])
    assert first == {"event_id": first["event_id"], "event_type": "purchase",
                     "ts": "2026-03-01T20:00:00Z",  # +02:00 converted to UTC
                     "customer_id": "c2", "item_id": "B", "category": "books", "price": 10.0,
                     "quantity": 2}
    assert sorted(e["ts"] for e in events) == ["2026-03-01T20:00:00Z", "2026-03-01T23:30:00Z",
                                               "2026-03-02T00:00:00Z", "2026-03-02T00:00:00Z"]
    ids = [e["event_id"] for e in events]
    assert len(set(ids)) == 4  # identical rows stay two events

    again = import_file(_write(tmp_path, fmt), MAP, tmp_path / "again",
                        {"event_type": "purchase", "category": "books"})
    assert again.events == 4 and sorted(ids) == sorted(e["event_id"] for e in _landing(tmp_path / "again"))


def test_second_import_never_overwrites_landing_files(tmp_path):
    landing = tmp_path / "landing"
    import_file(_write(tmp_path, "csv"), MAP, landing, {"event_type": "purchase"})
    import_file(_write(tmp_path, "csv"), MAP, landing, {"event_type": "purchase"},
                namespace="second")
    assert sorted(p.name for p in landing.glob("events-2026-03-01-*.jsonl")) == \
        ["events-2026-03-01-000.jsonl", "events-2026-03-01-001.jsonl"]
