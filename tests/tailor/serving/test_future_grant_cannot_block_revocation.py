"""A grant dated in the future (client clock skew) cannot outlive a revocation received after
it: the revocation (consent_change granted=false or unsubscribe) applies to the next answer."""
from datetime import datetime, timedelta, timezone

import httpx
import pytest


def _iso(delta: timedelta) -> str:
    return (datetime.now(timezone.utc) + delta).isoformat(timespec="seconds").replace("+00:00", "Z")


@pytest.mark.parametrize("revocation", [
    {"event_type": "consent_change", "granted": False},
    {"event_type": "unsubscribe"},
])
def test_revocation_after_future_dated_grant_wins(published, start_server, events_auth,
                                                  message_customer, revocation):
    customer = message_customer("email")
    srv = start_server()
    with httpx.Client(base_url=srv.url, trust_env=False, timeout=10) as client:
        grant = client.post("/v1/events", headers=events_auth, json={
            "event_type": "consent_change", "customer_id": customer, "channel": "email",
            "granted": True, "ts": _iso(timedelta(minutes=4))})  # within the allowed skew
        assert grant.status_code == 202, grant.text
        revoke = client.post("/v1/events", headers=events_auth, json={
            **revocation, "customer_id": customer, "channel": "email", "ts": _iso(timedelta(0))})
        assert revoke.status_code == 202, revoke.text
        body = client.get(f"/v1/decisions/{customer}").json()
        assert body["message"] is None and "consent_revoked:email" in body["guardrails"]
