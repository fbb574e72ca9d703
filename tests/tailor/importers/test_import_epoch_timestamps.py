"""Epoch timestamps import to the exact UTC instant in every file shape users bring: CSV (text:
seconds, milliseconds, with a fraction), Parquet (int64 / float64 columns) and JSON lines
(numbers or quoted numbers), next to ISO-8601 text."""
import json
from pathlib import Path

import polars as pl
import pytest

from tailor.events import validate_event
from tailor.importers.events import import_file

# 2026-03-01 00:00:00, 2026-03-01 23:59:59, 2026-03-02 08:15:30, 1999-12-31 23:59:59 UTC
SECONDS = [1772323200, 1772409599, 1772439330, 946684799]
EXPECTED = ["1999-12-31T23:59:59Z", "2026-03-01T00:00:00Z", "2026-03-01T23:59:59Z",
            "2026-03-02T08:15:30Z"]
ISO = ["2026-03-01T00:00:00Z", "2026-03-01 23:59:59", "2026-03-02T09:15:30+01:00",
       "1999-12-31T23:59:59"]

SHAPES = {
    "csv_seconds": ("csv", [str(s) for s in SECONDS]),
    "csv_millis": ("csv", [str(s * 1000) for s in SECONDS]),        # 946684799000: 12 digits, still ms
    "csv_millis_fraction": ("csv", [f"{s * 1000 + 999}.5" for s in SECONDS]),  # fractions are cut
    "csv_seconds_fraction": ("csv", [f"{s}.75" for s in SECONDS]),
    "csv_iso": ("csv", ISO),
    "parquet_int_seconds": ("parquet", pl.Series("t", SECONDS, dtype=pl.Int64)),
    "parquet_int_millis": ("parquet", pl.Series("t", [s * 1000 for s in SECONDS], dtype=pl.Int64)),
    "parquet_float_seconds": ("parquet", pl.Series("t", [s + 0.25 for s in SECONDS], dtype=pl.Float64)),
    "jsonl_seconds": ("jsonl", SECONDS),
    "jsonl_millis": ("jsonl", [s * 1000 for s in SECONDS]),
    "jsonl_quoted_seconds": ("jsonl", [str(s) for s in SECONDS]),
    "jsonl_iso": ("jsonl", ISO),
}


def _write(tmp_path: Path, fmt: str, stamps) -> Path:
    path = tmp_path / f"events.{fmt}"
    if fmt == "jsonl":  # written by hand: numbers stay JSON numbers
        path.write_text("".join(json.dumps({"user": f"u{i}", "t": t, "sku": "A", "amount": 5.0,
                                            "qty": 1}) + "\n" for i, t in enumerate(stamps)))
        return path
    frame = pl.DataFrame({"user": [f"u{i}" for i in range(len(stamps))],
                          "t": stamps, "sku": ["A"] * 4, "amount": [5.0] * 4, "qty": [1] * 4})
    frame.write_csv(path) if fmt == "csv" else frame.write_parquet(path)
    return path


@pytest.mark.parametrize("shape", list(SHAPES))
def test_epoch_and_iso_timestamps_give_exact_instants(tmp_path, shape):
    fmt, stamps = SHAPES[shape]
    landing = tmp_path / "landing"
    report = import_file(_write(tmp_path, fmt, stamps),
                         {"customer_id": "user", "ts": "t", "item_id": "sku", "price": "amount",
                          "quantity": "qty"}, landing, {"event_type": "purchase"},
                         timezone_name="UTC")

    assert (report.events, report.rejected) == (4, 0), report.rejected_reasons
    events = [json.loads(line) for p in sorted(landing.glob("events-*.jsonl"))
              for line in p.read_text().splitlines()]
    assert all(validate_event(e) is None for e in events)
    assert {e["customer_id"]: e["ts"] for e in events} == \
        {"u0": EXPECTED[1], "u1": EXPECTED[2], "u2": EXPECTED[3], "u3": EXPECTED[0]}
    assert sorted(p.name for p in landing.glob("*.jsonl")) == [
        "events-1999-12-31-000.jsonl", "events-2026-03-01-000.jsonl", "events-2026-03-02-000.jsonl"]

