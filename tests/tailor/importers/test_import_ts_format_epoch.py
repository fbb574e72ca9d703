"""`tailor import events --ts-format %s` reads epoch seconds (CSV text or Parquet numbers) to the
exact instant; since it says "seconds", milliseconds are not guessed under it: those rows are
rejected with the unparseable:ts reason (the same file imports without --ts-format)."""
import argparse
import json

import polars as pl

from tailor.cli import importing


def _tailor(argv):
    parser = argparse.ArgumentParser(prog="tailor")
    importing.register(parser.add_subparsers())
    args = parser.parse_args(argv)
    return args.func(args)


def _events(landing):
    return {e["customer_id"]: e["ts"] for p in landing.glob("events-*.jsonl")
            for e in map(json.loads, p.read_text().splitlines())}


def test_ts_format_s_reads_epoch_seconds(tmp_path, capsys):
    src = tmp_path / "tx.csv"
    pl.DataFrame({"id": ["1", "2", "3"], "epoch": ["1772323200", "1772439330.9", "1772323200000"],
                  "amount": ["3.5", "4", "5"]}).write_csv(src)
    args = ["--event-type", "purchase", "--set", "item_id=CD", "--set", "quantity=1",
            "--map", "id=customer_id", "--map", "epoch=ts", "--map", "amount=price"]

    out = tmp_path / "landing"
    assert _tailor(["import", "events", str(src), "--ts-format", "%s", *args, "--out", str(out),
                    "--namespace", "s"]) == 0
    assert _events(out) == {"1": "2026-03-01T00:00:00Z", "2": "2026-03-02T08:15:30Z"}
    assert "1 rejected {'unparseable:ts': 1}" in capsys.readouterr().err
    rejected = json.loads((out / "rejected" / "s-rejected.ndjson").read_text())
    assert rejected["reason"] == "unparseable:ts=1772323200000" and rejected["row"]["id"] == "3"

    auto = tmp_path / "auto"
    assert _tailor(["import", "events", str(src), *args, "--out", str(auto)]) == 0
    assert _events(auto) == {"1": "2026-03-01T00:00:00Z", "2": "2026-03-02T08:15:30Z",
                             "3": "2026-03-01T00:00:00Z"}


def test_ts_format_s_on_parquet_numbers(tmp_path):
    src = tmp_path / "tx.parquet"
    pl.DataFrame({"id": ["1", "2"], "epoch": [1772323200, 946684799],
                  "amount": [3.5, 4.0]}).write_parquet(src)
    out = tmp_path / "landing"
    assert _tailor(["import", "events", str(src), "--ts-format", "%s", "--event-type", "purchase",
                    "--set", "item_id=CD", "--set", "quantity=1", "--map", "id=customer_id",
                    "--map", "epoch=ts", "--map", "amount=price", "--out", str(out)]) == 0
    assert _events(out) == {"1": "2026-03-01T00:00:00Z", "2": "1999-12-31T23:59:59Z"}
