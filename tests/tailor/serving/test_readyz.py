"""/readyz is 200 while the server can do its job and 503 (JSON, with the reason) when event
landing fails; /healthz stays 200 (the process is alive)."""
import os


def test_readyz_reports_landing_failure(full_server, full_client, events_auth, cfg):
    ready = full_client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["ready"] is True

    writer = full_server.server.events
    full_server.call(writer.rotate)
    real_dir = writer.directory
    writer.directory = os.path.join(cfg.serving_dir, "no", "such", "dir")  # opens fail
    try:
        resp = full_client.post("/v1/events", headers=events_auth, json={
            "event_type": "view", "customer_id": "c-1", "item_id": "i1"})
        assert resp.status_code == 503 and resp.json()["error"] == "unavailable"
        down = full_client.get("/readyz")
        assert down.status_code == 503 and down.json()["ready"] is False
        assert any("events cannot be written" in p for p in down.json()["problems"])
        assert full_client.get("/healthz").status_code == 200
    finally:
        writer.directory = real_dir
    ok = full_client.post("/v1/events", headers=events_auth, json={
        "event_type": "view", "customer_id": "c-1", "item_id": "i1"})
    assert ok.status_code == 202
    assert full_client.get("/readyz").status_code == 200
