"""Rollback returns to the snapshot served before the current one was published, never to a
snapshot that was itself rolled back; `tailor serve rollback` does it from the command line
and a running server switches; with nothing earlier it refuses."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

import tailor
from tailor.serving.snapshot import SnapshotError, read_current, rollback, served_stack

REPO = Path(tailor.__file__).resolve().parent.parent


def test_rollback_follows_the_publish_stack(decisions, cfg, publish, published, client,
                                            wait_until):
    a = publish(decisions, version=1)
    b = publish(decisions, version=2)
    assert rollback(cfg.serving_dir)[1:] == (a.snapshot_id, [])
    c = publish(decisions, version=3)
    assert served_stack(cfg.serving_dir) == [published.snapshot_id, a.snapshot_id,
                                             c.snapshot_id]  # b was rolled back: gone

    env = {**os.environ, "TAILOR_HOME": str(REPO),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    out = subprocess.run([sys.executable, "-c", "import sys; from tailor.cli import main; "
                          "sys.exit(main())", "serve", "rollback", "--snapshot-dir",
                          cfg.serving_dir], env=env, cwd=REPO, capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0, out.stderr
    assert read_current(cfg.serving_dir) == a.snapshot_id != b.snapshot_id
    wait_until(lambda: client.get("/healthz").json()["snapshot_id"] == a.snapshot_id)

    assert rollback(cfg.serving_dir)[1] == published.snapshot_id
    with pytest.raises(SnapshotError, match="nothing to roll back to"):
        rollback(cfg.serving_dir)
