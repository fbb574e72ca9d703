"""Once the overlay counts serving.max_messages_per_day messages today for a person (nearline
messages_today plus message_sent events POSTed to this server), no message is served to them."""


def test_frequency_cap_suppresses_message(full_server, full_client, write_overlay,
                                          message_customer, events_auth, wait_until, cfg):
    cap = full_server.settings.max_messages_per_day
    capped, topped_up = message_customer(skip=0), message_customer(skip=1)
    write_overlay({capped: ([], cap, []), topped_up: ([], cap - 1, [])})
    body = wait_until(lambda: (b := full_client.get(f"/v1/decisions/{capped}").json())
                      ["message"] is None and b)
    assert f"frequency_cap:{cap}/day" in body["guardrails"]
    assert full_client.get(f"/v1/decisions/{topped_up}").json()["message"] is not None

    resp = full_client.post("/v1/events", headers=events_auth, json={
        "event_type": "message_sent", "customer_id": topped_up, "channel": "email",
        "message_id": "m-1", "action_id": "email@18:pct10", "send_hour": 18, "discount": 0.1,
        "propensity": 0.9})
    assert resp.status_code == 202
    assert full_client.get(f"/v1/decisions/{topped_up}").json()["message"] is None
