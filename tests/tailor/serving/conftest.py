"""Serving fixtures (``cfg`` comes from tests/conftest.py): a small gold.decisions table, a
published snapshot, a real server on a free loopback port (always stopped), and an HTTP client
that ignores proxy settings."""
from __future__ import annotations

import httpx
import pytest

from tailor.config import Config
from tailor.serving.snapshot import SnapshotInfo, build_snapshot, set_current
from tailor.serving.synthetic import decisions_table

DS = "2026-10-15"
OPTED_OUT = "c-opted-out"
ODD_ID = "jörg/o'neil \"x\" ?#%"  # needs percent-encoding in a URL and escaping in JSON
CUSTOMERS = [f"c-{i:04d}" for i in range(200)] + [OPTED_OUT, ODD_ID]


@pytest.fixture
def opted_out_customer() -> str:
    """The fixture table's customer who revoked consent (the guardian chose no message)."""
    return OPTED_OUT


@pytest.fixture
def odd_customer() -> str:
    """A customer id with non-ASCII, '/', quotes and URL metacharacters."""
    return ODD_ID


@pytest.fixture
def decisions(cfg: Config):
    return decisions_table(CUSTOMERS, DS, cfg.privacy.pseudonym_key,
                           cfg.privacy.person_id_length, opted_out=frozenset({OPTED_OUT}))


@pytest.fixture
def publish(cfg: Config):
    """Build + point CURRENT, as the publish job does, without a Delta table."""
    def _publish(table, version: int = 3) -> SnapshotInfo:
        info = build_snapshot(table, cfg.serving_dir, {"decisions_version": version},
                              fallback_top_k=cfg.serving.top_k)
        set_current(cfg.serving_dir, info.snapshot_id)
        return info
    return _publish


@pytest.fixture
def published(decisions, publish) -> SnapshotInfo:
    return publish(decisions)


@pytest.fixture
def server(published: SnapshotInfo, cfg: Config):
    from tailor.serving.server import serve_in_thread

    running = serve_in_thread(cfg.serving_dir, cfg.privacy.pseudonym_key,
                              cfg.privacy.person_id_length, reload_interval=0.1)
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def client(server):
    with httpx.Client(base_url=server.url, trust_env=False, timeout=5) as c:
        yield c
