"""When a request-time rule suppresses the policy's message (consent revoked, frequency cap,
``?channel=`` not the message's), the decision_served event says so: the served no_message with
propensity 1.0, ``overridden_by`` naming the rule, and the policy's own action and propensity;
decisions no rule touched log ``overridden_by: null`` and their policy action as served. The
response body says the same (no_message, propensity 1.0, the rule in guardrails)."""
import json

from tailor.events import validate_event
from tailor.ingestion.landing import list_landing_files
from tailor.privacy import pseudonymise


def test_overridden_decisions_log_the_rule_and_the_policy_choice(
        published, decisions, start_server, cfg, message_customer, write_overlay, wait_until):
    import httpx

    policy = {r["person_id"]: r for r in decisions.to_pylist()}
    revoked, capped, mismatched, plain = (message_customer("email", skip=i) for i in range(4))
    cap = cfg.serving.max_messages_per_day
    write_overlay({revoked: (["email"], 0, []), capped: ([], cap, [])})
    srv = start_server(decisions_rotate_seconds=3600)
    wait_until(lambda: srv.call(lambda: srv.server.overlay.nearline.version) is not None)
    requests = [(revoked, "", "consent_revoked"), (capped, "", "frequency_cap"),
                (mismatched, "?channel=push", "channel_not_requested"), (plain, "", None),
                ("unknown-user", "", None)]
    with httpx.Client(base_url=srv.url, trust_env=False, timeout=10) as client:
        answers = [client.get(f"/v1/decisions/{user}{query}").json()
                   for user, query, _ in requests]
    srv.stop()  # rotates the log into the landing dir

    files = [p for p in list_landing_files(cfg.landing_dir) if "/decisions-" in p]
    events = {e["customer_id"]: e for p in files for e in map(json.loads, open(p))}
    assert len(events) == len(requests)
    for (user, _, rule), answer in zip(requests, answers):
        event = events[user]
        assert validate_event(event) is None
        assert event["overridden_by"] == rule
        row = policy.get(pseudonymise(user, cfg.privacy.pseudonym_key,
                                      cfg.privacy.person_id_length))
        if rule is None:
            assert event["action_id"] == answer["action_id"]
            assert event["propensity"] == answer["propensity"]
            assert "policy_action_id" not in event and "policy_propensity" not in event
            continue
        assert answer["message"] is None and answer["action_id"] == "no_message"
        assert event["action_id"] == "no_message" and "channel" not in event
        assert event["propensity"] == 1.0  # the rule, not the policy, chose what was served
        assert event["policy_action_id"] == row["action_id"] != "no_message"
        assert event["policy_propensity"] == row["propensity"] < 1.0
        assert answer["propensity"] == 1.0   # the body agrees with the log
