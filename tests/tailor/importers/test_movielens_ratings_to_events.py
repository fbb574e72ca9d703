"""MovieLens 100K from the recbole wheel (read as a zip, never installed): every rating a view,
ratings ≥ 4 also a purchase, first genre the category, dates shifted and cut at ``until``."""
import json
import zipfile
from datetime import date

from tailor.importers.movielens import MEMBER, import_movielens, ratings

INTER = ("user_id:token\titem_id:token\trating:float\ttimestamp:float\n"
         "1\t10\t5\t881250949\n"        # 1997-12-04: liked
         "1\t11\t2\t881337349\n"        # 1997-12-05
         "2\t10\t4\t881423749\n")       # 1997-12-06: liked, the last day
ITEM = ("item_id:token\tmovie_title:token_seq\trelease_year:token\tclass:token_seq\n"
        "10\tToy Story\t1995\tAnimation Children's Comedy\n"
        "11\tUntitled\tV\t\n")


def wheel(tmp_path):
    with zipfile.ZipFile(tmp_path / "recbole-1.2.1-py3-none-any.whl", "w") as archive:
        archive.writestr(MEMBER.format("inter"), INTER)
        archive.writestr(MEMBER.format("item"), ITEM)
    return tmp_path


def landed(landing):
    return [json.loads(line) for f in sorted(landing.glob("events-*.jsonl"))
            for line in f.read_text().splitlines()]


def test_ratings_read_from_the_wheel(tmp_path):
    frame = ratings(wheel(tmp_path))
    assert frame["category"].to_list() == ["Animation", "unknown", "Animation"]
    assert str(frame["ts"][0]) == "1997-12-04 15:55:49+00:00"


def test_views_purchases_shift_and_cut(tmp_path):
    landing = tmp_path / "landing"
    report = import_movielens(landing, end_date=date(2026, 10, 15), until=date(2026, 10, 15),
                              cache_dir=wheel(tmp_path))
    events = landed(landing)
    assert report.rejected == 0
    # the last day (1997-12-06 → 2026-10-15) is held out by `until`
    assert sorted((e["event_type"], e["customer_id"], e["item_id"]) for e in events) == [
        ("purchase", "ml-1", "film-10"), ("view", "ml-1", "film-10"), ("view", "ml-1", "film-11")]
    purchase = next(e for e in events if e["event_type"] == "purchase")
    assert purchase["ts"] == "2026-10-13T15:55:50Z" and purchase["price"] == 1.0
    assert purchase["quantity"] == 1 and purchase["category"] == "Animation"
