"""Hand-written ``silver.events`` rows for training-set tests: September 2026, one tuple per
event in the table's column order (``SCHEMA``)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

SCHEMA = ("person_id string, event_type string, event_ts timestamp, item_id string, category string, "
          "price double, quantity int, channel string, message_id string, send_hour int, "
          "discount double, granted boolean")


def at(day: int, hour: int = 12) -> datetime:
    """An instant on September ``day`` 2026 (UTC)."""
    return datetime(2026, 9, day, hour, tzinfo=timezone.utc)


def end(day: int) -> datetime:
    """The end of September ``day`` 2026 (its as-of instant)."""
    return datetime(2026, 9, day, tzinfo=timezone.utc) + timedelta(days=1)


def ev(person: str, kind: str, when: datetime, item: str = "i1", cat: str = "shoes",
       price: float = 10.0) -> tuple:
    """One event; purchases have quantity 1."""
    return (person, kind, when, item, cat, price, 1 if kind == "purchase" else None,
            None, None, None, None, None)
