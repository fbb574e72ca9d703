"""Outside the local profile the lookup server and the jobs refuse to start on the public
default pseudonym key or without API keys, and say which secret and how to set it; with real
secrets they start."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

import tailor
from tailor.config import load_config
from tailor.credentials import DEFAULT_PSEUDONYM_KEY, CredentialsError, check

REPO = Path(tailor.__file__).resolve().parent.parent
TAILOR = [sys.executable, "-c", "import sys; from tailor.cli import main; sys.exit(main())"]


def _tailor(tmp_path, *args, **env):
    environ = {k: v for k, v in os.environ.items() if not k.startswith("TAILOR")}
    environ.update({"TAILOR_HOME": str(REPO), "TAILOR_ENV": "cluster",
                    "TAILOR__PATHS__SERVING": str(tmp_path / "serving"),
                    "TAILOR__PATHS__RUNS": str(tmp_path / "runs"), **env})
    return subprocess.run([*TAILOR, *args], cwd=REPO, env=environ, capture_output=True,
                          text=True, timeout=120)


def test_base_default_is_the_one_refused():
    assert load_config(env="base", root=REPO, environ={}).privacy.pseudonym_key == \
        DEFAULT_PSEUDONYM_KEY


@pytest.mark.parametrize("args", [("serve", "--port", "0"), ("run", "ingest", "--ds", "2026-09-01")])
def test_cli_refuses_the_default_key(tmp_path, args):
    proc = _tailor(tmp_path, *args)
    assert proc.returncode == 2, proc.stderr
    assert "privacy.pseudonym_key" in proc.stderr
    assert "TAILOR__PRIVACY__PSEUDONYM_KEY" in proc.stderr and "TAILOR_ENV=cluster" in proc.stderr


def test_server_refuses_missing_api_keys(tmp_path):
    proc = _tailor(tmp_path, "serve", "--port", "0", TAILOR__PRIVACY__PSEUDONYM_KEY="s3cr3t")
    assert proc.returncode == 2, proc.stderr
    assert "privacy.pseudonym_key" not in proc.stderr
    assert "serving.api_keys.events" in proc.stderr and "serving.api_keys.admin" in proc.stderr
    assert "TAILOR__SERVING__API_KEYS__EVENTS" in proc.stderr


def test_real_secrets_pass():
    cfg = load_config(env="cluster", root=REPO, environ={
        "TAILOR__PRIVACY__PSEUDONYM_KEY": "s3cr3t", "TAILOR__SERVING__API_KEYS__EVENTS": '["e"]',
        "TAILOR__SERVING__API_KEYS__ADMIN": '["a"]'})
    check(cfg, "lookup server", api_keys=True)
    with pytest.raises(CredentialsError, match="serving.api_keys.admin"):
        check(cfg.model_copy(update={"serving": cfg.serving.model_copy(update={
            "api_keys": cfg.serving.api_keys.model_copy(update={"admin": []})})}),
              "lookup server", api_keys=True)
