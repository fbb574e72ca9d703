"""Ratings-only (MovieLens-like: user, item, rating, epoch seconds) and implicit-only (clicks,
epoch milliseconds) files without categories import as interaction events, exactly: one valid
`view` per row at the exact instant, no category, and nothing invented (no consent, no order)."""
import json

from tailor.events import validate_event
from tailor.importers.events import import_file


def _landing(landing):
    return [json.loads(line) for p in sorted(landing.glob("events-*.jsonl"))
            for line in p.read_text().splitlines()]


def test_ratings_csv_imports_as_views(tmp_path):
    src = tmp_path / "ratings.csv"   # the rating value has no landing field: it is not mapped
    src.write_text("userId,movieId,rating,timestamp\n1,31,2.5,1260759144\n1,1029,3.0,1260759179\n"
                   "7,31,4.0,851868750\n")
    landing = tmp_path / "landing"
    report = import_file(src, {"customer_id": "userId", "item_id": "movieId", "ts": "timestamp"},
                         landing, {"event_type": "view"}, namespace="ml")

    assert (report.events, report.rejected, report.customers) == (3, 0, 2)
    events = _landing(landing)
    assert all(validate_event(e) is None for e in events)
    assert [(e["customer_id"], e["item_id"], e["ts"]) for e in events] == [
        ("7", "31", "1996-12-29T14:12:30Z"),
        ("1", "31", "2009-12-14T02:52:24Z"), ("1", "1029", "2009-12-14T02:52:59Z")]
    assert {e["event_type"] for e in events} == {"view"}
    assert all(set(e) == {"event_id", "event_type", "ts", "customer_id", "item_id"} for e in events)


def test_implicit_clicks_jsonl_with_millis(tmp_path):
    src = tmp_path / "clicks.jsonl"
    src.write_text('{"visitor": "v1", "product": "p9", "at": 1772439330123}\n'
                   '{"visitor": "v2", "product": "p9", "at": "1772439331000"}\n')
    landing = tmp_path / "landing"
    report = import_file(src, {"anonymous_id": "visitor", "item_id": "product", "ts": "at"},
                         landing, {"event_type": "view"})

    assert (report.events, report.rejected) == (2, 0)
    assert [(e["anonymous_id"], e["ts"]) for e in _landing(landing)] == [
        ("v1", "2026-03-02T08:15:30Z"), ("v2", "2026-03-02T08:15:31Z")]
