"""`tailor simulate` parses its flags, writes the world and prints a summary."""
from __future__ import annotations

import json

import pytest

from tailor.cli import build_parser, main


def test_help_lists_flags_and_an_example(capsys):
    with pytest.raises(SystemExit):
        build_parser().parse_args(["simulate", "--help"])
    text = capsys.readouterr().out
    for flag in ("--users", "--days", "--seed", "--items", "--start-date", "--out"):
        assert flag in text
    assert "tailor simulate --users" in text


def test_run_writes_world_and_prints_summary(tmp_path, capsys):
    code = main(["simulate", "--users", "40", "--days", "3", "--seed", "9", "--items", "30",
                 "--start-date", "2026-01-30", "--out", str(tmp_path), "--no-progress"])
    assert code == 0
    out = capsys.readouterr().out
    world = json.loads((tmp_path / "world.json").read_text())
    assert world["arguments"] | {"chunk_size": 0} == {
        "users": 40, "days": 3, "seed": 9, "items": 30, "start_date": "2026-01-30",
        "end_date": "2026-02-01", "chunk_size": 0}
    assert sorted(p.name for p in (tmp_path / "landing").iterdir()) == [
        "events-2026-01-30-000.jsonl", "events-2026-01-31-000.jsonl",
        "events-2026-02-01-000.jsonl"]
    assert f"{world['counts']['events']:,}" in out
    assert world["examples"]["active"][0] in out


def test_defaults_come_from_conf(tmp_path):
    from tailor.config import get_config

    sim = get_config().simulator
    assert main(["simulate", "--users", "20", "--days", "2", "--out", str(tmp_path),
                 "--no-progress"]) == 0
    arguments = json.loads((tmp_path / "world.json").read_text())["arguments"]
    assert (arguments["seed"], arguments["items"], arguments["start_date"]) == (
        sim.seed, sim.items, sim.start_date)


def test_bad_date_is_rejected(capsys):
    with pytest.raises(SystemExit):
        build_parser().parse_args(["simulate", "--start-date", "2026-13-01"])
    assert "YYYY-MM-DD" in capsys.readouterr().err
