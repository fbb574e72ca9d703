"""A fixed seed's landing files hash to the value recorded before the oracle refactor (the
response formulas moved into ``marketing.response_odds`` / ``order_value``): the simulator's
worlds did not change by a single byte. If this fails, the response model changed — that needs
its own reason and re-measured figures for every policy, never a silent update of the hash."""
from __future__ import annotations

import hashlib

from tailor.simulator import simulate

GOLDEN = "4b2ad1615e92330dcddfc07fa4f023f5c5105413b1f9b6beccf11f72444cf49d"


def test_fixed_seed_landing_hash(tmp_path):
    simulate(users=300, days=8, seed=13, items=60, start_date="2026-09-01", out_dir=tmp_path,
             progress=False, chunk_size=128)
    digest = hashlib.sha256()
    for path in sorted((tmp_path / "landing").glob("*.jsonl")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    assert digest.hexdigest() == GOLDEN
