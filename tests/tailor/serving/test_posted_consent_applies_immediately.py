"""A consent revocation POSTed to the server applies to the very next decision (before any
pipeline run), also after the server restarts (replayed from its landing files), and a later
overlay version that does not list it yet cannot lift it."""
import time


def _revoke(client, auth, customer, granted=False):
    resp = client.post("/v1/events", headers=auth, json={
        "event_type": "consent_change", "customer_id": customer, "channel": "email",
        "granted": granted})
    assert resp.status_code == 202, resp.text


def test_posted_revocation_applies_at_once_and_survives_restart(
        published, start_server, events_auth, message_customer, write_overlay, wait_until):
    import httpx

    customer = message_customer("email")
    srv = start_server()
    with httpx.Client(base_url=srv.url, trust_env=False, timeout=10) as client:
        assert client.get(f"/v1/decisions/{customer}").json()["message"] is not None
        _revoke(client, events_auth, customer)
        body = client.get(f"/v1/decisions/{customer}").json()  # no waiting: immediately
        assert body["message"] is None and "consent_revoked:email" in body["guardrails"]
        # a nearline version written before it saw the revocation must not lift it
        write_overlay({"someone-else": (["sms"], 0, [])})
        wait_until(lambda: srv.call(lambda: srv.server.overlay.nearline.version) is not None)
        time.sleep(0.3)
        assert client.get(f"/v1/decisions/{customer}").json()["message"] is None
    srv.stop()

    restarted = start_server()
    with httpx.Client(base_url=restarted.url, trust_env=False, timeout=10) as client:
        assert client.get(f"/v1/decisions/{customer}").json()["message"] is None
        _revoke(client, events_auth, customer, granted=True)  # a later grant lifts it
        assert client.get(f"/v1/decisions/{customer}").json()["message"] is not None
