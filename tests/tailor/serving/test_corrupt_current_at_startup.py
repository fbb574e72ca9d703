"""A server started while CURRENT names a corrupt snapshot refuses it and serves the previously
published one (reporting the refusal), instead of not starting at all."""
from pathlib import Path

from tailor.serving.snapshot import build_snapshot, set_current


def test_startup_falls_back_to_previous_good_snapshot(decisions, cfg, publish, start_server):
    import httpx

    good = publish(decisions, version=1)
    bad = build_snapshot(decisions, cfg.serving_dir, {"decisions_version": 2})
    lookup = Path(bad.path, bad.manifest["lookup_file"])
    lookup.write_bytes(lookup.read_bytes()[:-100])
    set_current(cfg.serving_dir, bad.snapshot_id, verify=False)

    srv = start_server()
    with httpx.Client(base_url=srv.url, trust_env=False, timeout=10) as client:
        assert client.get("/healthz").json()["snapshot_id"] == good.snapshot_id
        ready = client.get("/readyz").json()
        assert ready["refused_snapshot"] == bad.snapshot_id
        assert client.get("/v1/decisions/c-0001").json()["snapshot_id"] == good.snapshot_id
