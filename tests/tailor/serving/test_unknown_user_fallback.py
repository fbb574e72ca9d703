"""Unknown users get the snapshot's fallback: most recommended items, no message, known=false."""
from collections import Counter


def test_unknown_user_gets_popular_items_and_no_message(client, decisions, published, cfg):
    counts = Counter(item for items in decisions["items"].to_pylist() for item in items)
    expected = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:cfg.serving.top_k]

    body = client.get("/v1/decisions/never-seen-before").json()

    assert body["user_id"] == "never-seen-before" and body["known"] is False
    assert body["snapshot_id"] == published.snapshot_id
    assert [r["item_id"] for r in body["recommendations"]] == [item for item, _ in expected]
    assert body["recommendations"][0]["score"] == expected[0][1] / decisions.num_rows
    assert body["message"] is None and body["action_id"] == "no_message"
    assert body["provenance"]["ds"] == published.manifest["ds"]
    assert body == {"user_id": "never-seen-before", **published.manifest["fallback"]}
