"""--timezone says where *naive* text timestamps were written; an epoch number is already UTC,
so it never shifts one (seconds or milliseconds, number or text, in any format)."""
import json

import polars as pl
import pytest

from tailor.importers.events import import_file

MIDNIGHT = 1772323200  # 2026-03-01T00:00:00Z


@pytest.mark.parametrize("fmt", ["csv", "parquet", "jsonl"])
def test_timezone_shifts_naive_text_only(tmp_path, fmt):
    stamps = [MIDNIGHT, MIDNIGHT * 1000]
    path = tmp_path / f"t.{fmt}"
    if fmt == "jsonl":
        path.write_text("".join(json.dumps({"u": f"u{i}", "t": t}) + "\n"
                                for i, t in enumerate(stamps)))
    elif fmt == "parquet":
        pl.DataFrame({"u": ["u0", "u1"], "t": stamps}).write_parquet(path)
    else:
        pl.DataFrame({"u": ["u0", "u1", "u2"],
                      "t": [str(s) for s in stamps] + ["2026-03-01 00:00:00"]}).write_csv(path)
    landing = tmp_path / "landing"
    report = import_file(path, {"customer_id": "u", "ts": "t"}, landing,
                         {"event_type": "login", "anonymous_id": "a"}, timezone_name="Asia/Tokyo")

    assert report.rejected == 0
    got = {e["customer_id"]: e["ts"] for p in landing.glob("*.jsonl")
           for e in map(json.loads, p.read_text().splitlines())}
    want = {"u0": "2026-03-01T00:00:00Z", "u1": "2026-03-01T00:00:00Z"}
    if fmt == "csv":
        want["u2"] = "2026-02-28T15:00:00Z"   # naive text: midnight in Tokyo
    assert got == want
