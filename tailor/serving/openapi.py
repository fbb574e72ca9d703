"""The lookup server's routes, and the OpenAPI 3.1 document generated from the same table.

``ROUTES`` is the single list the router (``app``) dispatches from and this document describes,
so the two cannot drift (``tests/tailor/serving/test_openapi_matches_routes.py`` checks that
every documented operation is answered and nothing else is). The schemas say what the server
accepts, no more and no less (a schemathesis run against a live server checks both ways,
``tests/tailor/serving/test_schemathesis.py``): bodies that refuse unknown fields say
``additionalProperties: false``, events are one schema per event type generated from
``tailor.events`` (its required fields and types), and every status the server answers an
operation with is listed.
"""
from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from typing import Any

from tailor.events import CHANNELS, EVENT_FIELDS, INT_MAX, INT_MIN, REQUIRED_BY_TYPE

DECISION_PATH = "/v1/decisions/{user_id}"


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    handler: str          # DecisionApp method name (the decision route is inlined in handle)
    summary: str
    scope: str | None = None  # API key scope required: events | admin | None
    tag: str = "decisions"
    extra: dict[str, Any] = field(default_factory=dict)


ROUTES: tuple[Route, ...] = (
    Route("GET", DECISION_PATH, "_decision", "The precomputed decision for one user, with the "
          "nearline overlay applied; logged as a decision_served event."),
    Route("POST", "/v1/decisions:batch", "_batch", "Decisions for up to serving.max_batch users "
          "(same rules and logging as the single lookup)."),
    Route("POST", "/v1/events", "_events", "Land outcomes, impressions and consent changes. "
          "Acknowledged (202) only once written to a landing file (and fsynced, per "
          "serving.events.fsync); consent revocations apply to decisions at once.",
          scope="events", tag="events"),
    Route("GET", "/healthz", "_healthz", "Liveness: the process answers; names the snapshot.",
          tag="operations"),
    Route("GET", "/readyz", "_readyz", "Readiness: 200 when a snapshot is served, the overlay "
          "is loaded (if its table exists) and events can be landed; 503 otherwise.",
          tag="operations"),
    Route("GET", "/metrics", "_metrics", "Prometheus metrics (text format 0.0.4).",
          tag="operations"),
    Route("GET", "/openapi.json", "_openapi", "This document.", tag="operations"),
    Route("GET", "/v1/admin/snapshots", "_admin_snapshots", "Snapshots on disk, the served "
          "one, the publish/rollback stack.", scope="admin", tag="admin"),
    Route("POST", "/v1/admin/reload", "_admin_reload", "Re-read CURRENT now instead of at the "
          "next poll; answers with the snapshot served afterwards.", scope="admin", tag="admin"),
    Route("POST", "/v1/admin/rollback", "_admin_rollback", "Point CURRENT back at the "
          "previously published snapshot (or body {\"to\": id}) and serve it.", scope="admin",
          tag="admin"),
)


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


_ERRORS = {400: "Invalid input", 401: "Missing or unknown API key",
           403: "The key may not do this (or no keys are configured)", 404: "No such route",
           405: "Wrong method", 409: "Refused: nothing valid to roll back to, or no valid "
           "snapshot with that id", 413: "Body too large (serving.max_body_bytes)",
           422: "Events failed validation (nothing was written)"}
_UNAVAILABLE = ("Over the connection cap (serving.connections.max; answered before the request "
                "is read)")


def _error_responses(*codes: int, unavailable: str = "") -> dict[str, Any]:
    """The listed error statuses, plus the 503 every operation may answer (``unavailable``: what
    else makes this one answer 503)."""
    out = {str(c): {"description": _ERRORS[c], "content": {"application/json": {
        "schema": _ref("Error")}}} for c in codes}
    out["503"] = {"description": _UNAVAILABLE + (f"; or {unavailable}" if unavailable else ""),
                  "headers": {"Retry-After": {"description": "seconds to wait before a retry "
                                                             "(when given)",
                                              "schema": {"type": "integer"}}},
                  "content": {"application/json": {"schema": _ref("Error")}}}
    return out


# validate_event's checks beyond a field's JSON type (tailor/events.py), per field
_VALUE_RULES: dict[str, dict[str, Any]] = {
    "channel": {"enum": list(CHANNELS)},
    "propensity": {"exclusiveMinimum": 0, "maximum": 1},
    "send_hour": {"minimum": 0, "maximum": 23},
    "price": {"minimum": 0},
}
_JSON_TYPES = {str: "string", int: "integer", bool: "boolean", (int, float): "number"}
# validate_event's range of every integer field (int32 in bronze) and number field (a double)
_RANGES: dict[str, dict[str, Any]] = {
    "integer": {"format": "int32", "minimum": INT_MIN, "maximum": INT_MAX},
    "number": {"format": "double", "minimum": -sys.float_info.max,
               "maximum": sys.float_info.max},
}


