"""Ranking on real data: MovieLens 100K through the whole daily DAG, judged on the whole catalog.

    .venv/bin/python bench/ranking_movielens.py            # ~10-15 min on 2 cores
    .venv/bin/python bench/ranking_movielens.py --help

Protocol (a temporal split, as a deployed recommender lives it):

* MovieLens 100K (943 people, 1,682 films, 100,000 ratings, 1997-09-20..1998-04-22) ships in the
  ``recbole`` wheel; :mod:`tailor.importers.movielens` reads it from the wheel (every rating a
  view, ratings ≥ 4 also a purchase, first genre = category) — the mapping a user would give
  ``tailor import events``.
* The last ``--holdout-days`` (28) of ratings are held out. Everything before is imported with
  dates shifted so the last seen day is the run date ``ds``, and the daily DAG runs for ``ds``
  (Airflow ``dags test``, its own world under bench/.data) with ``models.ranker.top_k`` = 10,
  ``models.ranker.seen_items`` = exclude (films: a discovery catalog) and the ranker's label
  window ``models.horizons.ranker`` = the judged period (28 days).
* Truth: the films each person rated in the held-out days that they had not rated before
  (re-seen films never count). Persons without such a film are left out.
* Compared on the same persons (paired person-bootstrap 95% CIs, models/topk.py): Tailor's
  served top-10 (``gold.recommendations``), popularity and item-kNN (cosine, 50 neighbours;
  models/recommenders.py), both built from the same history and also excluding seen films.
  Persons the DAG did not serve count 0 for Tailor.
* Candidate recall (the cap on any ranker): for each source of features/candidates.py its own
  list up to ``--depth`` (100) items, and the pool the ranker actually scores
  (``candidates_per_user``), recomputed at ``ds`` on the world's lakehouse.

Prints the table and, last, one JSON object (also bench/results/ranking_movielens.json) with
``tailor``, ``popularity``, ``item_knn`` (ndcg / recall / map at K, value and CI), the differences
of Tailor to item-kNN and popularity, candidate recall per source and of the pool, which ranker
served (champion or baseline), and list diagnostics (distinct items served, seen share).
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pandas as pd
import polars as pl

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
DATA = REPO / "bench" / ".data" / "ranking_movielens"
RESULTS = REPO / "bench" / "results"

from bench.output import add_bootstrap_args, finish  # noqa: E402


def _frames(ds: date, holdout_days: int, cache: Path | None) -> tuple[pd.DataFrame, pd.DataFrame, date]:
    """History (shifted ts < end of ds) and the held-out days, as pandas with Tailor's ids."""
    from tailor.importers.movielens import days, ratings, shifted

    frame = ratings(cache)
    last_seen = days(frame)[1] - timedelta(days=holdout_days)
    moved = shifted(frame, ds, shift_from=last_seen).with_columns(
        (pl.lit("ml-") + pl.col("user_id")).alias("customer_id"),
        (pl.lit("film-") + pl.col("item_id")).alias("item_id"))
    boundary = datetime.combine(ds + timedelta(days=1), datetime.min.time(), tzinfo=timezone.utc)
    history = moved.filter(pl.col("ts") < boundary).to_pandas()
    future = moved.filter(pl.col("ts") >= boundary).to_pandas()
    return history, future, last_seen


