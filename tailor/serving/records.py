"""The response contract of ``GET /v1/decisions/{user_id}`` and its precompiled stored form.

All JSON encoding happens at publish time. The response body (minus the leading
``{"user_id":...,``, the only per-request part: the table holds pseudonymous ids, never the
customer id the app sends) is ``head + middle + tail``:

* ``head`` (``"known":..,"snapshot_id":..,"decisions_version":..,"policy_version":..,
  "recommendations":[``) and ``tail`` (``],"provenance":{...}}``) repeat across persons, so a
  snapshot stores each distinct one once (manifest ``heads`` / ``tails``);
* a person's stored *value* is ``header | rec offsets | log fragment | middle``, where
  ``middle`` holds the recommendations, message, action, propensity, holdout, explanation and
  guardrails; ``log fragment`` is the precompiled ``"propensity":..,"action_id":..[,"channel":
  ..],"overridden_by":null`` part of the ``decision_served`` event logged for every served
  decision (see below); the header
  holds the head / tail indexes and byte offsets into ``middle`` (each recommendation, the
  message span, the guardrail count), so the request-time edits (``k``, just-bought items, a
  consent revocation or frequency cap from the overlay) are byte slicing, never a JSON decode.

A plain request is therefore one lookup, one header unpack and one concatenation.
``compile_value`` is the reference encoder (used for the fallback record and as the spec of the
vectorised compiler in ``compile``); ``render`` applies the request-time edits. This module is
the single place that knows the layout on both sides.

Decision log and off-policy evaluation (OPE). A ``decision_served`` event says what was served:
``action_id`` is the served action and ``propensity`` the probability of serving *it*. When a
request-time rule replaces the policy's message by no message (``overridden_by``: the overlay's
``consent_revoked`` or ``frequency_cap``, or ``channel_not_requested`` for a ``?channel=`` the
message is not on), ``render`` rewrites the fragment to ``"propensity":1.0,"action_id":
"no_message","overridden_by":"<rule>","policy_action_id":<a>,"policy_propensity":<p>``: the
rule made the served action certain, and ``policy_propensity`` belongs to ``policy_action_id``,
never to the served one. OPE must therefore either drop overridden rows from the logged data
(the estimate then covers traffic no rule touched) or evaluate candidate policies behind the
same rules, where such a row has importance weight 1 (any candidate would also have served
no message); never weight the served outcome by ``policy_propensity``. Rows the rules left
alone carry ``"overridden_by":null`` (absent in snapshots built before the field existed).
The response body agrees with the log: a suppressed message answers ``"action_id":"no_message"``
with ``"propensity":1.0`` and the rule in ``guardrails``. ``bronze.events`` keeps ``action_id``
and ``propensity`` only, which stays correct.
"""
from __future__ import annotations

import json
import math
from functools import lru_cache
from struct import Struct
from typing import Any, Iterable, Sequence

from tailor.events import CHANNELS  # the one vocabulary; a channel's code = its index + 1

NO_MESSAGE = "no_message"
CHANNEL_CODES = {name: i + 1 for i, name in enumerate(CHANNELS)}

# lf_len, head index, tail index, n_recs (the fast path reads only these: FAST), then lf_p
# (length of the "propensity":x prefix of the log fragment), channel code of the message
# (0 = none), msg_a / msg_b (the "message":..,"action_id":".." span in middle), g_n (number of
# guardrails; the list closes at the end of middle)
HEADER = Struct("<HHHBHBHHB")
FAST = Struct("<HHHB")
CHANNEL_OFFSET = 9
HEADER_SIZE = HEADER.size  # 15
MAX_BODY = 0xFFFF
MAX_RECS = 0xFF
MAX_SHARED = 0xFFFF  # distinct heads / tails per snapshot

