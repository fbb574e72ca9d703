"""/healthz says ok and names the snapshot being served."""


def test_healthz_names_snapshot(client, published):
    resp = client.get("/healthz")

    assert resp.status_code == 200
    assert resp.json()["status"] == "ok"
    assert resp.json()["snapshot_id"] == published.snapshot_id
    assert resp.json()["row_count"] == published.row_count
