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


def test_help_teaches_the_closed_loop(capsys):
    with pytest.raises(SystemExit):
        build_parser().parse_args(["simulate", "--help"])
    text = capsys.readouterr().out
    for words in ("--decisions PATH", "--fallback", "customer_id", "propensity", "no_message",
                  "one more day of decisions", "tailor simulate --users 5000 --days 45"):
        assert words in text, words


def test_run_with_decisions(tmp_path, capsys):
    import polars as pl

    table = tmp_path / "decisions.jsonl"
    pl.DataFrame({"customer_id": [f"C{u:07d}" for u in range(1, 41)], "date": "2026-01-31",
                  "action_id": "in_app@12:none", "propensity": 0.5}).write_ndjson(table)
    code = main(["simulate", "--users", "40", "--days", "3", "--seed", "9", "--items", "30",
                 "--start-date", "2026-01-30", "--out", str(tmp_path / "w"), "--no-progress",
                 "--decisions", str(table), "--fallback", "no_message"])
    assert code == 0
    out = capsys.readouterr().out
    report = json.loads((tmp_path / "w" / "world.json").read_text())["decisions"]
    assert report["fallback"] == "no_message" and report["dates"] == ["2026-01-31"]
    assert f"decisions:    40 rows on 1 dates: {report['decided']}" in out


def test_bad_decisions_exit_2_with_the_reason(tmp_path, capsys):
    code = main(["simulate", "--users", "20", "--days", "2", "--out", str(tmp_path),
                 "--no-progress", "--decisions", str(tmp_path / "missing.parquet")])
    assert code == 2
    assert "does not exist" in capsys.readouterr().err
