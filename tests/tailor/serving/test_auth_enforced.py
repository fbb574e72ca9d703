"""Event ingestion and admin endpoints need an API key of the right scope: none or an unknown
one is a 401 JSON error (with WWW-Authenticate-style guidance), an events key on admin is a
403, a server with no keys configured refuses (403); decision reads need no key."""
import pytest

EVENT = {"event_type": "view", "customer_id": "c-0001", "item_id": "i1"}


@pytest.mark.parametrize("headers,status", [
    ({}, 401), ({"Authorization": "Bearer wrong"}, 401), ({"X-API-Key": "wrong"}, 401),
    ({"Authorization": "Basic dGVzdA=="}, 401),
    ({"Authorization": "Bearer test-events-key"}, 202), ({"X-API-Key": "test-events-key"}, 202),
    ({"X-API-Key": "test-admin-key"}, 202)])
def test_events_need_an_events_or_admin_key(full_client, headers, status):
    resp = full_client.post("/v1/events", json=EVENT, headers=headers)
    assert resp.status_code == status, resp.text
    if status != 202:
        assert resp.json()["error"] == "unauthorized" and resp.json()["detail"]


@pytest.mark.parametrize("method,path", [("GET", "/v1/admin/snapshots"),
                                         ("POST", "/v1/admin/reload"),
                                         ("POST", "/v1/admin/rollback")])
def test_admin_needs_an_admin_key(full_client, method, path):
    assert full_client.request(method, path).status_code == 401
    events_key = full_client.request(method, path, headers={"X-API-Key": "test-events-key"})
    assert events_key.status_code == 403 and events_key.json()["error"] == "forbidden"
    if path != "/v1/admin/rollback":  # (rollback would need a second snapshot)
        ok = full_client.request(method, path, headers={"X-API-Key": "test-admin-key"})
        assert ok.status_code == 200, ok.text


def test_no_configured_keys_refuses_everyone(published, start_server):
    import httpx

    srv = start_server(events_keys=(), admin_keys=())
    with httpx.Client(base_url=srv.url, trust_env=False, timeout=10) as client:
        resp = client.post("/v1/events", json=EVENT, headers={"X-API-Key": "anything"})
        assert resp.status_code == 403 and "serving.api_keys.events" in resp.json()["detail"]
        assert client.get("/v1/decisions/c-0001").status_code == 200  # reads stay open
