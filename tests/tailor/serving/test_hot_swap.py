"""A running server switches to a newly published snapshot by itself, and refuses a corrupt one
(CURRENT forced onto it, e.g. by a bad copy) while the previous snapshot keeps serving."""
import time
from pathlib import Path

from tailor.serving.snapshot import build_snapshot, set_current


def _wait_for_snapshot(client, snapshot_id: str, timeout: float = 5.0) -> str:
    deadline = time.monotonic() + timeout
    while True:
        seen = client.get("/healthz").json()["snapshot_id"]
        if seen == snapshot_id or time.monotonic() > deadline:
            return seen
        time.sleep(0.05)


def test_server_swaps_to_new_snapshot_and_refuses_corrupt(client, decisions, cfg, publish,
                                                          published, caplog):
    newer = publish(decisions.slice(0, 10), version=4)
    assert _wait_for_snapshot(client, newer.snapshot_id) == newer.snapshot_id
    assert client.get("/v1/decisions/c-0001").json()["decisions_version"] == 4

    bad = build_snapshot(decisions, cfg.serving_dir, {"decisions_version": 5})
    lookup = Path(bad.path, bad.manifest["lookup_file"])
    lookup.write_bytes(lookup.read_bytes()[:-4096])  # truncated copy
    set_current(cfg.serving_dir, bad.snapshot_id, verify=False)

    deadline = time.monotonic() + 5
    while f"refusing snapshot {bad.snapshot_id}" not in caplog.text:
        assert time.monotonic() < deadline, "server never reported the corrupt snapshot"
        time.sleep(0.05)
    assert client.get("/healthz").json()["snapshot_id"] == newer.snapshot_id
    assert client.get("/v1/decisions/c-0001").json()["snapshot_id"] == newer.snapshot_id