_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode
# customer ids made only of these characters need no JSON escaping (the common case)
PLAIN_ID_BYTES = (b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.:@+-")
_SUPPRESSED_MSG = b'"message":null,"action_id":"no_message"'
NOT_OVERRIDDEN = b',"overridden_by":null'  # ends every stored log fragment
SHADOW_ACTION = b',"shadow_action_id":'     # the challenger's decision, when there is one
_PROPENSITY = b'"propensity":'
_CERTAIN = b',"propensity":1.0'
_ACTION = b',"action_id":'
_OVERRIDDEN_LOG = (b'"propensity":1.0,"action_id":"no_message","overridden_by":%b,'
                   b'"policy_action_id":%b,"policy_propensity":%b')


def jbytes(value: Any) -> bytes:
    """Compact JSON (UTF-8, non-ASCII kept) of ``value``; NaN / inf are refused."""
    return _dumps(value).encode()


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
    """A gold.decisions row (as from ``Table.to_pylist``) → its response record (+ the
    challenger's shadow decision, which only the decision log carries)."""
    record = response_record(
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
    return {**record, "shadow_action_id": row.get("shadow_action_id"),
            "shadow_propensity": row.get("shadow_propensity")}


# ------------------------------------------------------------------------ the stored value

def _shared_index(table: list[bytes], part: bytes) -> int:
    try:
        return table.index(part)
    except ValueError:
        if len(table) >= MAX_SHARED:
            raise ValueError(f"more than {MAX_SHARED} distinct heads / tails") from None
        table.append(part)
        return len(table) - 1


def compile_value(record: dict[str, Any], heads: list[bytes], tails: list[bytes]) -> bytes:
    """The stored value of a response record (reference encoder; see the module docstring).

    Its head and tail are looked up in (or appended to) ``heads`` / ``tails``.
    """
    if "user_id" in record:
        raise ValueError("records are stored without user_id; the server adds it per request")
    message = record["message"]
    head = (b'"known":' + jbytes(record["known"]) + b',"snapshot_id":'
            + jbytes(record["snapshot_id"]) + b',"decisions_version":'
            + jbytes(record["decisions_version"]) + b',"policy_version":'
            + jbytes(record["policy_version"]) + b',"recommendations":[')
    tail = b'],"provenance":' + jbytes(record["provenance"]) + b"}"
    recs = [jbytes(r) for r in record["recommendations"]]
    starts, pos = [], 0
    for r in recs:
        starts.append(pos)
        pos += len(r) + 1
    joined = b",".join(recs)
    msg = b'"message":' + jbytes(message) + b',"action_id":' + jbytes(record["action_id"])
    propensity = jbytes(record["propensity"])
    middle = (joined + b"]," + msg + b',"propensity":' + propensity + b',"holdout":'
              + jbytes(record["holdout"]) + b',"explanation":' + jbytes(record["explanation"])
              + b',"guardrails":[' + b",".join(jbytes(g) for g in record["guardrails"]))
    msg_a = len(joined) + 2
    logfrag = _PROPENSITY + propensity
    lf_p = len(logfrag)
    logfrag += _ACTION + jbytes(record["action_id"] or NO_MESSAGE)
    channel = 0
    if message is not None:
        channel = CHANNEL_CODES.get(message["channel"], 0)
        if not channel:
            raise ValueError(f"unknown message channel {message['channel']!r}; "
                             f"known: {CHANNELS}")
        logfrag += (b',"channel":' + jbytes(message["channel"]) + b',"send_hour":'
                    + jbytes(message["send_hour"]) + b',"discount":'
                    + jbytes(message["discount"]))
    if record.get("shadow_action_id") is not None:
        logfrag += (SHADOW_ACTION + jbytes(record["shadow_action_id"]) + b',"shadow_propensity":'
                    + jbytes(record.get("shadow_propensity")))
    logfrag += NOT_OVERRIDDEN
    if len(middle) > MAX_BODY or len(recs) > MAX_RECS:
        raise ValueError(f"record too large to store: {len(middle)} bytes, {len(recs)} items "
                         f"(limits {MAX_BODY} bytes, {MAX_RECS} items)")
    header = HEADER.pack(len(logfrag), _shared_index(heads, head), _shared_index(tails, tail),
                         len(recs), lf_p, channel, msg_a, msg_a + len(msg),
                         len(record["guardrails"]))
    offsets = Struct(f"<{len(recs) + 1}H").pack(*starts, len(joined))
    return header + offsets + logfrag + middle


def split_value(value: bytes) -> tuple[tuple[int, ...], tuple[int, ...], bytes, bytes]:
    """(header fields, rec offsets, log fragment, middle) of a stored value (tests, tools)."""
    fields = HEADER.unpack_from(value)
    n = fields[3]
    offsets = Struct(f"<{n + 1}H").unpack_from(value, HEADER_SIZE)
    start = HEADER_SIZE + 2 * (n + 1)
    return fields, offsets, value[start:start + fields[0]], value[start + fields[0]:]


def render(value: bytes, heads: list[bytes], tails: list[bytes], k: int | None = None,
           drop_items: frozenset[str] | None = None, suppress: bytes | None = None,
           overridden_by: bytes | None = None) -> tuple[bytes, bytes]:
    """(body, log fragment) of ``value`` after the request-time edits.

    ``drop_items`` removes those item ids (just bought), then ``k`` keeps the first k;
    ``suppress`` (a JSON string literal, e.g. ``b'"consent_revoked:email"'``) replaces the
    message by null / no_message and appends that guardrail; if there was a message, the body's
    propensity becomes 1.0 and the log fragment records the override (module docstring) with
    ``overridden_by`` (a JSON string literal; default: the guardrail up to its ``:``).
    """
    lf_len, head, tail, n, lf_p, chan, msg_a, msg_b, g_n = HEADER.unpack_from(value)
    start = HEADER_SIZE + 2 * (n + 1)
    logfrag = value[start:start + lf_len]
    middle = value[start + lf_len:]
    parts = [heads[head]]
    pos = 0
    if n and ((k is not None and k < n) or drop_items):
        offsets = Struct(f"<{n + 1}H").unpack_from(value, HEADER_SIZE)
        keep = []
        limit = n if k is None else k
        for i in range(n):
            if len(keep) >= limit:
                break
            element = middle[offsets[i]:offsets[i + 1] - (1 if i < n - 1 else 0)]
            if drop_items and json.loads(element)["item_id"] in drop_items:
                continue
            keep.append(element)
        parts.append(b",".join(keep))
        pos = offsets[n]
    if suppress is not None:
        parts.append(middle[pos:msg_a])
        parts.append(_SUPPRESSED_MSG)
        if chan:   # a message was replaced: serving no_message was certain, as in the log
            # middle continues with ',' + the same '"propensity":p' the log fragment starts with
            parts.append(_CERTAIN)
            parts.append(middle[msg_b + 1 + lf_p:])
        else:
            parts.append(middle[msg_b:])
        parts.append(b"," + suppress if g_n else suppress)
        if chan:
            logfrag = _overridden_log(logfrag, lf_p, overridden_by or
                                      suppress.split(b":", 1)[0].rstrip(b'"') + b'"')
    else:
        parts.append(middle[pos:] if pos else middle)
    parts.append(tails[tail])
    return b"".join(parts), logfrag


def _overridden_log(logfrag: bytes, lf_p: int, rule: bytes) -> bytes:
    """The log fragment of a message a rule suppressed: served no_message, policy's choice kept."""
    start = lf_p + len(_ACTION)
    # the action id ends where the message's channel starts (a quote inside the id is escaped,
    # so the id cannot contain this); render only calls this for values with a message
    end = logfrag.find(b',"channel":', start)
    shadow = logfrag.find(SHADOW_ACTION, end)
    kept = logfrag[shadow:-len(NOT_OVERRIDDEN)] if shadow >= 0 else b""   # the challenger's part
    return _OVERRIDDEN_LOG % (rule, logfrag[start:end], logfrag[len(_PROPENSITY):lf_p]) + kept


def message_channel(value: bytes) -> int:
    """Channel code of the stored decision's message (0 = no message)."""
    return value[CHANNEL_OFFSET]


def user_id_json(raw: bytes) -> bytes:
    """``raw`` (UTF-8 customer id from the URL) as a JSON string; UnicodeDecodeError if invalid."""
    if not raw.translate(None, PLAIN_ID_BYTES):  # only characters that need no escaping
        return b'"' + raw + b'"'
    return _dumps(raw.decode("utf-8")).encode()


def response_body(user_id: bytes, body: bytes, surface: bytes | None = None) -> bytes:
    """Full JSON body: ``{"user_id":<id>,`` + the stored body (``user_id`` already JSON)."""
    if surface is None:
        return b'{"user_id":' + user_id + b"," + body
    return b'{"user_id":' + user_id + b',"surface":' + surface + b"," + body
