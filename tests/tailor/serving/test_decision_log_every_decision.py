"""Every served decision (single and batch) is logged as a valid decision_served landing event
with the served action, the propensity of serving it and the snapshot id, in a file ingest
picks up once the segment is rotated (here: on shutdown)."""
import json

from tailor.events import validate_event
from tailor.ingestion.landing import list_landing_files


def test_every_served_decision_is_logged(published, start_server, cfg, message_customer,
                                         write_overlay, wait_until):
    import httpx

    revoked = message_customer("email")
    write_overlay({revoked: (["email"], 0, [])})
    srv = start_server(decisions_rotate_seconds=3600)
    wait_until(lambda: srv.call(lambda: srv.server.overlay.nearline.version) is not None)
    served = []
    with httpx.Client(base_url=srv.url, trust_env=False, timeout=10) as client:
        for user in ["c-0001", "c-0002", "unknown-user", revoked, "c-0001"]:
            served.append(client.get(f"/v1/decisions/{user}").json())
        served += client.post("/v1/decisions:batch",
                              json={"user_ids": ["c-0005", "nobody"]}).json()["decisions"]
        client.get("/v1/decisions/%FF")  # a 400 is not a served decision
    srv.stop()  # rotates the log into the landing dir

    files = [p for p in list_landing_files(cfg.landing_dir) if "/decisions-" in p]
    events = [json.loads(line) for p in files for line in open(p)]
    assert len(events) == len(served)
    assert all(validate_event(e) is None for e in events)
    assert len({e["event_id"] for e in events}) == len(events)
    for event, answer in zip(events, served):
        assert event["event_type"] == "decision_served"
        assert event["customer_id"] == answer["user_id"]
        assert event["action_id"] == (answer["message"] or {}).get("action_id", "no_message")
        # an overridden message is logged as a certain no_message (test_decision_log_overrides)
        assert event["propensity"] == answer["propensity"]   # 1.0 when a rule overrode it
        assert event["message_id"] == answer["snapshot_id"] == published.snapshot_id
        assert event.get("channel") == (answer["message"] or {}).get("channel")
