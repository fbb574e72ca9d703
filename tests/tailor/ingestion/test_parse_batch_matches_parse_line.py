"""The column-wise Arrow parser Spark runs (``parse_batch``) gives every line the same row as the
per-line reference (``parse_line``): same typed fields, same reason; the raw text only on lines
it quarantines (good lines leave it null), the passed-through columns untouched."""
import json

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from tailor.events import EVENT_FIELDS, EVENT_TYPES
from tailor.ingestion.parse import FIELD_NAMES, parse_batch, parse_line

ARRIVED_US = 1_788_134_400_000_000  # 2026-08-31T00:00Z
SKEW = 3600.0

values = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 30), st.integers(2 ** 60, 2 ** 70),
    st.just(10 ** 400), st.floats(allow_nan=False, allow_infinity=False), st.just(2.0),
    st.text(max_size=4), st.sampled_from(["email", "push", "2026-08-30T10:00:00Z",
                                          "2026-08-31T10:00:00", "2026-09-03T00:00:00Z"]),
    st.lists(st.integers(), max_size=2))
events = st.fixed_dictionaries(
    {"event_id": st.sampled_from(["e1", "", 3]),
     "event_type": st.sampled_from([*EVENT_TYPES, "nope"]),
     "ts": st.sampled_from(["2026-08-30T09:00:00Z", "2026-08-30T09:00:00.5+02:00", "x",
                            "2026-09-02T00:00:00Z"])},
    optional={key: values for key in [*EVENT_FIELDS, "received_at", "unknown_field"]
              if key not in ("event_id", "event_type", "ts")})
lines = st.one_of(events.map(json.dumps), st.text(max_size=12),
                  st.sampled_from(["[1, 2]", "null", '{"event_id": NaN}', "{broken"]))


def _batch(texts):
    n = len(texts)
    return pa.RecordBatch.from_pydict({
        "value": texts, "landing_file": [f"day/f{i % 3}.jsonl" for i in range(n)],
        "quarantine_id": [f"q{i}" for i in range(n)], "arrived_us": [ARRIVED_US] * n})


@settings(max_examples=150, deadline=None)
@given(st.lists(lines, min_size=1, max_size=25))
def test_batch_rows_equal_the_reference_rows(texts):
    batch = _batch(texts)
    out = parse_batch(batch, SKEW).to_pylist()
    assert len(out) == len(texts)
    for i, (line, row) in enumerate(zip(texts, out)):
        expected = parse_line(line, f"day/f{i % 3}.jsonl", ARRIVED_US / 1e6, SKEW)
        assert row["quarantine_id"] == f"q{i}" and row["arrived_us"] == ARRIVED_US
        assert row["raw_line"] == (None if expected["reason"] is None else line)
        for name in FIELD_NAMES:
            if name not in ("quarantine_id", "raw_line", "arrived_us"):
                assert row[name] == expected[name], (name, line)


def test_hand_checked_batch():
    good = json.dumps({"event_id": "e1", "event_type": "purchase", "ts": "2026-08-30T09:00:00Z",
                       "customer_id": "C1", "item_id": "I", "price": 10, "quantity": 2.0,
                       "extra": [1]})
    future = json.dumps({"event_id": "e2", "event_type": "view", "ts": "2026-09-02T00:00:00Z",
                         "anonymous_id": "a", "item_id": "I"})
    huge = json.dumps({"event_id": "e3", "event_type": "purchase", "ts": "2026-08-30T09:00:00Z",
                       "customer_id": "C1", "item_id": "I", "price": 1, "quantity": 10 ** 12})
    rows = parse_batch(_batch([good, "{broken", future, huge]), SKEW).to_pylist()
    assert [r["reason"] for r in rows] == [None, "invalid_json", "future_ts",
                                           "bad_value:quantity"]  # quarantined, not a crash
    assert (rows[0]["price"], rows[0]["quantity"], rows[0]["raw_line"]) == (10.0, 2, None)
    assert rows[1]["raw_line"] == "{broken" and rows[2]["raw_line"] == future
    assert rows[1]["event_id"] is None and rows[2]["item_id"] is None
