"""Schemathesis against a live `tailor serve` (127.0.0.1, a small synthetic snapshot, two
published so rollback can succeed once): every check it has (server errors, status codes,
content types, response schemas, schema-valid requests accepted and invalid ones refused, auth
enforced, methods), a bounded deterministic set of examples per operation, with an admin key
(every operation reaches its handler) and without one (the key-scoped operations answer as
documented). Zero failures. What the schema cannot express: tests/tailor/serving/st_hooks.py.
About 90 s with the key, 15 s without (2 shared cores): marked slow (make test-full); the
serving tests beside it pin each operation's documented behaviour in CI."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tailor.serving.openapi import ROUTES

ADMIN_KEY = "schemathesis-admin-key"
MAX_EXAMPLES = 100


@pytest.fixture
def live_url(decisions, publish, cfg, tmp_path, tailor_process, served_url):
    publish(decisions, version=1)
    publish(decisions, version=2)
    proc = tailor_process("serve", "--port", "0", "--snapshot-dir", cfg.serving_dir, env={
        "TAILOR__PATHS__LANDING": str(tmp_path / "landing"),
        "TAILOR__PATHS__LAKEHOUSE": str(tmp_path / "lakehouse"),
        "TAILOR__SERVING__API_KEYS__EVENTS": "[]",
        "TAILOR__SERVING__API_KEYS__ADMIN": json.dumps([ADMIN_KEY])})
    return served_url(proc)


@pytest.mark.slow
@pytest.mark.parametrize("with_key", [True, False], ids=["admin-key", "no-key"])
def test_schemathesis_finds_no_violation(live_url, tmp_path, with_key):
    report = tmp_path / "schemathesis.json"
    cmd = [sys.executable, "-m", "schemathesis.cli", "run", f"{live_url}/openapi.json",
           "--checks", "all", "--max-examples", str(MAX_EXAMPLES), "--generation-deterministic",
           "--workers", "1", "--request-timeout", "10", "--no-color", "--report", "json",
           "--report-json-path", str(report)]
    if with_key:
        cmd += ["--header", f"Authorization: Bearer {ADMIN_KEY}"]
        # schemathesis does not test the route that serves the document it reads
        expected = len(ROUTES) - 1
    else:  # the other operations answer the same with or without a key; bodies do not matter
        tags = sorted({route.tag for route in ROUTES if route.scope})  # before the key check,
        cmd += [arg for tag in tags for arg in ("--include-tag", tag)]  # so no coverage phase
        cmd += ["--phases", "fuzzing"]
        expected = sum(1 for route in ROUTES if route.scope)
    hooks = Path(__file__).with_name("st_hooks.py")
    env = {"SCHEMATHESIS_HOOKS": hooks.stem, "PYTHONPATH": str(hooks.parent),
           "PATH": str(Path(sys.executable).parent)}
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=900, env=env,
                         cwd=tmp_path)
    assert report.is_file(), out.stdout[-4000:] + out.stderr[-4000:]
    result = json.loads(report.read_text())
    summary = out.stdout[-12000:]
    assert result["errors"] == [], summary
    assert result["failures"] == [], summary
    assert result["operations"]["tested"] == result["operations"]["selected"] == expected, \
        summary
    assert result["test_cases"]["generated"] >= 5 * len(ROUTES), summary
    assert out.returncode == 0, summary
