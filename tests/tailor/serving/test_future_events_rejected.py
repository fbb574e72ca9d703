"""Events dated further in the future than ``ingest.max_future_skew_seconds`` are refused with
a 400 that names the event and the limit; nothing of the request is written or applied. Within
the skew they are accepted."""
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx


def _iso(delta: timedelta) -> str:
    return (datetime.now(timezone.utc) + delta).isoformat(timespec="seconds").replace("+00:00", "Z")


def test_far_future_event_is_refused_and_nothing_lands(published, start_server, events_auth,
                                                        message_customer, cfg):
    customer = message_customer("email")
    srv = start_server()  # ingest.max_future_skew_seconds: 300 (conf/base.yaml)
    with httpx.Client(base_url=srv.url, trust_env=False, timeout=10) as client:
        resp = client.post("/v1/events", headers=events_auth, json={"events": [
            {"event_id": "ok-1", "event_type": "consent_change", "customer_id": customer,
             "channel": "email", "granted": False, "ts": _iso(timedelta(0))},
            {"event_id": "future-1", "event_type": "view", "customer_id": customer,
             "item_id": "I1", "ts": "2999-01-01T00:00:00Z"}]})
        assert resp.status_code == 400, resp.text
        body = resp.json()
        assert body["error"] == "future_event"
        assert "future-1" in body["detail"] and "300" in body["detail"]
        assert body["problems"] == [{"index": 1, "event_id": "future-1",
                                     "ts": "2999-01-01T00:00:00Z", "reason": "future_ts"}]
        # nothing applied: the revocation in the refused request did not take effect
        assert client.get(f"/v1/decisions/{customer}").json()["message"] is not None

        near = client.post("/v1/events", headers=events_auth, json={
            "event_id": "near-1", "event_type": "view", "customer_id": customer,
            "item_id": "I1", "ts": _iso(timedelta(minutes=4))})
        assert near.status_code == 202, near.text
    srv.stop()
    landed = [json.loads(line)["event_id"] for f in Path(cfg.serving_landing_dir).glob("events-*.jsonl")
              for line in f.read_text().splitlines()]
    assert landed == ["near-1"]
