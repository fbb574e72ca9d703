"""The server fills in an event's ``event_id`` and ``ts`` only when they are missing, null or
empty (as /openapi.json says); other falsy values (false, 0, [], {}) are refused: 422, nothing
written."""
import pytest

EVENT = {"event_type": "view", "customer_id": "c-0001", "item_id": "i1"}


@pytest.mark.parametrize("field,value", [("ts", False), ("ts", 0), ("ts", []),
                                         ("event_id", 0), ("event_id", {})])
def test_falsy_non_string_is_refused(full_client, events_auth, field, value):
    resp = full_client.post("/v1/events", headers=events_auth, json={**EVENT, field: value})
    assert resp.status_code == 422, resp.text
    (problem,) = resp.json()["problems"]
    assert problem["index"] == 0 and problem["reason"].endswith(f":{field}")


@pytest.mark.parametrize("value", [None, ""])
def test_missing_or_empty_is_filled_in(full_client, events_auth, value):
    resp = full_client.post("/v1/events", headers=events_auth,
                            json={**EVENT, "ts": value, "event_id": value})
    assert resp.status_code == 202 and len(resp.json()["event_ids"][0]) == 32
