"""A channel revoked in the nearline overlay (gold.overlay) is never served: the message turns
null with a consent_revoked guardrail on every path (GET, ?channel=, batch), the decision log
records no_message, and a new overlay version without the revocation lifts it."""


def test_revoked_channel_never_served(full_server, full_client, write_overlay, message_customer,
                                      wait_until):
    customer = message_customer("email")
    assert full_client.get(f"/v1/decisions/{customer}").json()["message"]["channel"] == "email"

    write_overlay({customer: (["email"], 0, [])})
    body = wait_until(lambda: (b := full_client.get(f"/v1/decisions/{customer}").json())
                      ["message"] is None and b)
    assert body["action_id"] == "no_message"
    assert "consent_revoked:email" in body["guardrails"]
    assert body["recommendations"], "recommendations are still served"
    assert full_client.get(f"/v1/decisions/{customer}?channel=email").json()["message"] is None
    batch = full_client.post("/v1/decisions:batch", json={"user_ids": [customer]}).json()
    assert batch["decisions"][0]["message"] is None
    assert "consent_revoked:email" in batch["decisions"][0]["guardrails"]

    write_overlay({customer: ([], 0, [])})  # consent back (nearline saw the grant)
    wait_until(lambda: full_client.get(f"/v1/decisions/{customer}").json()["message"])
