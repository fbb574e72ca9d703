"""Unknown users are assigned to the holdout by the pipeline's stable hash
(stable_share(person_id, policy.holdout_salt) < policy.holdout_share): the answer says so, and
held-out users never get a message."""
from tailor.privacy import pseudonymise, stable_share


def test_unknown_users_get_stable_holdout(published, start_server, cfg):
    import httpx

    srv = start_server(holdout_share=0.3)
    with httpx.Client(base_url=srv.url, trust_env=False, timeout=10) as client:
        users = [f"stranger-{i}" for i in range(60)]
        bodies = client.post("/v1/decisions:batch", json={"user_ids": users}).json()["decisions"]
        again = [client.get(f"/v1/decisions/{u}").json() for u in users]
    expected = [stable_share(pseudonymise(u, cfg.privacy.pseudonym_key,
                                          cfg.privacy.person_id_length),
                             cfg.policy.holdout_salt) < 0.3 for u in users]
    assert [b["holdout"] for b in bodies] == expected == [b["holdout"] for b in again]
    assert 0 < sum(expected) < len(users)
    assert all(not b["known"] and b["message"] is None for b in bodies)
    assert all("holdout" in b["guardrails"] for b in bodies if b["holdout"])
