"""bench/dag_scale.py --combine: sizes measured by separate invocations make one summary, each
size once (the last file's), sorted, saying where it came from, with the growth between them;
runs of different world setups refuse to combine."""
import json

import pytest

from bench.dag_scale import combine, main


def summary(date, *sizes, days=30, config_env=None):
    return {"date": date, "cpus": 2, "days": days, "config_env": config_env or {},
            "sizes": [{"users": u, "dag_s": s, "status": "ok", "tasks": {}} for u, s in sizes],
            "growth_10x": []}


def test_sizes_are_sorted_once_each_with_their_source_and_growth():
    out = combine([("big.json", summary("2026-12-07", (1_000_000, 3000.0))),
                   ("old.json", summary("2026-12-05", (100_000, 900.0), (10_000, 250.0))),
                   ("new.json", summary("2026-12-07", (100_000, 750.0)))])
    assert [s["users"] for s in out["sizes"]] == [10_000, 100_000, 1_000_000]
    assert [(s["source"], s["date"], s["dag_s"]) for s in out["sizes"]] == [
        ("old.json", "2026-12-05", 250.0), ("new.json", "2026-12-07", 750.0),
        ("big.json", "2026-12-07", 3000.0)]
    assert out["combined_from"] == ["big.json", "old.json", "new.json"]
    assert out["growth_10x"] == [{"from": 10_000, "to": 100_000, "ratio_per_10x": 3.0},
                                 {"from": 100_000, "to": 1_000_000, "ratio_per_10x": 4.0}]


def test_a_failed_size_is_kept_but_not_in_the_growth():
    failed = summary("2026-12-07", (1_000_000, 100.0))
    failed["sizes"][0]["status"] = "failed: out of memory"
    out = combine([("a.json", summary("2026-12-07", (100_000, 700.0))), ("b.json", failed)])
    assert len(out["sizes"]) == 2 and out["growth_10x"] == []


@pytest.mark.parametrize("other", [summary("2026-12-07", (10, 1.0), days=45),
                                   summary("2026-12-07", (10, 1.0),
                                           config_env={"TAILOR__X": "1"})])
def test_different_world_setups_do_not_combine(other):
    with pytest.raises(ValueError, match="same world setup"):
        combine([("a.json", summary("2026-12-07", (100, 1.0))), ("b.json", other)])


def test_the_command_writes_the_summary_and_prints_it_last(tmp_path, capsys):
    a, b, out = tmp_path / "a.json", tmp_path / "b.json", tmp_path / "out.json"
    a.write_text(json.dumps(summary("2026-12-07", (100_000, 700.0))))
    b.write_text(json.dumps(summary("2026-12-07", (1_000_000, 2800.0))))
    assert main(["--combine", str(a), str(b), "--out", str(out)]) == 0
    written = json.loads(out.read_text())
    assert written["growth_10x"][0]["ratio_per_10x"] == 4.0
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1]) == written
