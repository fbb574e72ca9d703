"""Client fixtures: a published synthetic snapshot and a real server with keys (``cfg`` comes
from tests/conftest.py)."""
from __future__ import annotations

import pytest

from tailor.serving.snapshot import build_snapshot, set_current
from tests.support.synthetic import decisions_table

CUSTOMERS = [f"c-{i:04d}" for i in range(50)]
ODD = "jörg/o'neil \"x\" ?#%"


@pytest.fixture
def odd_customer() -> str:
    return ODD


@pytest.fixture
def published(cfg):
    table = decisions_table(CUSTOMERS + [ODD], "2026-10-15", cfg.privacy.pseudonym_key,
                            cfg.privacy.person_id_length)
    info = build_snapshot(table, cfg.serving_dir, {"decisions_version": 1})
    set_current(cfg.serving_dir, info.snapshot_id)
    return info


@pytest.fixture
def message_customer(published, cfg):
    """``message_customer(channel)``: a customer whose decision sends a message there."""
    from tailor.privacy import pseudonymise

    snap_rows = decisions_table(CUSTOMERS, "2026-10-15", cfg.privacy.pseudonym_key,
                                cfg.privacy.person_id_length).to_pylist()
    by_pid = {r["person_id"]: r for r in snap_rows}

    def _pick(channel: str | None = None) -> str:
        for c in CUSTOMERS:
            row = by_pid[pseudonymise(c, cfg.privacy.pseudonym_key, cfg.privacy.person_id_length)]
            if row["channel"] and (channel is None or row["channel"] == channel):
                return c
        raise AssertionError("no messaged customer")

    return _pick


@pytest.fixture
def full_server(published, cfg):
    from tailor.serving.server import RunningServer, ServerSettings

    srv = RunningServer(ServerSettings.from_config(
        cfg, port=0, reload_interval=0.1, events_keys=("test-events-key",),
        admin_keys=("test-admin-key",)))
    yield srv
    srv.stop()
