"""Schemathesis hooks for test_schemathesis.py (loaded through SCHEMATHESIS_HOOKS).

Only what JSON Schema cannot say: an event's ``ts`` must not lie in the future by more than the
server's clock-skew allowance (a 400), so schema-valid timestamps later than now are moved to now.
Invalid ``ts`` values (negative tests) are left alone.
"""
from __future__ import annotations

from datetime import datetime, timezone

import schemathesis


def _not_future(event):
    if isinstance(event, dict) and isinstance(event.get("ts"), str):
        try:
            when = datetime.fromisoformat(event["ts"].replace("Z", "+00:00"))
        except ValueError:
            return event
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        if when > datetime.now(timezone.utc):
            return {**event, "ts": datetime.now(timezone.utc).isoformat()}
    return event


@schemathesis.hook("map_body").apply_to(path="/v1/events")
def events_not_from_the_future(context, body):
    if isinstance(body, list):
        return [_not_future(e) for e in body]
    if isinstance(body, dict) and isinstance(body.get("events"), list):
        return {**body, "events": [_not_future(e) for e in body["events"]]}
    return _not_future(body)
