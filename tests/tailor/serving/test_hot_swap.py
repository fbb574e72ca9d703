"""A running server switches to a newly published snapshot by itself, and refuses a corrupt one
(CURRENT forced onto it, e.g. by a bad copy) while the previous snapshot keeps serving."""
from pathlib import Path

from tailor.serving.snapshot import build_snapshot, set_current


def test_server_swaps_to_new_snapshot_and_refuses_corrupt(client, decisions, cfg, publish,
                                                          published, caplog, wait_until):
    newer = publish(decisions.slice(0, 10), version=4)
    wait_until(lambda: client.get("/healthz").json()["snapshot_id"] == newer.snapshot_id,
               timeout=5, what="the swap to the new snapshot")
    assert client.get("/v1/decisions/c-0001").json()["decisions_version"] == 4

    bad = build_snapshot(decisions, cfg.serving_dir, {"decisions_version": 5})
    lookup = Path(bad.path, bad.manifest["lookup_file"])
    lookup.write_bytes(lookup.read_bytes()[:-4096])  # truncated copy
    set_current(cfg.serving_dir, bad.snapshot_id, verify=False)

    wait_until(lambda: f"refusing snapshot {bad.snapshot_id}" in caplog.text, timeout=5,
               what="the server reporting the corrupt snapshot")
    assert client.get("/healthz").json()["snapshot_id"] == newer.snapshot_id
    assert client.get("/v1/decisions/c-0001").json()["snapshot_id"] == newer.snapshot_id
