"""A known user gets exactly the decision precomputed for them, in the response contract."""
import json

from tailor.privacy import pseudonymise


def test_known_user_gets_precomputed_decision(client, decisions, published, cfg):
    customer = "c-0007"
    pid = pseudonymise(customer, cfg.privacy.pseudonym_key, cfg.privacy.person_id_length)
    row = next(r for r in decisions.to_pylist() if r["person_id"] == pid)

    resp = client.get(f"/v1/decisions/{customer}")

    assert resp.status_code == 200
    assert resp.headers["content-type"] == "application/json"
    body = resp.json()
    assert list(body) == ["user_id", "known", "snapshot_id", "decisions_version",
                          "policy_version", "recommendations", "message", "action_id",
                          "propensity", "holdout", "explanation", "guardrails", "provenance"]
    assert body["user_id"] == customer and body["known"] is True
    assert body["snapshot_id"] == published.snapshot_id and body["decisions_version"] == 3
    assert body["policy_version"] == row["policy_version"]
    assert body["recommendations"] == [{"item_id": i, "score": s}
                                       for i, s in zip(row["items"], row["item_scores"])]
    assert body["action_id"] == row["action_id"] != "no_message"
    assert body["message"] == {"action_id": row["action_id"], "channel": row["channel"],
                               "send_hour": row["send_hour"], "offer": row["offer"],
                               "discount": row["discount"]}
    assert body["propensity"] == row["propensity"] and body["holdout"] is False
    assert body["explanation"] == row["explanation"] and body["guardrails"] == row["guardrails"]
    assert body["provenance"] == {"model_versions": json.loads(row["model_versions"]),
                                  "feature_versions": json.loads(row["feature_versions"]),
                                  "data_versions": json.loads(row["data_versions"]),
                                  "ds": row["ds"]}
