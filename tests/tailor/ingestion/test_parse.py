"""Every landing line becomes either a typed event or a quarantine row with a reason."""
import json

from tailor.ingestion.parse import parse_line


def test_good_line_is_typed():
    row = parse_line(json.dumps({"event_id": "e", "event_type": "purchase", "ts": "2026-09-01T00:00:00Z",
                                 "customer_id": "C1", "item_id": "I", "price": 10, "quantity": 2}), "f")
    assert row["reason"] is None and row["price"] == 10.0 and isinstance(row["price"], float)


def test_bad_lines_carry_reasons_and_raw_text():
    cases = {"nope": "invalid_json",
             json.dumps({"event_id": "e", "event_type": "view", "ts": "x", "anonymous_id": "a",
                         "item_id": "i"}): "bad_ts",
             json.dumps({"event_id": "e", "event_type": "view", "ts": "2026-09-01T00:00:00Z"}):
                 "missing:customer_id|anonymous_id|device_id",
             json.dumps([1, 2]): "not_an_object"}
    for line, reason in cases.items():
        row = parse_line(line, "f")
        assert row["reason"] == reason and row["raw_line"] == line and row["quarantine_id"]
