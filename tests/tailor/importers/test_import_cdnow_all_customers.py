"""`tailor import cdnow`: the full CDNOW master becomes valid purchase events for all 23,570
customers (no Spark), shifted so the last order day is the requested day."""
import json
from collections import Counter
from datetime import date

from tailor.events import validate_event
from tailor.importers.cdnow import import_cdnow


def test_cdnow_import_is_complete_and_valid(tmp_path):
    report = import_cdnow(tmp_path / "landing", end_date=date(2026, 10, 15))

    assert report.rows == report.events == 69_659 and report.rejected == 0
    assert report.customers == 23_570
    assert (report.first_day, report.last_day) == ("2025-04-18", "2026-10-15")  # 1997-01-01..1998-06-30
    events = [json.loads(line) for p in sorted((tmp_path / "landing").glob("events-*.jsonl"))
              for line in p.open()]
    assert len(events) == 69_659 and len({e["event_id"] for e in events}) == 69_659
    assert Counter(validate_event(e) for e in events) == Counter({None: 69_659})
    assert {e["event_type"] for e in events} == {"purchase"} and {e["item_id"] for e in events} == {"CD"}
    assert len({e["customer_id"] for e in events}) == 23_570
    first = [e for e in events if e["customer_id"] == "00001"]
    assert first == [{"event_id": first[0]["event_id"], "event_type": "purchase",
                      "ts": "2025-04-18T00:00:00Z", "customer_id": "00001", "item_id": "CD",
                      "category": "music", "price": 11.77, "quantity": 1}]
    assert isinstance(report.seconds, float)   # reported; its speed is not a test's business
