"""The challenger's shadow decision is logged beside every served decision (so it can be judged
on real traffic) and never served: the answer is the champion's, also when a rule overrides it."""
import json

import pyarrow as pa

from tailor.events import validate_event
from tailor.ingestion.landing import list_landing_files


def test_shadow_is_logged_not_served(decisions, publish, start_server, cfg, message_customer,
                                     write_overlay, wait_until):
    import httpx

    rows = decisions.to_pylist()
    for i, row in enumerate(rows):   # the challenger would do something else for everyone
        row["shadow_action_id"], row["shadow_propensity"] = "sms@20:pct20", 0.25 + i / 1000
    publish(pa.Table.from_pylist(rows, schema=decisions.schema))
    revoked = message_customer("email")
    write_overlay({revoked: (["email"], 0, [])})
    srv = start_server(decisions_rotate_seconds=3600)
    wait_until(lambda: srv.call(lambda: srv.server.overlay.nearline.version) is not None)
    with httpx.Client(base_url=srv.url, trust_env=False, timeout=10) as client:
        answers = [client.get(f"/v1/decisions/{u}") for u in ("c-0001", "c-0002", revoked)]
    srv.stop()
    for answer in answers:
        assert b"shadow" not in answer.content
        assert (answer.json()["message"] or {}).get("action_id") != "sms@20:pct20"
    files = [p for p in list_landing_files(cfg.landing_dir) if "/decisions-" in p]
    events = [json.loads(line) for p in files for line in open(p)]
    assert len(events) == 3 and all(validate_event(e) is None for e in events)
    assert all(e["shadow_action_id"] == "sms@20:pct20" and 0.25 <= e["shadow_propensity"] < 0.3
               for e in events)
    overridden = [e for e in events if e.get("overridden_by")]
    assert overridden and overridden[0]["action_id"] == "no_message"   # the rule still applies