def _pools(cfg, ds: str, depth: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(source lists up to ``depth``, the configured pool) at ds, from the world's tables."""
    from tailor.features.assemble import person_features
    from tailor.features.candidates import candidate_pairs, proposals
    from tailor.features.registry import GROUPS
    from tailor.runtime import JobContext

    ctx = JobContext(cfg, ds, job="bench-ranking")
    lh = ctx.lakehouse
    people = person_features(lh, ds)
    items = lh.read(GROUPS["item_stats"].table, partitions={"ds": ds})
    covis = lh.read(GROUPS["covisitation"].table, partitions={"ds": ds})
    events, at, seen = lh.read("silver.events"), ctx.day_end(), cfg.models.ranker.seen_items
    lists = proposals(people, items, events, at, depth, covis, seen).toPandas()
    pool = candidate_pairs(people, items, events, at, cfg.models.ranker.candidates_per_user,
                           covis, seen).toPandas()
    return lists, pool


def run(args: argparse.Namespace) -> dict:
    from tailor import spark_connect
    from tailor.config import load_config
    from tailor.dagrun import print_progress, run_dag, world_env
    from tailor.importers.movielens import import_movielens
    from tailor.lakehouse import Lakehouse
    from tailor.models import recommenders
    from tailor.models.topk import candidate_recall, compare, relevant
    from tailor.privacy import pseudonymise

    world = args.world
    shutil.rmtree(world, ignore_errors=True)
    (world / "mlflow").mkdir(parents=True)
    os.environ.update({**world_env(world, REPO / "dags"), "TAILOR__QUALITY__DATA_DOCS": "false",
                       "TAILOR__MODELS__RANKER__TOP_K": str(args.k),
                       "TAILOR__MODELS__RANKER__SEEN_ITEMS": args.seen,
                       "TAILOR__MODELS__HORIZONS__RANKER": str(args.ranker_horizon)})
    cfg = load_config(root=REPO)
    ds = date.fromisoformat(cfg.simulator.start_date) + timedelta(days=44)
    history, future, last_seen = _frames(ds, args.holdout_days, args.cache)
    t = time.monotonic()
    report = import_movielens(cfg.landing_dir, end_date=ds, until=ds + timedelta(days=1),
                              shift_from=last_seen, cache_dir=args.cache)
    print(f"imported {report.events:,} events for {report.customers} people "
          f"({report.first_day}..{report.last_day}; MovieLens up to {last_seen}); "
          f"{len(future):,} ratings held out; DAG for ds={ds}", flush=True)
    try:
        result = run_dag(REPO, ds.isoformat(), world / "airflow-run.log",
                         progress=print_progress())
    finally:
        spark_connect.stop(cfg)
    dag_s = round(time.monotonic() - t, 1)
    if not result.ok:
        raise SystemExit(f"the DAG failed: {result.message} (log: {world / 'airflow-run.log'})")

    key, length = cfg.privacy.pseudonym_key, cfg.privacy.person_id_length
    ids = {c: pseudonymise(c, key, length) for c in history["customer_id"].unique().tolist()
           + future["customer_id"].unique().tolist()}
    history["person_id"] = history["customer_id"].map(ids)
    future["person_id"] = future["customer_id"].map(ids)
    exclude = args.seen == "exclude"
    truth = relevant(future, history, exclude_seen=exclude)
    persons = truth["person_id"].drop_duplicates()

    served = (Lakehouse(cfg).read_arrow("gold.recommendations", partitions={"ds": ds.isoformat()})
              .to_pandas())
    lists = {"tailor": served[["person_id", "item_id", "rank"]],
             "popularity": recommenders.popularity(history, persons, args.k, exclude_seen=exclude),
             "item_knn": recommenders.item_knn(history, persons, args.k, args.neighbours,
                                               exclude_seen=exclude)}
    source_lists, pool = _pools(cfg, ds.isoformat(), args.depth)
    spark_connect.stop(cfg)
    extra = {f"source:{s}": candidate_recall(source_lists[source_lists["source"] == s], truth)
             for s in sorted(source_lists["source"].unique())}
    extra["sources_union"] = candidate_recall(source_lists, truth)
    extra["pool"] = candidate_recall(pool, truth)
    out = compare(lists, truth, args.k, reference="item_knn", extra=extra, n_boot=args.boot,
                  seed=args.seed).as_dict()
    vs_pop = compare({n: lists[n] for n in ("tailor", "popularity")}, truth, args.k,
                     reference="popularity", n_boot=args.boot, seed=args.seed).as_dict()
    seen_pairs = set(zip(history["person_id"], history["item_id"]))
    top = served[served["rank"] <= args.k]
    ranker_version = (top["ranker_version"].iloc[0] if "ranker_version" in top and len(top)
                      else None)
    return {"date": time.strftime("%Y-%m-%d"), "dataset": "MovieLens 100K (recbole 1.2.1 wheel)",
            "k": args.k, "seen_items": args.seen, "holdout_days": args.holdout_days,
            "ranker_horizon": args.ranker_horizon,
            "ds": ds.isoformat(), "dag_s": dag_s, "events": report.events,
            "persons_judged": out["persons"], "persons_served": int(top["person_id"].nunique()),
            "ranker_version": ranker_version,
            "served_distinct_items": int(top["item_id"].nunique()),
            "served_seen_share": round(sum((p, i) in seen_pairs for p, i in
                                           zip(top["person_id"], top["item_id"])) / max(len(top), 1), 4),
            "pool_size_mean": round(float(pool.groupby("person_id").size().mean()), 2),
            "depth": args.depth,
            **{n: out["estimates"][n] for n in ("tailor", "popularity", "item_knn")},
            "tailor_minus_item_knn": out["differences"]["tailor"],
            "tailor_minus_popularity": vs_pop["differences"]["tailor"],
            "candidate_recall": {n: out["estimates"][n]["recall"] for n in extra}}


def report(out: dict) -> None:
    k = out["k"]
    print(f"\nMovieLens 100K, top-{k}, seen items {out['seen_items']}: {out['persons_judged']} "
          f"persons with a new film in the {out['holdout_days']} held-out days; DAG {out['dag_s']} s; "
          f"ranker {out['ranker_version']}")
    print(f"{'list':12s}" + "".join(f"{m + '@' + str(k):>28s}" for m in ("ndcg", "recall", "map")))
    for name in ("tailor", "popularity", "item_knn"):
        print(f"{name:12s}" + "".join(f"{v[0]:>10.4f} [{v[1]:.4f}, {v[2]:.4f}]"
                                      for v in out[name].values()))
    for ref in ("item_knn", "popularity"):
        print(f"tailor - {ref}: " + ", ".join(f"{m} {v[0]:+.4f} [{v[1]:+.4f}, {v[2]:+.4f}]"
                                              for m, v in out[f"tailor_minus_{ref}"].items()))
    print(f"candidate recall (sources up to {out['depth']} each; pool = "
          f"{out['pool_size_mean']} per person): " + ", ".join(
              f"{n} {v[0]:.3f}" for n, v in out["candidate_recall"].items()))
    print(f"served: {out['persons_served']} persons, {out['served_distinct_items']} distinct films, "
          f"{out['served_seen_share']:.1%} of slots already seen")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog=__doc__.split("\n\n", 2)[2])
    parser.add_argument("--k", type=int, default=10, help="list length judged and served (10)")
    parser.add_argument("--holdout-days", type=int, default=28, help="days held out (28)")
    parser.add_argument("--seen", choices=["exclude", "keep"], default="exclude",
                        help="models.ranker.seen_items and the truth's rule (exclude: films)")
    parser.add_argument("--ranker-horizon", type=int, default=28,
                        help="models.horizons.ranker: the label window the ranker learns (28, "
                             "the judged period; the default 14 leaves the gate 9 lists here)")
    parser.add_argument("--neighbours", type=int, default=50, help="item-kNN neighbours (50)")
    parser.add_argument("--depth", type=int, default=100, help="candidate recall depth (100)")
    parser.add_argument("--world", type=Path, default=DATA, help=f"working folder ({DATA})")
    parser.add_argument("--cache", type=Path, default=None,
                        help="where the recbole wheel is kept (~/.cache/tailor/wheels)")
    parser.add_argument("--out", type=Path, default=RESULTS / "ranking_movielens.json")
    add_bootstrap_args(parser)
    return finish(parser, argv, run, report)


if __name__ == "__main__":
    sys.exit(main())