def _field(name: str, required: bool) -> dict[str, Any]:
    """A field of tailor.events.EVENT_FIELDS: a required one must hold a (non-empty) value; an
    optional one may be null (the server treats null as absent)."""
    kind = _JSON_TYPES[EVENT_FIELDS[name]]
    schema: dict[str, Any] = {"type": kind if required else [kind, "null"],
                              **_RANGES.get(kind, {}), **_VALUE_RULES.get(name, {})}
    if "exclusiveMinimum" in schema:
        del schema["minimum"]
    if required and kind == "string" and "enum" not in schema:
        schema["minLength"] = 1
    if not required and "enum" in schema:
        schema["enum"] = [*schema["enum"], None]
    return schema


def _event_schemas() -> dict[str, Any]:
    """``Event`` (one of the per-type schemas) and one ``Event.<type>`` per event type, built
    from tailor.events.REQUIRED_BY_TYPE: plain names are required, a tuple needs one of its
    names. Unknown fields are ignored by the server (and land as sent), except ``events``,
    which makes a body the ``{"events": [...]}`` wrapper."""
    common = {name: _field(name, False) for name in EVENT_FIELDS}
    common["event_id"]["description"] = ("globally unique (ingest dedupes on it); assigned by "
                                         "the server if missing or empty — send your own to "
                                         "retry safely")
    common["ts"] = {"anyOf": [{"type": "string", "format": "date-time"}, {"enum": ["", None]}],
                    "description": "ISO-8601 / RFC 3339 time of the event; the server's clock "
                                   "if missing or empty"}
    schemas: dict[str, Any] = {}
    for etype, required in REQUIRED_BY_TYPE.items():
        plain = [r for r in required if isinstance(r, str)]
        groups = [r for r in required if isinstance(r, tuple)]
        schema: dict[str, Any] = {
            "type": "object", "title": f"{etype} event", "required": ["event_type", *plain],
            "properties": {**common, "event_type": {"const": etype},
                           **{name: _field(name, True) for name in plain}, "events": False}}
        if groups:
            schema["allOf"] = [{"anyOf": [{"required": [name], "properties": {
                name: _field(name, True)}} for name in group]} for group in groups]
        schemas[f"Event.{etype}"] = schema
    schemas["Event"] = {"description": "One landing event (tailor/events.py): the fields its "
                                       "event_type requires, any others as documented.",
                        "oneOf": [_ref(name) for name in schemas]}
    return schemas


def _decision_schema() -> dict[str, Any]:
    rec = {"type": "object", "properties": {"item_id": {"type": "string"},
                                            "score": {"type": ["number", "null"]}}}
    message = {"type": ["object", "null"], "properties": {
        "action_id": {"type": "string"}, "channel": {"type": "string", "enum": list(CHANNELS)},
        "send_hour": {"type": ["integer", "null"]}, "offer": {"type": ["string", "null"]},
        "discount": {"type": ["number", "null"]}}}
    return {"type": "object", "required": ["user_id", "known", "snapshot_id", "recommendations",
                                           "message", "action_id", "propensity", "holdout",
                                           "guardrails", "provenance"],
            "properties": {
                "user_id": {"type": "string"},
                "surface": {"type": "string", "description": "echoed when the request names one"},
                "known": {"type": "boolean", "description": "false: fallback for unknown users"},
                "snapshot_id": {"type": "string"},
                "decisions_version": {"type": ["integer", "null"]},
                "policy_version": {},
                "recommendations": {"type": "array", "items": rec},
                "message": message,
                "action_id": {"type": ["string", "null"]},
                "propensity": {"type": ["number", "null"],
                               "description": "probability of serving this action_id (log it "
                                              "with the outcome for off-policy evaluation); 1.0 "
                                              "when a guardrail replaced the policy's message"},
                "holdout": {"type": "boolean"},
                "explanation": {"type": ["string", "null"]},
                "guardrails": {"type": "array", "items": {"type": "string"},
                               "description": "e.g. consent_revoked:email, frequency_cap:2/day, "
                                              "channel_not_requested:push, holdout"},
                "provenance": {"type": "object"}}}


