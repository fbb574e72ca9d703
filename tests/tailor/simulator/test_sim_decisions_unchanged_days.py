"""Closed loop: days without decisions are exactly what the simulator writes without a
decision table — an empty table changes nothing, and decisions dated day k leave every earlier
day's landing file byte-identical."""
from __future__ import annotations

import json

from tailor.simulator import simulate


def test_empty_table_changes_nothing(tmp_path, loop_world, decision_table, landing_bytes):
    simulate(out_dir=tmp_path / "plain", progress=False, **loop_world)
    empty = decision_table([]).clear()
    simulate(out_dir=tmp_path / "empty", progress=False, decisions=empty, **loop_world)
    assert landing_bytes(tmp_path / "plain") == landing_bytes(tmp_path / "empty")
    for name in ("users.parquet", "identity.parquet"):
        assert (tmp_path / "plain" / "ground_truth" / name).read_bytes() == \
            (tmp_path / "empty" / "ground_truth" / name).read_bytes()
    plain = json.loads((tmp_path / "plain" / "world.json").read_text())
    steered = json.loads((tmp_path / "empty" / "world.json").read_text())
    assert "decisions" not in plain and steered.pop("decisions")["decided"] == 0
    assert plain == steered


def test_days_before_the_first_decision_are_untouched(tmp_path, loop_world, decision_table,
                                                       landing_bytes):
    simulate(out_dir=tmp_path / "plain", progress=False, **loop_world)
    simulate(out_dir=tmp_path / "loop", progress=False,
             decisions=decision_table(["2026-09-05"]), **loop_world)
    plain, loop = landing_bytes(tmp_path / "plain"), landing_bytes(tmp_path / "loop")
    assert plain.keys() == loop.keys()
    for name in plain:
        if name < "events-2026-09-05":
            assert plain[name] == loop[name], f"{name} changed before the first decision"
    assert plain["events-2026-09-05-000.jsonl"] != loop["events-2026-09-05-000.jsonl"]
