"""An opted-out user's decision (action no_message, no channel) is served with message=null."""

def test_opted_out_user_has_no_message(client, published, opted_out_customer):
    body = client.get(f"/v1/decisions/{opted_out_customer}").json()

    assert body["known"] is True
    assert body["action_id"] == "no_message"
    assert body["message"] is None
    assert "consent_revoked:email" in body["guardrails"]
    assert body["recommendations"], "recommendations are still served without consent to message"