def document(surfaces: list[str], max_k: int, max_batch: int, max_events: int,
             version: str = "1") -> dict[str, Any]:
    """The OpenAPI 3.1 document for the configured limits."""
    query = [
        {"name": "surface", "in": "query", "required": False,
         "schema": {"type": "string", "enum": list(surfaces)},
         "description": "decision point asking (echoed in the answer)"},
        {"name": "channel", "in": "query", "required": False,
         "schema": {"type": "string", "enum": list(CHANNELS)},
         "description": "only return a message on this channel (else message null)"},
        {"name": "k", "in": "query", "required": False,
         "schema": {"type": "integer", "minimum": 0, "maximum": max_k},
         "description": "at most k recommendations"},
    ]
    ops: dict[str, dict[str, Any]] = {}
    for route in ROUTES:
        op: dict[str, Any] = {"operationId": route.handler.strip("_"), "summary": route.summary,
                              "tags": [route.tag]}
        if route.scope:
            op["security"] = [{"bearer": []}, {"apiKey": []}]
        corrupt = ("a record failed its checksum: the server is rolling back to the previous "
                   "snapshot (Retry-After: 1)")
        if route.path == DECISION_PATH:
            op["parameters"] = [{"name": "user_id", "in": "path", "required": True,
                                 "schema": {"type": "string", "minLength": 1},
                                 "description": "the app's customer id (percent-encode '/')"},
                                *query]
            op["responses"] = {"200": {"description": "the decision", "content": {
                "application/json": {"schema": _ref("Decision")}}},
                **_error_responses(400, 404, unavailable=corrupt)}
        elif route.handler == "_batch":
            op["requestBody"] = {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": ["user_ids"], "additionalProperties": False,
                "properties": {
                    "user_ids": {"type": "array", "items": {"type": "string", "minLength": 1},
                                 "maxItems": max_batch},
                    "surface": query[0]["schema"], "channel": query[1]["schema"],
                    "k": query[2]["schema"]}}}}}
            op["responses"] = {"200": {"description": "decisions in request order", "content": {
                "application/json": {"schema": {"type": "object", "properties": {
                    "decisions": {"type": "array", "items": _ref("Decision")}}}}}},
                **_error_responses(400, 413, unavailable=corrupt)}
        elif route.handler == "_events":
            many = {"type": "array", "items": _ref("Event"), "minItems": 1,
                    "maxItems": max_events}
            op["requestBody"] = {"required": True, "content": {"application/json": {"schema": {
                "anyOf": [_ref("Event"),
                          {"type": "object", "required": ["events"],
                           "properties": {"events": {
                               "anyOf": [many, _ref("Event")],
                               "description": "the events (one event object counts as a list "
                                              "of one)"}},
                           "description": "the events wrapped; other fields are ignored"},
                          {**many, "description": "a bare array of events"}]}}}}
            op["responses"] = {"202": {"description": "written (and fsynced per policy)",
                                       "content": {"application/json": {"schema": {
                                           "type": "object", "properties": {
                                               "accepted": {"type": "integer"},
                                               "event_ids": {"type": "array",
                                                             "items": {"type": "string"}}}}}}},
                               **_error_responses(400, 401, 403, 413, 422, unavailable=(
                                   "events could not be written (or no landing directory)"))}
        elif route.handler == "_metrics":
            op["responses"] = {"200": {"description": "metrics", "content": {
                "text/plain": {"schema": {"type": "string"}}}}, **_error_responses()}
        elif route.handler == "_readyz":
            op["responses"] = {"200": {"description": "ready", "content": {"application/json": {
                "schema": {"type": "object"}}}}, **_error_responses(
                    unavailable="not ready: the body says why")}
        else:
            codes: tuple[int, ...] = (401, 403) if route.scope else ()
            if route.handler == "_admin_rollback":
                op["requestBody"] = {"required": False, "content": {"application/json": {
                    "schema": {"type": "object", "additionalProperties": False,
                               "properties": {"to": {
                                   "type": ["string", "null"],
                                   "description": "a snapshot id; default: the one published "
                                                  "before the current one"}}}}}}
                codes = (400, 401, 403, 409)
            op["responses"] = {"200": {"description": "OK", "content": {"application/json": {
                "schema": {"type": "object"}}}}, **_error_responses(*codes)}
        ops.setdefault(route.path, {})[route.method.lower()] = op
    return {
        "openapi": "3.1.0",
        "info": {"title": "Tailor lookup server", "version": version,
                 "description": "Precomputed per-user decisions with a nearline overlay; events "
                                "back into the lakehouse. HEAD works on every GET route (no "
                                "body). On any route: a request line + headers over "
                                "serving.max_head_bytes is a 431, a request target over 8 KiB "
                                "a 414, a request that does not arrive within "
                                "serving.timeouts.* a 408, and past serving.connections.max "
                                "open connections a new one is answered 503 (Retry-After)."},
        "paths": ops,
        "components": {
            "schemas": {"Decision": _decision_schema(), **_event_schemas(),
                        "Error": {"type": "object", "required": ["error", "detail"],
                                  "properties": {"error": {"type": "string"},
                                                 "detail": {"type": "string"}}}},
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"},
                                "apiKey": {"type": "apiKey", "in": "header",
                                           "name": "X-API-Key"}}},
    }


def document_bytes(**kwargs: Any) -> bytes:
    return json.dumps(document(**kwargs), indent=1).encode()
