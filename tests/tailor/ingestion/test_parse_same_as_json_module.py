"""Ingest decodes landing lines with orjson (strict RFC 8259, ~4x faster) and falls back to the
``json`` module for what only it reads (NaN, Infinity, unpaired surrogates, integers beyond 64
bits): every line becomes the row it became with ``json.loads`` alone (orjson reads an integer
beyond 64 bits as a float: only unknown fields keep it untyped, and they are dropped). The
``ts`` is parsed once (``checked_event``), and ``future_ts`` is judged on that parse."""
import json
import types

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from tailor.events import EVENT_FIELDS
from tailor.ingestion import parse
from tailor.ingestion.parse import FUTURE_TS, parse_event, parse_line

BASE = {"event_id": "e-1", "event_type": "purchase", "ts": "2026-09-01T10:00:00Z",
        "customer_id": "C1", "item_id": "I1", "price": 10.5, "quantity": 2}


def _never(line):
    raise orjson.JSONDecodeError("the json module only", "", 0)


def _row(line: str) -> str:
    return json.dumps(parse_line(line, "f", 1_788_264_000.0, 3600.0), sort_keys=True)


def _reference_row(line: str) -> str:
    """The row ``json.loads`` alone gives (orjson made to refuse every line)."""
    fast, parse.orjson = parse.orjson, types.SimpleNamespace(
        loads=_never, JSONDecodeError=orjson.JSONDecodeError)
    try:
        return _row(line)
    finally:
        parse.orjson = fast


def test_lines_only_the_json_module_reads():
    lines = [
        '{"event_id":"e","event_type":"view","ts":"2026-09-01T00:00:00Z","anonymous_id":"a",'
        '"item_id":"i","extra":NaN}',                                  # NaN in an unknown field
        json.dumps({**BASE, "extra": "\udc00"}),                       # an unpaired surrogate
        json.dumps({**BASE, "extra": 123456789012345678901234567890}),  # beyond 64 bits
        json.dumps({**BASE, "price": 2 ** 70}),                        # a number field, 71 bits
        json.dumps({**BASE, "quantity": 2 ** 64}),                     # an int32 field, 65 bits
        json.dumps({**BASE, "price": 10 ** 400}),                      # no float holds it
        '{"event_id":"e","event_type":"purchase","ts":"2026-09-01T00:00:00Z","customer_id":"C",'
        '"item_id":"i","price":Infinity,"quantity":1}',
        "not json", '{"a":', "[1, 2]", "",
    ]
    rows = [json.loads(_row(line)) for line in lines]
    assert [r["reason"] for r in rows] == [
        None, None, None, None, "bad_value:quantity", "bad_value:price", None, "invalid_json",
        "invalid_json", "not_an_object", "invalid_json"]
    for line in lines:
        assert _row(line) == _reference_row(line), line


def test_future_ts_is_judged_on_the_single_parse():
    arrived = 1_788_264_000.0  # 2026-09-01T12:00:00Z
    late = json.dumps({**BASE, "ts": "2026-09-01T13:00:01+00:00"})
    on_time = json.dumps({**BASE, "ts": "2026-09-01T14:00:00+01:00"})  # 13:00Z
    assert parse_event(late, arrived, 3600.0) == (None, FUTURE_TS)
    assert parse_event(on_time, arrived, 3600.0)[1] is None
    received = json.dumps({**BASE, "ts": "2026-09-01T13:00:01Z",
                           "received_at": "2026-09-01T13:00:00Z"})  # judged against receipt
    assert parse_event(received, arrived, 3600.0)[1] is None


_values = st.one_of(st.none(), st.booleans(), st.integers(-2 ** 80, 2 ** 80),
                    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=8),
                    st.lists(st.integers(), max_size=2))


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from([*EVENT_FIELDS, "received_at", "other"]), _values,
                       max_size=6))
def test_any_event_parses_as_with_the_json_module(fields):
    line = json.dumps({**BASE, **fields})
    assert _row(line) == _reference_row(line)
