"""POST /v1/decisions:batch answers, in request order, exactly what the single lookups answer
(known, unknown and odd ids, with the same parameters); bad bodies are 400s, also a k that is
not an integer in the JSON Schema sense (1.5, "2", null, true: 2.0 is the integer 2) and a null
surface or channel (leave a field out instead)."""
import json
from urllib.parse import quote

import pytest


def test_batch_equals_single_lookups(client, odd_customer, message_customer):
    ids = [message_customer(), "never-seen", odd_customer, "c-0003"]
    batch = client.post("/v1/decisions:batch", json={"user_ids": ids, "k": 2, "channel": "email",
                                                     "surface": "cart"})
    assert batch.status_code == 200
    singles = [client.get(f"/v1/decisions/{quote(u, safe='')}?k=2&channel=email&surface=cart")
               .json() for u in ids]
    assert batch.json()["decisions"] == singles


@pytest.mark.parametrize("body", [b"", b"[1,2]", b'{"user_ids": "c-1"}', b'{"user_ids": [1]}',
                                  b'{"user_ids": ["a"], "k": -1}', b'{"user_ids": ["a"], "x": 1}',
                                  json.dumps({"user_ids": ["a"] * 1001}).encode(), b"{nope",
                                  b'{"user_ids": ["a"], "k": 1.5}', b'{"user_ids": ["a"], "k": "2"}',
                                  b'{"user_ids": ["a"], "k": null}', b'{"user_ids": ["a"], "k": true}',
                                  b'{"user_ids": ["a"], "surface": null}',
                                  b'{"user_ids": ["a"], "channel": null}', b'{"user_ids": [""]}',
                                  b'{"user_ids": ["\\udc00"]}'])
def test_bad_batch_bodies_are_400(client, body):
    resp = client.post("/v1/decisions:batch", content=body)
    assert resp.status_code == 400 and resp.json()["error"] == "bad_request"


def test_integral_float_k_is_an_integer(client):
    two = client.post("/v1/decisions:batch", json={"user_ids": ["c-0001"], "k": 2.0})
    assert two.status_code == 200
    assert two.json() == client.post("/v1/decisions:batch",
                                     json={"user_ids": ["c-0001"], "k": 2}).json()
