"""Every event the server acknowledged (202) is in a landing file after a ``kill -9`` of the
server, for each fsync policy: the next server start moves the crashed server's open segment
into the landing directory (where ingest finds it), every line a valid event."""
import json
import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import httpx
import pytest

import tailor
from tailor.events import validate_event
from tailor.ingestion.landing import list_landing_files
from tailor.serving.landing import recover

REPO = Path(tailor.__file__).resolve().parent.parent


def _start(cfg, fsync: str) -> tuple[subprocess.Popen, str]:
    env = {**os.environ, "TAILOR_HOME": str(REPO),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
           "TAILOR__PATHS__SERVING": cfg.serving_dir, "TAILOR__PATHS__LANDING": cfg.landing_dir,
           "TAILOR__PATHS__LAKEHOUSE": cfg.lakehouse_root,
           "TAILOR__SERVING__API_KEYS__EVENTS": '["k"]', "TAILOR__SERVING__EVENTS__FSYNC": fsync,
           "TAILOR__SERVING__EVENTS__ROTATE_SECONDS": "3600"}
    proc = subprocess.Popen([sys.executable, "-c",
                             "import sys; from tailor.cli import main; sys.exit(main())",
                             "serve", "--port", "0"], cwd=REPO, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    line = proc.stdout.readline()
    assert "http://" in line, line
    return proc, "http://" + line.split("http://", 1)[1].split()[0]


@pytest.mark.parametrize("fsync", ["always", "never"])
def test_acknowledged_events_survive_kill9(published, cfg, fsync):
    proc, url = _start(cfg, fsync)
    acked = []
    try:
        with httpx.Client(base_url=url, trust_env=False, timeout=10,
                          headers={"Authorization": "Bearer k"}) as client:
            for i in range(40):
                events = [{"event_id": uuid.uuid4().hex, "event_type": "view",
                           "ts": "2026-10-15T10:00:00Z", "customer_id": f"c-{i:04d}",
                           "item_id": f"i{j}"} for j in range(1 + i % 3)]
                resp = client.post("/v1/events", json={"events": events})
                assert resp.status_code == 202
                acked += resp.json()["event_ids"]
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()

    landing = Path(cfg.serving_landing_dir)
    assert not list(landing.glob("events-*.jsonl")), "nothing rotated: all still open"
    assert not [p for p in list_landing_files(cfg.landing_dir) if "/events-" in p], \
        "an open segment must never be visible to ingest"
    recover(landing)  # what the next `tailor serve` does first
    files = [p for p in list_landing_files(cfg.landing_dir) if "/events-" in p]
    lines = [json.loads(line) for p in files for line in Path(p).read_text().splitlines()]
    assert all(validate_event(e) is None for e in lines)
    assert sorted(e["event_id"] for e in lines) == sorted(acked)
