"""A short (~10 s) soak of a real `tailor serve` process: load with 5% malformed requests while
a snapshot is published, rolled back through the admin API and a corrupt one forced onto
CURRENT ends with zero 5xx, zero failed well-formed requests, every malformed request a JSON
4xx, every served decision logged and a clean exit (bench/serve_soak.py runs it for 60 s)."""
from tests.support.soak import soak


def test_short_soak(tmp_path):
    summary = soak(str(tmp_path), users=5000, seconds=10, connections=8)
    failed = {k: v for k, v in summary["checks"].items() if not v}
    assert not failed, (failed, summary["failures"], summary["actions"])
    assert summary["malformed"] > 0 and summary["well_formed"] > 1000
