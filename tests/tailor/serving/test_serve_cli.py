"""`tailor serve` as a real process: --port 0 prints the chosen port, it answers, SIGTERM stops
it cleanly; with nothing published it refuses and says to run publish first."""
import signal

import httpx


def test_serve_port_zero_then_sigterm(published, cfg, tailor_process, served_url):
    proc = tailor_process("serve", "--port", "0", "--snapshot-dir", cfg.serving_dir)
    url = served_url(proc)
    resp = httpx.get(f"{url}/healthz", trust_env=False, timeout=5)
    assert resp.json()["snapshot_id"] == published.snapshot_id

    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=10) == 0


def test_serve_without_snapshot_refuses(tmp_path, tailor_process):
    proc = tailor_process("serve", "--port", "0", "--snapshot-dir", str(tmp_path / "empty"))
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 2
    assert "no published snapshot" in err and "tailor publish" in err
