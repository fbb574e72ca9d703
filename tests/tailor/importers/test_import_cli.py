"""The `tailor import` sub-commands parse, import and report; bad mappings exit 2 with a hint."""
import argparse

import polars as pl
import pytest

from tailor.cli import importing


def _tailor(argv):
    parser = argparse.ArgumentParser(prog="tailor")
    importing.register(parser.add_subparsers())
    args = parser.parse_args(argv)
    return args.func(args)


def test_import_events_cli(tmp_path, capsys):
    src = tmp_path / "tx.csv"
    pl.DataFrame({"id": ["1", "2"], "date": ["20260301", "20260302"],
                  "amount": ["3.5", "4"]}).write_csv(src)
    out = tmp_path / "landing"
    code = _tailor(["import", "events", str(src), "--ts-format", "%Y%m%d", "--event-type",
                    "purchase", "--set", "item_id=CD", "--set", "quantity=1",
                    "--map", "id=customer_id", "--map", "date=ts", "--map", "amount=price",
                    "--out", str(out)])
    assert code == 0 and "2 events" in capsys.readouterr().out
    assert len(list(out.glob("events-*.jsonl"))) == 2

    assert _tailor(["import", "events", str(src), "--map", "id=customer", "--out", str(out)]) == 2
    assert "not a landing event field" in capsys.readouterr().err


def test_import_help_teaches(capsys):
    with pytest.raises(SystemExit):
        _tailor(["import", "events", "--help"])
    text = capsys.readouterr().out
    assert "--map COL=FIELD" in text and "examples:" in text and "rejected" in text
