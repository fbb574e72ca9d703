"""The lookup server's routes, and the OpenAPI 3.1 document generated from the same table.

``ROUTES`` is the single list the router (``app``) dispatches from and this document describes,
so the two cannot drift (``tests/tailor/serving/test_openapi_matches_routes.py`` checks that
every documented operation is answered and nothing else is).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from tailor.events import EVENT_FIELDS, REQUIRED_BY_TYPE
from tailor.serving.records import CHANNELS

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


def _error_responses(*codes: int) -> dict[str, Any]:
    text = {400: "Invalid input", 401: "Missing or unknown API key", 403: "The key may not do "
            "this (or no keys are configured)", 404: "No such route", 405: "Wrong method",
            413: "Body too large", 422: "Events failed validation (nothing was written)",
            503: "Not ready / events could not be written"}
    return {str(c): {"description": text[c], "content": {"application/json": {
        "schema": _ref("Error")}}} for c in codes}


def _event_schema() -> dict[str, Any]:
    types = {str: {"type": "string"}, int: {"type": "integer"}, bool: {"type": "boolean"},
             (int, float): {"type": "number"}}
    props = {name: dict(types[t]) for name, t in EVENT_FIELDS.items()}
    props["event_type"]["enum"] = list(REQUIRED_BY_TYPE)
    props["channel"]["enum"] = list(CHANNELS)
    props["event_id"]["description"] = ("globally unique (ingest dedupes on it); assigned by the "
                                         "server if omitted — send your own to retry safely")
    props["ts"]["description"] = "ISO-8601 UTC; the server's clock if omitted"
    required = "; ".join(f"{t}: {', '.join('|'.join(r) if isinstance(r, tuple) else r for r in reqs)}"
                         for t, reqs in REQUIRED_BY_TYPE.items())
    return {"type": "object", "required": ["event_type"], "properties": props,
            "description": "One landing event (tailor/events.py). Required by type — " + required}


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
        if route.path == DECISION_PATH:
            op["parameters"] = [{"name": "user_id", "in": "path", "required": True,
                                 "schema": {"type": "string"},
                                 "description": "the app's customer id (percent-encode '/')"},
                                *query]
            op["responses"] = {"200": {"description": "the decision", "content": {
                "application/json": {"schema": _ref("Decision")}}}, **_error_responses(400, 404)}
        elif route.handler == "_batch":
            op["requestBody"] = {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": ["user_ids"], "properties": {
                    "user_ids": {"type": "array", "items": {"type": "string"},
                                 "maxItems": max_batch},
                    "surface": query[0]["schema"], "channel": query[1]["schema"],
                    "k": query[2]["schema"]}}}}}
            op["responses"] = {"200": {"description": "decisions in request order", "content": {
                "application/json": {"schema": {"type": "object", "properties": {
                    "decisions": {"type": "array", "items": _ref("Decision")}}}}}},
                **_error_responses(400, 413)}
        elif route.handler == "_events":
            op["requestBody"] = {"required": True, "content": {"application/json": {"schema": {
                "oneOf": [_ref("Event"), {"type": "object", "required": ["events"],
                                          "properties": {"events": {
                                              "type": "array", "items": _ref("Event"),
                                              "maxItems": max_events}}}]}}}}
            op["responses"] = {"202": {"description": "written (and fsynced per policy)",
                                       "content": {"application/json": {"schema": {
                                           "type": "object", "properties": {
                                               "accepted": {"type": "integer"},
                                               "event_ids": {"type": "array",
                                                             "items": {"type": "string"}}}}}}},
                               **_error_responses(400, 401, 403, 413, 422, 503)}
        elif route.handler == "_metrics":
            op["responses"] = {"200": {"description": "metrics", "content": {
                "text/plain": {"schema": {"type": "string"}}}}}
        elif route.handler == "_readyz":
            op["responses"] = {"200": {"description": "ready", "content": {"application/json": {
                "schema": {"type": "object"}}}}, **_error_responses(503)}
        else:
            codes = (401, 403, 503) if route.scope else ()
            if route.handler == "_admin_rollback":
                op["requestBody"] = {"required": False, "content": {"application/json": {
                    "schema": {"type": "object", "properties": {"to": {"type": "string"}}}}}}
                codes = (400, 401, 403, 503)
            op["responses"] = {"200": {"description": "OK", "content": {"application/json": {
                "schema": {"type": "object"}}}}, **_error_responses(*codes)}
        ops.setdefault(route.path, {})[route.method.lower()] = op
    return {
        "openapi": "3.1.0",
        "info": {"title": "Tailor lookup server", "version": version,
                 "description": "Precomputed per-user decisions with a nearline overlay; events "
                                "back into the lakehouse."},
        "paths": ops,
        "components": {
            "schemas": {"Decision": _decision_schema(), "Event": _event_schema(),
                        "Error": {"type": "object", "required": ["error", "detail"],
                                  "properties": {"error": {"type": "string"},
                                                 "detail": {"type": "string"}}}},
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"},
                                "apiKey": {"type": "apiKey", "in": "header",
                                           "name": "X-API-Key"}}},
    }


def document_bytes(**kwargs: Any) -> bytes:
    return json.dumps(document(**kwargs), indent=1).encode()
