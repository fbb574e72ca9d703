"""A timestamp that is neither ISO-8601, nor an epoch number within years 1..9999, nor what
--ts-format says is never guessed: the row is rejected as unparseable:ts=<value> (with the source
row in landing/rejected/), and the other rows still import."""
import json

import polars as pl

from tailor.importers.events import import_file

GOOD = "1772323200"  # 2026-03-01T00:00:00Z


def test_values_that_are_no_timestamp_are_rejected_with_the_reason(tmp_path):
    bad = ["yesterday", "1.7723232e9", "1772323200000000",  # words, scientific, microseconds
           "12:30", "0x69a3", "true", "2026-02-30"]
    src = tmp_path / "tx.csv"
    pl.DataFrame({"u": [f"u{i}" for i in range(len(bad) + 1)], "t": [GOOD, *bad]}).write_csv(src)
    landing = tmp_path / "landing"
    report = import_file(src, {"customer_id": "u", "ts": "t"}, landing,
                         {"event_type": "login", "anonymous_id": "a"}, namespace="n")

    assert (report.events, report.rejected) == (1, len(bad))
    assert report.rejected_reasons == {"unparseable:ts": len(bad)}
    rejected = [json.loads(line) for line in
                (landing / "rejected" / "n-rejected.ndjson").read_text().splitlines()]
    assert sorted(r["reason"] for r in rejected) == sorted(f"unparseable:ts={v}" for v in bad)
    assert [json.loads(p.read_text())["ts"] for p in landing.glob("events-*.jsonl")] == \
        ["2026-03-01T00:00:00Z"]


def test_numbers_past_year_9999_are_rejected_not_guessed(tmp_path):
    src = tmp_path / "tx.parquet"
    pl.DataFrame({"u": ["u0", "u1", "u2"],
                  "t": [1772323200.0, 1772323200000000.0, float("nan")]}).write_parquet(src)
    landing = tmp_path / "landing"
    report = import_file(src, {"customer_id": "u", "ts": "t"}, landing,
                         {"event_type": "login", "anonymous_id": "a"})
    assert (report.events, report.rejected, report.rejected_reasons) == \
        (1, 2, {"unparseable:ts": 2})
