"""validate_event gives each kind of bad event its reason, decided in the contract's order:
required basics, then each field's JSON type, then the event type's requirements, then values."""
import pytest

from tailor.events import validate_event

VIEW = {"event_id": "e", "event_type": "view", "ts": "2026-09-01T00:00:00Z", "anonymous_id": "a",
        "item_id": "I"}


@pytest.mark.parametrize("change, reason", [
    ({}, None),
    ({"event_id": ""}, "missing:event_id"),
    ({"ts": None}, "missing:ts"),
    ({"item_id": 5}, "bad_type:item_id"),                # a number where a string belongs
    ({"price": "5"}, "bad_type:price"),                  # a string where a number belongs
    ({"quantity": True}, "bad_type:quantity"),           # booleans are not numbers
    ({"granted": 1}, "bad_type:granted"),                # numbers are not booleans
    ({"quantity": 2.0, "price": 3}, None),               # 2.0 is an integer, 3 a number
    ({"quantity": 2.5}, "bad_type:quantity"),
    ({"category": ["x"]}, "bad_type:category"),
    ({"unknown": [1], "channel": None}, None),           # unknown fields and nulls are ignored
    ({"event_type": "nope"}, "unknown_event_type:nope"),
    ({"anonymous_id": ""}, "missing:customer_id|anonymous_id|device_id"),
    ({"anonymous_id": None, "device_id": "d"}, None),    # one of the options is enough
    ({"item_id": ""}, "missing:item_id"),
    ({"ts": "yesterday"}, "bad_ts"),
    ({"received_at": "soon"}, "bad_value:received_at"),
    ({"channel": "fax"}, "bad_value:channel"),
    ({"price": -1}, "bad_value:price"),
    ({"quantity": 2 ** 31}, "bad_value:quantity"),         # bronze holds 32-bit integers
    ({"quantity": -(2 ** 31)}, None),
    ({"quantity": 1e300}, "bad_value:quantity"),               # an integral float, too large
    ({"item_id": 5, "price": -1}, "bad_type:item_id"),   # types are checked before values
])
def test_reason(change, reason):
    assert validate_event({**VIEW, **change}) == reason


def test_message_requirements_and_ranges():
    sent = {"event_id": "m", "event_type": "message_sent", "ts": "2026-09-01T00:00:00Z",
            "customer_id": "C", "channel": "email", "message_id": "M", "action_id": "a",
            "send_hour": 9, "discount": 0.1, "propensity": 0.5}
    assert validate_event(sent) is None
    assert validate_event({**sent, "send_hour": 24}) == "bad_value:send_hour"
    assert validate_event({**sent, "propensity": 0}) == "bad_value:propensity"
    assert validate_event({k: v for k, v in sent.items() if k != "discount"}) == "missing:discount"
    assert validate_event([sent]) == "not_an_object"
