"""POST /v1/decisions:batch answers, in request order, exactly what the single lookups answer
(known, unknown and odd ids, with the same parameters); bad bodies are 400s."""
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
                                  json.dumps({"user_ids": ["a"] * 1001}).encode(), b"{nope"])
def test_bad_batch_bodies_are_400(client, body):
    resp = client.post("/v1/decisions:batch", content=body)
    assert resp.status_code == 400 and resp.json()["error"] == "bad_request"
