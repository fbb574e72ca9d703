"""A revocation whose own ``ts`` is older than ``local_consent_ttl`` still applies: the TTL runs
from when the server received it, not from the client's event time, also after a restart."""
from datetime import datetime, timedelta, timezone

import httpx


def test_week_old_revocation_applies_now_and_after_restart(published, start_server, events_auth,
                                                           message_customer):
    customer = message_customer("email")
    week_ago = (datetime.now(timezone.utc) - timedelta(days=8)).isoformat().replace("+00:00", "Z")
    srv = start_server(local_consent_ttl=7 * 86400.0)
    with httpx.Client(base_url=srv.url, trust_env=False, timeout=10) as client:
        assert client.get(f"/v1/decisions/{customer}").json()["message"] is not None
        resp = client.post("/v1/events", headers=events_auth, json={
            "event_type": "consent_change", "customer_id": customer, "channel": "email",
            "granted": False, "ts": week_ago})
        assert resp.status_code == 202, resp.text
        assert client.get(f"/v1/decisions/{customer}").json()["message"] is None
    srv.stop()

    restarted = start_server(local_consent_ttl=7 * 86400.0)
    with httpx.Client(base_url=restarted.url, trust_env=False, timeout=10) as client:
        assert client.get(f"/v1/decisions/{customer}").json()["message"] is None
