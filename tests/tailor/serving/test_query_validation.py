"""Query parameters: k trims recommendations, channel keeps a message only on that channel,
surface is echoed; anything invalid (bad k, unknown channel or surface, unknown or repeated
parameter) is a 400 with a JSON error naming the problem."""
import pytest


def test_valid_parameters(client, message_customer):
    customer = message_customer("email")
    full = client.get(f"/v1/decisions/{customer}").json()
    two = client.get(f"/v1/decisions/{customer}?k=2").json()
    assert two["recommendations"] == full["recommendations"][:2]
    assert client.get(f"/v1/decisions/{customer}?k=0").json()["recommendations"] == []
    assert client.get(f"/v1/decisions/{customer}?channel=email").json()["message"] == \
        full["message"]
    other = client.get(f"/v1/decisions/{customer}?channel=push").json()
    assert other["message"] is None and "channel_not_requested:email" in other["guardrails"]
    surfaced = client.get(f"/v1/decisions/{customer}?surface=home&k=1").json()
    assert surfaced["surface"] == "home" and len(surfaced["recommendations"]) == 1
    assert list(surfaced)[:2] == ["user_id", "surface"]


@pytest.mark.parametrize("query,needle", [
    ("k=-1", "k must be"), ("k=abc", "k must be"), ("k=1000000", "k must be"), ("k=", "k must be"),
    ("k=" + "9" * 5000, "k must be"), ("k=1.0", "k must be"),
    ("channel=pigeon", "channel must be"), ("surface=moon", "surface must be"),
    ("colour=blue", "unknown query parameter"), ("k=1&k=2", "twice")])
def test_invalid_parameters_are_400(client, query, needle):
    resp = client.get(f"/v1/decisions/c-0001?{query}")
    assert resp.status_code == 400
    assert resp.json()["error"] == "bad_request" and needle in resp.json()["detail"]
