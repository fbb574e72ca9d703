"""Rows that cannot be parsed or break the landing contract are counted per reason and written,
with the reason and the source row, to landing/rejected/ (which ingest never reads); the good
rows are still imported."""
import json

import polars as pl

from tailor.importers.events import import_file
from tailor.ingestion.landing import list_landing_files


def test_bad_rows_are_rejected_with_reasons(tmp_path):
    src = tmp_path / "tx.csv"
    pl.DataFrame({
        "user": ["u1", "u2", "", "u4", "u5", "u6"],
        "day": ["20260301", "20260301", "20260301", "not-a-date", "20260302", "20260302"],
        "value": ["5.0", "abc", "5.0", "5.0", "-1", "7"],
        "product": ["p", "p", "p", "p", "p", ""],
    }).write_csv(src)
    landing = tmp_path / "landing"
    report = import_file(src, {"customer_id": "user", "ts": "day", "price": "value",
                               "item_id": "product"}, landing,
                         {"event_type": "purchase", "quantity": "1"}, ts_format="%Y%m%d",
                         namespace="shop")

    assert report.rows == 6 and report.events == 1 and report.rejected == 5
    assert report.rejected_reasons == {"unparseable:price": 1, "missing:customer_id|anonymous_id|device_id": 1,
                                       "unparseable:ts": 1, "bad_value:price": 1,
                                       "missing:item_id": 1}
    rejected = [json.loads(line) for line in
                (landing / "rejected" / "shop-rejected.ndjson").read_text().splitlines()]
    assert report.rejected_file.endswith("rejected/shop-rejected.ndjson")
    by_user = {r["row"]["user"]: r["reason"] for r in rejected}
    assert by_user["u2"] == "unparseable:price=abc" and by_user["u4"] == "unparseable:ts=not-a-date"
    assert by_user["u5"] == "bad_value:price" and by_user["u6"] == "missing:item_id"
    # only the good event is visible to ingest
    files = list_landing_files(str(landing))
    assert [f.rsplit("/", 1)[1] for f in files] == ["events-2026-03-01-000.jsonl"]
    assert json.loads(open(files[0]).read())["customer_id"] == "u1"
