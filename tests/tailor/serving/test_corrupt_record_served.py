"""A record of the served lookup file that no longer matches its checksum (a byte flipped on
disk after the snapshot was loaded) is never served: that request gets a JSON 503 with
Retry-After, /readyz turns 503 naming the problem, and the server rolls CURRENT back to the
previously published snapshot and serves it; with nothing to roll back to it stays not-ready
and keeps answering the records that are intact."""
from pathlib import Path

from tailor.privacy import pseudonymise
from tailor.serving.snapshot import read_current, read_history
from tailor.serving.store import open_reader


def _flip_record_byte(info, customer: str, cfg) -> None:
    """Flip one byte in the middle of ``customer``'s record, in place (the server maps it)."""
    lookup = Path(info.path, info.manifest["lookup_file"])
    reader = open_reader(info.manifest["store"], lookup)
    try:
        value = reader.get(pseudonymise(customer, cfg.privacy.pseudonym_key,
                                        cfg.privacy.person_id_length).encode())
    finally:
        reader.close()
    with open(lookup, "r+b") as fh:
        data = fh.read()
        pos = data.find(value) + len(value) // 2
        fh.seek(pos)
        fh.write(bytes([data[pos] ^ 0x20]))


def test_corrupt_record_503_then_rollback(client, decisions, cfg, publish, published,
                                          wait_until):
    newer = publish(decisions, version=4)
    wait_until(lambda: client.get("/healthz").json()["snapshot_id"] == newer.snapshot_id,
               what="the swap to the newer snapshot")
    _flip_record_byte(newer, "c-0001", cfg)

    resp = client.get("/v1/decisions/c-0001")
    assert resp.status_code == 503, resp.text
    assert resp.json()["error"] == "unavailable" and resp.headers["retry-after"]

    wait_until(lambda: client.get("/healthz").json()["snapshot_id"] == published.snapshot_id,
               what="the rollback to the previous snapshot")
    assert read_current(cfg.serving_dir) == published.snapshot_id
    assert read_history(cfg.serving_dir)[-1]["action"] == "rollback"
    again = client.get("/v1/decisions/c-0001")
    assert again.status_code == 200 and again.json()["snapshot_id"] == published.snapshot_id
    wait_until(lambda: client.get("/readyz").status_code == 200, what="ready again")


def test_corrupt_record_without_rollback_target_stays_not_ready(client, cfg, published):
    _flip_record_byte(published, "c-0001", cfg)

    assert client.get("/v1/decisions/c-0001").status_code == 503
    batch = client.post("/v1/decisions:batch", json={"user_ids": ["c-0002", "c-0001"]})
    assert batch.status_code == 503 and batch.json()["error"] == "unavailable"
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert any("corrupt" in p for p in ready.json()["problems"])
    assert client.get("/v1/decisions/c-0002").status_code == 200  # intact records still serve
    assert client.get("/readyz").status_code == 503
