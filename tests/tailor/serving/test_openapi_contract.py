"""The OpenAPI document says what the server does: bodies the server refuses extra fields in
are ``additionalProperties: false``; an events array has at least one item; each event type's
required fields come from ``tailor.events.REQUIRED_BY_TYPE`` and its value ranges are the
validator's; rollback documents its 409 and the lookups their 503 (a record that fails its
checksum)."""
from tailor.events import REQUIRED_BY_TYPE, validate_event
from tailor.serving.openapi import document


def _doc():
    return document(surfaces=["home"], max_k=10, max_batch=5, max_events=7)


def _body(doc, path):
    return doc["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"]


def _resolve(doc, schema):
    while "$ref" in schema:
        schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def test_bodies_refuse_extra_fields_where_the_server_does():
    doc = _doc()
    batch = _body(doc, "/v1/decisions:batch")
    assert batch["additionalProperties"] is False
    assert batch["properties"]["user_ids"]["items"]["minLength"] == 1
    assert batch["properties"]["k"] == {"type": "integer", "minimum": 0, "maximum": 10}
    assert _body(doc, "/v1/admin/rollback")["additionalProperties"] is False


def test_event_arrays_are_bounded_and_non_empty():
    doc = _doc()
    arrays = [s for s in _body(doc, "/v1/events")["anyOf"]
              if s.get("type") == "array" or "events" in s.get("properties", {})]
    assert len(arrays) == 2
    for schema in arrays:
        array = schema if schema.get("type") == "array" else next(
            s for s in schema["properties"]["events"]["anyOf"] if s.get("type") == "array")
        assert (array["minItems"], array["maxItems"]) == (1, 7)


def test_event_required_fields_per_type_come_from_events_py():
    doc = _doc()
    branches = _resolve(doc, {"$ref": "#/components/schemas/Event"})["oneOf"]
    by_type = {}
    for branch in map(lambda b: _resolve(doc, b), branches):
        by_type[branch["properties"]["event_type"]["const"]] = branch
    assert set(by_type) == set(REQUIRED_BY_TYPE)
    for etype, required in REQUIRED_BY_TYPE.items():
        schema = by_type[etype]
        plain = [r for r in required if isinstance(r, str)]
        one_of = [r for r in required if isinstance(r, tuple)]
        assert set(schema["required"]) == {"event_type", *plain}, etype
        assert [{*a["required"]} for alt in schema.get("allOf", []) for a in alt["anyOf"]] == \
            [{name} for group in one_of for name in group], etype


def test_event_value_ranges_are_the_validators():
    """A schema-valid event is never refused for a number out of range: integer fields are
    int32 and number fields a double in both the document and ``validate_event``."""
    import jsonschema

    doc = _doc()
    schema = {**_resolve(doc, {"$ref": "#/components/schemas/Event"}),
              "components": doc["components"]}
    purchase = {"event_id": "e-1", "event_type": "purchase", "ts": "2026-12-06T18:00:00Z",
                "customer_id": "c-1", "item_id": "i-1", "price": 1.0, "quantity": 1}
    for field, value in [("quantity", 2 ** 31 - 1), ("quantity", -(2 ** 31)),
                         ("quantity", 2 ** 31), ("quantity", -169980705219367),
                         ("price", 2 ** 1023), ("price", 2 ** 1024), ("price", 1e308)]:
        event = {**purchase, field: value}
        in_schema = jsonschema.Draft202012Validator(schema).is_valid(event)
        assert in_schema == (validate_event(event) is None), (field, value)


def test_documented_error_statuses():
    paths = _doc()["paths"]
    assert "409" in paths["/v1/admin/rollback"]["post"]["responses"]
    for path, method in (("/v1/decisions/{user_id}", "get"), ("/v1/decisions:batch", "post")):
        responses = paths[path][method]["responses"]
        assert "503" in responses and "Retry-After" in responses["503"]["headers"]
