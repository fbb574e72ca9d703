"""Items a person just bought (overlay bought_items, or a purchase POSTed to the server) are
removed from their recommendations; the rest keep their order."""


def test_just_bought_items_are_not_recommended(full_server, full_client, write_overlay,
                                               events_auth, wait_until):
    customer = "c-0042"
    before = [r["item_id"] for r in full_client.get(f"/v1/decisions/{customer}").json()
              ["recommendations"]]
    write_overlay({customer: ([], 0, [before[1]])})
    after = wait_until(lambda: (items := [r["item_id"] for r in full_client.get(
        f"/v1/decisions/{customer}").json()["recommendations"]]) != before and items)
    assert after == [before[0]] + before[2:]

    resp = full_client.post("/v1/events", headers=events_auth, json={
        "event_type": "purchase", "customer_id": customer, "item_id": before[0], "price": 9.5,
        "quantity": 1})
    assert resp.status_code == 202
    items = [r["item_id"] for r in full_client.get(f"/v1/decisions/{customer}?k=2").json()
             ["recommendations"]]
    assert items == before[2:4]
