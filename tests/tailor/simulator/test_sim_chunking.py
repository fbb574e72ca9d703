"""The chunk size changes how events are split into files, never which events exist."""
from __future__ import annotations

import polars as pl

from tailor.simulator import simulate

ARGS = dict(users=150, days=6, seed=3, items=60, progress=False)


def _lines(root) -> list[bytes]:
    return sorted(line for p in (root / "landing").iterdir()
                  for line in p.read_bytes().splitlines())


def test_small_and_large_chunks_give_the_same_events(tmp_path):
    simulate(out_dir=tmp_path / "small", chunk_size=37, **ARGS)
    simulate(out_dir=tmp_path / "large", chunk_size=10_000, **ARGS)
    assert len(list((tmp_path / "small" / "landing").iterdir())) == 6 * 5
    assert len(list((tmp_path / "large" / "landing").iterdir())) == 6
    small, large = _lines(tmp_path / "small"), _lines(tmp_path / "large")
    assert len(small) > 1000 and small == large
    for name in ("users", "identity"):
        a = pl.read_parquet(tmp_path / "small" / "ground_truth" / f"{name}.parquet")
        b = pl.read_parquet(tmp_path / "large" / "ground_truth" / f"{name}.parquet")
        assert a.equals(b), name
