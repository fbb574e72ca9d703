"""The served snapshot is re-verified in the background every
serving.verify_interval_seconds: damage no request has touched yet (a byte of a record nobody
asked for) is found, and the server rolls back to the previously published snapshot."""
from pathlib import Path

import httpx

from tailor.serving.snapshot import read_current, read_history


def test_background_check_finds_damage_and_rolls_back(decisions, cfg, publish, published,
                                                      start_server, caplog, wait_until):
    newer = publish(decisions, version=4)
    srv = start_server(verify_interval=0.2)
    with httpx.Client(base_url=srv.url, trust_env=False, timeout=5) as client:
        assert client.get("/healthz").json()["snapshot_id"] == newer.snapshot_id
        lookup = Path(newer.path, newer.manifest["lookup_file"])
        with open(lookup, "r+b") as fh:  # in place: the server has it mapped
            fh.seek(lookup.stat().st_size - 10)
            byte = fh.read(1)
            fh.seek(-1, 1)
            fh.write(bytes([byte[0] ^ 0x01]))

        wait_until(lambda: client.get("/healthz").json()["snapshot_id"] == published.snapshot_id,
                   what="the background check rolling back")
    assert read_current(cfg.serving_dir) == published.snapshot_id
    assert read_history(cfg.serving_dir)[-1]["action"] == "rollback"
    assert f"snapshot {newer.snapshot_id} is corrupt" in caplog.text
