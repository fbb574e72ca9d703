"""The response contract of ``GET /v1/decisions/{user_id}``, compiled ahead of time.

All JSON encoding happens at publish time: each person's response is stored as bytes *minus*
the leading ``{"user_id":...,`` (the only per-request part, since the table holds pseudonymous
ids, never the customer id the app sends). Serving a request is then one lookup plus one
concatenation; this module is the single place that knows the shape on both sides.
"""
from __future__ import annotations

import json
import math
import re
from functools import lru_cache
from typing import Any, Iterable, Sequence

NO_MESSAGE = "no_message"

_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode
# customer ids made only of these characters need no JSON escaping (the common case)
_PLAIN_ID = re.compile(rb"[A-Za-z0-9_.:@+\-]*")


def _number(value: Any) -> float | None:
    """A JSON-safe float (NaN / inf become null: they are not valid JSON)."""
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


@lru_cache(maxsize=4096)
def parse_versions(value: Any) -> Any:
    """Version maps are stored as JSON text in gold.decisions; clients get them as objects.

    Cached: nearly every row of a day repeats the same few strings. Treat results as read-only.
    """
    if value is None or not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def _message(action_id: str | None, channel: str | None, send_hour: Any, offer: str | None,
             discount: Any) -> dict[str, Any] | None:
    if not action_id or action_id == NO_MESSAGE or channel is None:
        return None
    return {"action_id": action_id, "channel": channel,
            "send_hour": None if send_hour is None else int(send_hour),
            "offer": offer, "discount": _number(discount)}


def response_record(*, known: bool, snapshot_id: str, decisions_version: int | None,
                    policy_version: Any, items: Sequence[str] | None,
                    scores: Sequence[float] | None, action_id: str | None,
                    channel: str | None = None, send_hour: Any = None, offer: str | None = None,
                    discount: Any = None, propensity: Any = None, holdout: bool = False,
                    explanation: str | None = None, guardrails: Iterable[str] | None = None,
                    provenance: dict[str, Any] | None = None) -> dict[str, Any]:
    """One response (without ``user_id``), in contract order; known and fallback share it."""
    scores = list(scores or [])
    return {
        "known": known,
        "snapshot_id": snapshot_id,
        "decisions_version": decisions_version,
        "policy_version": policy_version,
        "recommendations": [
            {"item_id": item, "score": _number(scores[i]) if i < len(scores) else None}
            for i, item in enumerate(items or [])],
        "message": _message(action_id, channel, send_hour, offer, discount),
        "action_id": action_id,
        "propensity": _number(propensity),
        "holdout": bool(holdout),
        "explanation": explanation,
        "guardrails": list(guardrails or []),
        "provenance": provenance or {},
    }


def decision_record(row: dict[str, Any], snapshot_id: str,
                    decisions_version: int | None) -> dict[str, Any]:
    """A gold.decisions row (as from ``Table.to_pylist``) → its response record."""
    return response_record(
        known=True, snapshot_id=snapshot_id, decisions_version=decisions_version,
        policy_version=row.get("policy_version"), items=row.get("items"),
        scores=row.get("item_scores"), action_id=row.get("action_id"),
        channel=row.get("channel"), send_hour=row.get("send_hour"), offer=row.get("offer"),
        discount=row.get("discount"), propensity=row.get("propensity"),
        holdout=bool(row.get("holdout")), explanation=row.get("explanation"),
        guardrails=row.get("guardrails"),
        provenance={"model_versions": parse_versions(row.get("model_versions")),
                    "feature_versions": parse_versions(row.get("feature_versions")),
                    "data_versions": parse_versions(row.get("data_versions")),
                    "ds": row.get("ds")})


def encode_record(record: dict[str, Any]) -> bytes:
    """The stored form: the record's JSON without its opening brace (see module docstring)."""
    if "user_id" in record:
        raise ValueError("records are stored without user_id; the server adds it per request")
    return _dumps(record).encode()[1:]


def user_id_json(raw: bytes) -> bytes:
    """``raw`` (UTF-8 customer id from the URL) as a JSON string; UnicodeDecodeError if invalid."""
    if _PLAIN_ID.fullmatch(raw):
        return b'"' + raw + b'"'
    return _dumps(raw.decode("utf-8")).encode()


def response_body(user_id: bytes, stored: bytes) -> bytes:
    """Full JSON body: ``{"user_id":<id>,`` + the stored record (``user_id`` already JSON)."""
    return b'{"user_id":' + user_id + b"," + stored
