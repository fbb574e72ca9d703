"""Closed loop: re-simulating with the same decision tables reproduces every file, and adding
one more day of decisions leaves all earlier days byte-identical — so a loop can re-run the
simulator with one more day each time."""
from __future__ import annotations

import polars as pl

from tailor.simulator import simulate


def test_rerun_with_one_more_day(tmp_path, loop_world, decision_table, landing_bytes):
    tables = tmp_path / "decisions"
    tables.mkdir()
    decision_table(["2026-09-03"], seed=1).write_parquet(tables / "2026-09-03.parquet")
    decision_table(["2026-09-04"], seed=2).write_ndjson(tables / "2026-09-04.jsonl")
    simulate(out_dir=tmp_path / "a", progress=False, decisions=tables, **loop_world)
    simulate(out_dir=tmp_path / "b", progress=False, decisions=tables, **loop_world)
    assert landing_bytes(tmp_path / "a") == landing_bytes(tmp_path / "b")
    assert (tmp_path / "a" / "world.json").read_bytes() == \
        (tmp_path / "b" / "world.json").read_bytes()

    decision_table(["2026-09-05"], seed=3).write_parquet(tables / "2026-09-05.parquet")
    simulate(out_dir=tmp_path / "a", progress=False, decisions=tables, **loop_world)
    before, after = landing_bytes(tmp_path / "b"), landing_bytes(tmp_path / "a")
    for name in before:
        if name < "events-2026-09-05":
            assert before[name] == after[name], f"{name} changed when a later day was added"
    assert before["events-2026-09-05-000.jsonl"] != after["events-2026-09-05-000.jsonl"]
    assert pl.read_parquet(tables / "2026-09-05.parquet").height == loop_world["users"]
