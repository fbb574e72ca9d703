"""The landing-event contract: what one JSON line in ``landing/`` must look like.

Apps (through the server's ``POST /v1/events``), the simulator and dataset importers all write
these lines; ``jobs/ingest`` validates them against this module and quarantines the rest with a
reason. Keep this the single source of truth for event fields.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

# Every field a landing event may carry, with its JSON type. Unknown fields are ignored.
EVENT_FIELDS: dict[str, type | tuple[type, ...]] = {
    "event_id": str,        # globally unique; the dedupe key
    "event_type": str,      # one of EVENT_TYPES
    "ts": str,              # ISO-8601 UTC, e.g. "2026-09-01T10:23:45Z"
    "customer_id": str,     # login / CRM id (direct identifier: pseudonymised in silver)
    "email": str,           # direct identifier on login events (never leaves bronze)
    "anonymous_id": str,    # cookie / session id
    "device_id": str,       # device / app-install id
    "item_id": str,
    "category": str,
    "price": (int, float),  # unit price, or order value on conversion
    "quantity": int,
    "order_id": str,        # purchase / conversion: the order (basket) the line belongs to;
                            # lines sharing it are one order (none: each line is an order)
    "channel": str,         # email | push | sms | in_app
    "message_id": str,      # ties sends to opens / clicks / conversions
    "action_id": str,       # the chosen action, e.g. "email@18:pct10" or "no_message"
    "send_hour": int,       # 0..23, local hour the message was sent at
    "discount": (int, float),  # offer as a share of the order value, 0..1
    "propensity": (int, float),  # probability the logging policy chose this action, (0, 1]
    "granted": bool,        # consent_change: channel consent granted (true) or revoked (false)
    # decision_served events of the lookup server's decision log (tailor/serving/records.py):
    "overridden_by": str,   # a request-time rule replaced the policy's message (served no_message)
    "policy_action_id": str,         # ... what the policy had chosen, with its probability
    "policy_propensity": (int, float),
    "shadow_action_id": str,         # the challenger's decision for the same person (never served)
    "shadow_propensity": (int, float),
}

# Fields only Tailor writes. ``received_at``: the instant (ISO-8601 UTC) the lookup server
# accepted the event, stamped by the server on every POSTed event (a client's value is
# overwritten, never trusted). Landing files of other writers (simulator, importers) leave it
# out: their events were received when their file arrived (``ingested_at``, tailor/clock.py).
# Consent is ordered by it (tailor/consent.py).
SERVER_FIELDS: dict[str, type] = {"received_at": str}

# Fields each event type must carry (besides event_id, event_type, ts). A tuple means "one of".
REQUIRED_BY_TYPE: dict[str, list[str | tuple[str, ...]]] = {
    "login": ["customer_id", ("anonymous_id", "device_id")],
    "view": [("customer_id", "anonymous_id", "device_id"), "item_id"],
    "add_to_cart": [("customer_id", "anonymous_id", "device_id"), "item_id"],
    "purchase": [("customer_id", "anonymous_id", "device_id"), "item_id", "price", "quantity"],
    "message_sent": ["customer_id", "channel", "message_id", "action_id", "send_hour",
                     "discount", "propensity"],
    "message_open": ["customer_id", "channel", "message_id"],
    "message_click": ["customer_id", "channel", "message_id"],
    "conversion": ["customer_id", "channel", "message_id", "price"],
    "unsubscribe": ["customer_id", "channel"],
    "consent_change": ["customer_id", "channel", "granted"],
    "decision_served": ["customer_id", "action_id", "propensity"],
}
EVENT_TYPES = tuple(REQUIRED_BY_TYPE)
# REQUIRED_BY_TYPE with every requirement as a tuple of options (validate_event's hot loop)
_REQUIRED_OPTIONS = {etype: [req if isinstance(req, tuple) else (req,) for req in reqs]
                     for etype, reqs in REQUIRED_BY_TYPE.items()}
CHANNELS = ("email", "push", "sms", "in_app")
INT_MIN, INT_MAX = -(2 ** 31), 2 ** 31 - 1   # integer fields (quantity, send_hour) are int32


def _fits_a_float(value: int) -> bool:
    """Whether a JSON integer given for a number field is within a double's range."""
    try:
        float(value)
    except OverflowError:
        return False
    return True


