"""MovieLens 100K: 100,000 ratings (1-5) by 943 people of 1,682 films, 1997-09-20..1998-04-22
(GroupLens; Harper & Konstan 2015). It ships inside the ``recbole`` wheel as
``recbole/dataset_example/ml-100k/ml-100k.inter`` (tab-separated ``user_id item_id rating
timestamp`` with a typed header) and ``ml-100k.item`` (id, title, year, genres).

The wheel is read as a zip archive, never installed (recbole pulls in torch): an installed
``recbole`` package is used if present, else a wheel in ``cache_dir``, else one is fetched there
with ``pip download recbole==1.2.1 --no-deps`` (PyPI only).

How a rating becomes landing events (decisions made here, stated so nobody has to guess):

* every rating is a ``view`` of the film at the rating's time (epoch seconds, UTC);
  ratings of ``purchase_from`` (4) or more are also a ``purchase`` one second later — "liked" —
  with ``quantity`` 1 and ``price`` 1.0 (MovieLens has no prices: every film costs one unit, an
  invented constant, so spend equals liked films);
* ``customer_id`` = ``ml-`` + the user id; ``item_id`` = ``film-`` + the item id; ``category`` =
  the first genre the item file lists (``unknown`` where it lists none);
* no consent is emitted: every decision is ``no_message``, recommendations are still served;
* ``end_date`` shifts every date by whole days so that ``shift_from`` (default: the last rating
  day) lands on ``end_date``; ``until`` keeps only ratings strictly before that (shifted) day,
  so a held-out period can be judged against what the pipeline saw.
"""
from __future__ import annotations

import importlib.util
import io
import os
import subprocess
import sys
import zipfile
from datetime import date, datetime, timezone
from pathlib import Path

import polars as pl

from tailor.importers.events import EventImportError, ImportReport, import_frame

WHEEL = "recbole==1.2.1"
MEMBER = "recbole/dataset_example/ml-100k/ml-100k.{}"
NAMESPACE = "ml100k"
PURCHASE_FROM = 4
PRICE = 1.0


def _read_member(kind: str, cache_dir: str | Path | None) -> bytes:
    spec = importlib.util.find_spec("recbole")
    if spec is not None and spec.origin:
        path = Path(os.path.dirname(spec.origin), "dataset_example", "ml-100k", f"ml-100k.{kind}")
        if path.exists():
            return path.read_bytes()
    cache = Path(cache_dir or Path.home() / ".cache" / "tailor" / "wheels")
    wheels = sorted(cache.glob("recbole-*.whl"))
    if not wheels:
        cache.mkdir(parents=True, exist_ok=True)
        done = subprocess.run([sys.executable, "-m", "pip", "download", WHEEL, "--no-deps",
                               "--quiet", "-d", str(cache)], capture_output=True, text=True)
        wheels = sorted(cache.glob("recbole-*.whl"))
        if done.returncode or not wheels:
            raise EventImportError(f"MovieLens 100K ships in the recbole wheel and it could not be "
                                   f"fetched into {cache}: {done.stderr.strip()[-300:]} "
                                   f"(pip download {WHEEL} --no-deps -d {cache})")
    with zipfile.ZipFile(wheels[-1]) as archive:
        return archive.read(MEMBER.format(kind))


def ratings(cache_dir: str | Path | None = None) -> pl.DataFrame:
    """user_id, item_id (strings), rating (int), ts (UTC datetime), category (first genre)."""
    inter = pl.read_csv(io.BytesIO(_read_member("inter", cache_dir)), separator="\t",
                        infer_schema=False,
                        new_columns=["user_id", "item_id", "rating", "timestamp"])
    genres = pl.read_csv(io.BytesIO(_read_member("item", cache_dir)), separator="\t",
                         quote_char=None, infer_schema=False,
                         new_columns=["item_id", "title", "year", "genres"])
    first_genre = pl.col("genres").str.split(" ").list.first().fill_null("unknown")
    return (inter.join(genres.select("item_id", first_genre.alias("category")), on="item_id",
                       how="left")
            .with_columns(pl.col("rating").cast(pl.Int32),
                          pl.from_epoch(pl.col("timestamp").cast(pl.Float64).cast(pl.Int64), "s")
                          .dt.replace_time_zone("UTC").alias("ts"),
                          pl.col("category").fill_null("unknown"))
            .select("user_id", "item_id", "rating", "ts", "category"))


def shifted(frame: pl.DataFrame, end_date: date | None, shift_from: date | None = None
            ) -> pl.DataFrame:
    """``frame`` with ``ts`` moved by whole days so ``shift_from`` (default: its last day) is
    ``end_date``; unchanged without ``end_date``."""
    if end_date is None:
        return frame
    last = shift_from or frame["ts"].max().date()  # type: ignore[union-attr]
    return frame.with_columns(pl.col("ts") + pl.duration(days=(end_date - last).days))


def to_landing_frame(frame: pl.DataFrame, purchase_from: int = PURCHASE_FROM) -> pl.DataFrame:
    """One view per rating, plus a purchase one second later for ratings ≥ ``purchase_from``."""
    base = frame.with_columns((pl.lit("ml-") + pl.col("user_id")).alias("customer_id"),
                              (pl.lit("film-") + pl.col("item_id")).alias("film"))
    views = base.with_columns(pl.lit("view").alias("event_type"), pl.lit(None, pl.String)
                              .alias("price"), pl.lit(None, pl.String).alias("quantity"))
    liked = (base.filter(pl.col("rating") >= purchase_from)
             .with_columns(pl.lit("purchase").alias("event_type"),
                           pl.col("ts") + pl.duration(seconds=1),
                           pl.lit(str(PRICE)).alias("price"), pl.lit("1").alias("quantity")))
    columns = ["customer_id", "film", "category", "event_type", "price", "quantity", "rating", "ts"]
    both = pl.concat([views.select(columns), liked.select(columns)])
    return both.with_columns(pl.col("ts").dt.strftime("%Y-%m-%dT%H:%M:%SZ"),
                             pl.col("rating").cast(pl.String))


MAPPING = {"customer_id": "customer_id", "ts": "ts", "item_id": "film", "category": "category",
           "event_type": "event_type", "price": "price", "quantity": "quantity"}


def import_movielens(landing_dir: str | Path, end_date: date | None = None,
                     until: date | None = None, shift_from: date | None = None,
                     purchase_from: int = PURCHASE_FROM, cache_dir: str | Path | None = None
                     ) -> ImportReport:
    """Write MovieLens 100K (ratings before ``until``, dates shifted) as landing events."""
    frame = shifted(ratings(cache_dir), end_date, shift_from)
    if until is not None:
        frame = frame.filter(pl.col("ts") < datetime.combine(until, datetime.min.time(),
                                                            tzinfo=timezone.utc))
    return import_frame(to_landing_frame(frame, purchase_from), MAPPING, landing_dir,
                        namespace=NAMESPACE, source=f"{WHEEL}:{MEMBER.format('inter')}")


def days(frame: pl.DataFrame) -> tuple[date, date]:
    """First and last rating day."""
    return frame["ts"].min().date(), frame["ts"].max().date()  # type: ignore[union-attr]