def validate_event(event: Any) -> str | None:
    """Return None if ``event`` is a valid landing event, else a short machine-readable reason.

    Reasons look like ``missing:item_id``, ``bad_type:price``, ``unknown_event_type:foo``,
    ``bad_ts``, ``bad_value:propensity``; they become ``bronze.quarantine.reason``.
    """
    return checked_event(event)[0]


def checked_event(event: Any) -> tuple[str | None, float | None]:
    """(:func:`validate_event`'s reason, the event's ``ts`` in epoch seconds when valid): what
    ingest needs to judge a valid event's time without parsing its ``ts`` a second time."""
    if not isinstance(event, dict):
        return "not_an_object", None
    for key in ("event_id", "event_type", "ts"):
        if not event.get(key):
            return f"missing:{key}", None
    fields = EVENT_FIELDS
    for key, value in event.items():
        if type(value) is str:  # the common case, decided without the checks below
            if fields.get(key, str) is str:
                continue
            return f"bad_type:{key}", None
        expected = fields.get(key)
        if expected is None or value is None:
            continue
        if isinstance(value, bool) and expected is not bool:
            return f"bad_type:{key}", None
        if not isinstance(value, expected) and not (  # 2.0 is an integer (as in JSON Schema)
                expected is int and isinstance(value, float) and value.is_integer()):
            return f"bad_type:{key}", None
        if expected == (int, float) and isinstance(value, int) and not _fits_a_float(value):
            return f"bad_value:{key}", None  # no float holds it (the checks below would raise)
        if expected is int and isinstance(value, (int, float)) and not INT_MIN <= value <= INT_MAX:
            return f"bad_value:{key}", None  # integer fields are 32-bit in bronze
    etype = event["event_type"]
    options_of = _REQUIRED_OPTIONS.get(etype)
    if options_of is None:
        return f"unknown_event_type:{etype}", None
    for options in options_of:
        for option in options:
            if event.get(option) not in (None, ""):
                break
        else:
            return "missing:" + "|".join(options), None
    when = parse_ts(event["ts"])
    if when is None:
        return "bad_ts", None
    received = event.get("received_at")
    if received is not None and (not isinstance(received, str) or parse_ts(received) is None):
        return "bad_value:received_at", None
    channel = event.get("channel")
    if channel is not None and channel not in CHANNELS:
        return "bad_value:channel", None
    prop = event.get("propensity")
    if prop is not None and not 0.0 < float(prop) <= 1.0:
        return "bad_value:propensity", None
    hour = event.get("send_hour")
    if hour is not None and not 0 <= hour <= 23:
        return "bad_value:send_hour", None
    price = event.get("price")
    if price is not None and float(price) < 0:
        return "bad_value:price", None
    return None, when


def parse_ts(value: Any) -> float | None:
    """Epoch seconds of an ISO-8601 timestamp (no zone = UTC); None if it is not one."""
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except (AttributeError, TypeError, ValueError):
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.timestamp()


def is_future(ts: Any, now: float, max_skew: float) -> bool:
    """Whether an event dated ``ts`` lies more than ``max_skew`` seconds after ``now`` (epoch
    seconds): the server refuses it (400) and ingest quarantines it (``future_ts``)."""
    when = parse_ts(ts)
    return when is not None and when > now + max_skew


def iso_utc(epoch: float, timespec: str = "microseconds") -> str:
    """``epoch`` seconds as ISO-8601 UTC with a ``Z`` (the landing format)."""
    return datetime.fromtimestamp(epoch, timezone.utc).isoformat(timespec=timespec).replace(
        "+00:00", "Z")
