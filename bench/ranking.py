"""Ranking, end to end: a world through the whole daily DAG, its served top-K judged on the
whole catalog against what people did next — MovieLens 100K (real) or the simulator.

    .venv/bin/python bench/ranking.py --data movielens     # ~10-12 min on 2 cores
    .venv/bin/python bench/ranking.py --data sim           # 3,000 customers x 45 days, ~10 min
    .venv/bin/python bench/ranking.py --help

Protocol (a temporal split, as a deployed recommender lives it):

* **movielens** — MovieLens 100K (943 people, 1,682 films, 100,000 ratings, 1997-09-20..
  1998-04-22) ships in the ``recbole`` wheel; :mod:`tailor.importers.movielens` reads it from
  the wheel (every rating a view, ratings ≥ 4 also a purchase, first genre = category), the
  mapping a user would give ``tailor import events``. The last ``--holdout-days`` (28) are held
  out; everything before is imported with dates shifted so the last seen day is the run date.
  Films are a discovery catalog: ``models.ranker.seen_items`` = exclude, and the truth is the
  films a person rated in the held-out days that they had not rated before.
* **sim** — the simulator writes ``--days`` + ``--holdout-days`` (45 + 14) days; the held-out
  days' landing files are moved aside before the DAG runs, so the pipeline never sees them.
  ``seen_items`` = keep (the configured default: a shop where people view and buy again), so
  every item a person viewed, carted or bought in the held-out days is relevant, and each
  person's own most-interacted items ("own_frequency") is a baseline too.
* The daily DAG runs for the last seen day ``ds`` (Airflow ``dags test``, a world of its own
  under bench/.data) with ``models.ranker.top_k`` = ``--k`` (10) and the ranker's label window
  ``models.horizons.ranker`` = the held-out period, so it learns to predict what it is judged on.
* Held-out events map to persons as the pipeline would: customer ids through the pseudonym,
  anonymous / device ids through ``silver.identity_map``. History = ``silver.events`` up to ds.
* Compared on the same persons (paired person-bootstrap 95% CIs, models/topk.py): Tailor's
  lists as its server answers them (``gold.recommendations``; a person it never saw gets the
  snapshot's fallback for unknown users, tailor/serving/fallback.py), popularity and item-kNN
  (cosine, 50 neighbours; models/recommenders.py; nothing for a person without history) from
  the same history under the same seen-items rule; then again on the persons who had a history
  before ds only (no cold start).
* Candidate recall (the cap on any ranker): each source of features/candidates.py up to
  ``--depth`` (100) items, their union, and the pool the ranker scores (``candidates_per_user``),
  recomputed at ds on the world's tables.

Prints the table and, last, one JSON object (also bench/results/ranking_<data>.json): per list
ndcg / recall / map at K (value, CI low, CI high), Tailor's differences to each baseline,
candidate recall per source and of the pool, which ranker served (champion or baseline) and why,
and list diagnostics (distinct items served, share of served slots the person had seen).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
DATA = REPO / "bench" / ".data" / "ranking"
RESULTS = REPO / "bench" / "results"
TRUTH_TYPES = ("view", "add_to_cart", "purchase")
DEFAULTS = {"movielens": {"seen": "exclude", "holdout_days": 28},
            "sim": {"seen": "keep", "holdout_days": 14}}

from bench.output import add_bootstrap_args, finish  # noqa: E402


@dataclass
class World:
    ds: date
    future: pd.DataFrame        # held-out events: customer_id / anonymous_id / device_id, item_id
    describe: str


def movielens(args: argparse.Namespace, cfg, ds: date) -> World:
    """Import the seen part of MovieLens 100K into the world's landing; the rest is the truth."""
    import polars as pl

    from tailor.importers.movielens import days, import_movielens, ratings, shifted

    frame = ratings(args.cache)
    last_seen = days(frame)[1] - timedelta(days=args.holdout_days)
    moved = shifted(frame, ds, shift_from=last_seen)
    boundary = datetime.combine(ds + timedelta(days=1), datetime.min.time(), tzinfo=timezone.utc)
    future = (moved.filter(pl.col("ts") >= boundary)
              .select((pl.lit("ml-") + pl.col("user_id")).alias("customer_id"),
                      (pl.lit("film-") + pl.col("item_id")).alias("item_id"))
              .to_pandas())
    report = import_movielens(cfg.landing_dir, end_date=ds, until=ds + timedelta(days=1),
                              shift_from=last_seen, cache_dir=args.cache)
    return World(ds, future, f"MovieLens 100K: {report.events:,} events for {report.customers} "
                             f"people up to {last_seen} (shifted to {ds}); {len(future):,} ratings "
                             f"held out")


def simulated(args: argparse.Namespace, cfg, ds: date) -> World:
    """Simulate seen + held-out days; move the held-out days' landing files aside."""
    from tailor.simulator import simulate

    world = Path(cfg.landing_dir).parent
    summary = simulate(users=args.users, days=args.days + args.holdout_days, seed=args.seed_world,
                       out_dir=str(world), items=cfg.simulator.items,
                       start_date=cfg.simulator.start_date, progress=False)
    held = world / "holdout"
    held.mkdir(exist_ok=True)
    rows = []
    for path in sorted(Path(cfg.landing_dir).glob("events-*.jsonl")):
        if date.fromisoformat(path.name[len("events-"):len("events-") + 10]) > ds:
            path.rename(held / path.name)
            rows += [json.loads(line) for line in (held / path.name).read_text().splitlines()]
    future = pd.DataFrame(rows)
    future = future[future["event_type"].isin(TRUTH_TYPES) & future["item_id"].notna()]
    return World(ds, future, f"simulator: {args.users:,} customers x {args.days} days "
                             f"({summary.get('events', 0):,} events incl. {args.holdout_days} "
                             f"held-out days: {len(future):,} interactions)")


def persons_of(future: pd.DataFrame, cfg, idmap: pd.DataFrame) -> pd.Series:
    """The pipeline's person_id of each held-out event (None where its ids were never seen)."""
    from tailor.identity.resolve import ID_COLUMNS
    from tailor.privacy import pseudonymise

    key, length = cfg.privacy.pseudonym_key, cfg.privacy.person_id_length
    person = pd.Series(None, index=future.index, dtype=object)
    if "customer_id" in future:
        known = future["customer_id"].notna()
        person[known] = [pseudonymise(c, key, length) for c in future.loc[known, "customer_id"]]
    lookup = dict(zip(idmap["id_hash"], idmap["person_id"]))
    for id_type, column in ID_COLUMNS.items():
        if column in future:
            todo = person.isna() & future[column].notna()
            person[todo] = [lookup.get(pseudonymise(f"{id_type}:{v}", key, length))
                            for v in future.loc[todo, column]]
    return person


def with_fallback(served: pd.DataFrame, persons: pd.Series, k: int) -> pd.DataFrame:
    """Tailor's lists as its server answers them: the served persons' own, and for every other
    person the snapshot's fallback for unknown users (tailor/serving/fallback.py)."""
    import pyarrow as pa

    from tailor.serving.fallback import popular_items

    own = served[["person_id", "item_id", "rank"]]
    per_person = own.sort_values("rank").groupby("person_id")["item_id"].agg(list)
    fallback = [r["item_id"] for r in popular_items(pa.array(per_person.tolist()), k)]
    unknown = persons[~persons.isin(per_person.index)].drop_duplicates().to_numpy()
    rows = pd.DataFrame({"person_id": unknown.repeat(len(fallback)),
                         "item_id": fallback * len(unknown),
                         "rank": list(range(1, len(fallback) + 1)) * len(unknown)})
    return pd.concat([own, rows], ignore_index=True)


def _pools(cfg, ds: str, depth: int) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(history, source lists up to ``depth``, the configured pool) at ds from the world's tables."""
    from pyspark.sql import functions as F

    from tailor.features.assemble import person_features
    from tailor.features.candidates import candidate_pairs, proposals
    from tailor.features.registry import GROUPS
    from tailor.features.windows import as_of, is_order
    from tailor.runtime import JobContext

    ctx = JobContext(cfg, ds, job="bench-ranking")
    lh, at, seen = ctx.lakehouse, ctx.day_end(), cfg.models.ranker.seen_items
    people = person_features(lh, ds)
    items = lh.read(GROUPS["item_stats"].table, partitions={"ds": ds})
    covis = lh.read(GROUPS["covisitation"].table, partitions={"ds": ds})
    events = lh.read("silver.events")
    history = (as_of(events, at).where(F.col("item_id").isNotNull() &
                                       (F.col("event_type").isin(*TRUTH_TYPES) | is_order()))
               .groupBy("person_id", "item_id").agg(F.count(F.lit(1)).alias("weight"))
               .toPandas())
    lists = proposals(people, items, events, at, depth, covis, seen).toPandas()
    pool = candidate_pairs(people, items, events, at, cfg.models.ranker.candidates_per_user,
                           covis, seen).toPandas()
    return history, lists, pool


def run(args: argparse.Namespace) -> dict:
    from tailor import spark_connect
    from tailor.config import load_config
    from tailor.dagrun import print_progress, run_dag, world_env
    from tailor.lakehouse import Lakehouse
    from tailor.models import recommenders
    from tailor.models.topk import candidate_recall, compare, relevant

    for name, value in DEFAULTS[args.data].items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    world = args.world or DATA / args.data
    shutil.rmtree(world, ignore_errors=True)
    (world / "mlflow").mkdir(parents=True)
    os.environ.update({**world_env(world, REPO / "dags"), "TAILOR__QUALITY__DATA_DOCS": "false",
                       "TAILOR__MODELS__RANKER__TOP_K": str(args.k),
                       "TAILOR__MODELS__RANKER__SEEN_ITEMS": args.seen,
                       "TAILOR__MODELS__HORIZONS__RANKER": str(args.holdout_days)})
    cfg = load_config(root=REPO)
    ds = date.fromisoformat(cfg.simulator.start_date) + timedelta(days=args.days - 1)
    t = time.monotonic()
    w = (movielens if args.data == "movielens" else simulated)(args, cfg, ds)
    print(f"{w.describe}; DAG for ds={ds}", flush=True)
    try:
        result = run_dag(REPO, ds.isoformat(), world / "airflow-run.log",
                         progress=print_progress())
    finally:
        spark_connect.stop(cfg)
    dag_s = round(time.monotonic() - t, 1)
    if not result.ok:
        raise SystemExit(f"the DAG failed: {result.message} (log: {world / 'airflow-run.log'})")

    lh = Lakehouse(cfg)
    try:
        history, source_lists, pool = _pools(cfg, ds.isoformat(), args.depth)
    finally:
        spark_connect.stop(cfg)
    future = w.future.assign(person_id=persons_of(w.future, cfg, lh.read_arrow(
        "silver.identity_map", columns=["id_hash", "person_id"]).to_pandas()))
    unmapped = int(future["person_id"].isna().sum())
    exclude = args.seen == "exclude"
    truth = relevant(future.dropna(subset=["person_id"]), history, exclude_seen=exclude)
    persons = truth["person_id"].drop_duplicates()
    served = lh.read_arrow("gold.recommendations", partitions={"ds": ds.isoformat()}).to_pandas()
    served = served[served["rank"] <= args.k]
    known = set(history["person_id"])
    lists = {"tailor": with_fallback(served, persons, args.k),
             "popularity": recommenders.popularity(history, persons, args.k, exclude_seen=exclude),
             "item_knn": recommenders.item_knn(history, persons, args.k, args.neighbours,
                                               exclude_seen=exclude)}
    if not exclude:
        lists["own_frequency"] = recommenders.own_frequency(history, persons, args.k)
    extra = {f"source:{s}": candidate_recall(source_lists[source_lists["source"] == s], truth)
             for s in sorted(source_lists["source"].unique())}
    extra["sources_union"] = candidate_recall(source_lists, truth)
    extra["pool"] = candidate_recall(pool, truth)
    baselines = [n for n in lists if n != "tailor"]
    judged = {ref: compare({"tailor": lists["tailor"], ref: lists[ref]}, truth, args.k,
                           reference=ref, n_boot=args.boot, seed=args.seed).as_dict()
              for ref in baselines}
    every = compare(lists, truth, args.k, extra=extra, n_boot=args.boot, seed=args.seed).as_dict()
    old_truth = truth[truth["person_id"].isin(known)]
    on_known = (compare(lists, old_truth, args.k, n_boot=args.boot, seed=args.seed).as_dict()
                if len(old_truth) else None)
    seen_pairs = set(zip(history["person_id"], history["item_id"]))
    train = json.loads((world / "runs" / ds.isoformat() / "train.json").read_text())
    ranker = train.get("models", {}).get("ranker", {})
    return {"date": time.strftime("%Y-%m-%d"), "data": args.data, "world": w.describe,
            "k": args.k, "seen_items": args.seen, "holdout_days": args.holdout_days,
            "ds": ds.isoformat(), "dag_s": dag_s, "persons_judged": every["persons"],
            "heldout_events_unmapped": unmapped,
            "persons_served": int(served["person_id"].nunique()),
            "ranker_version": served["ranker_version"].iloc[0] if len(served) else None,
            "ranker_gate": ranker.get("reason"),
            "served_distinct_items": int(served["item_id"].nunique()),
            "served_seen_share": round(sum((p, i) in seen_pairs for p, i in
                                           zip(served["person_id"], served["item_id"]))
                                       / max(len(served), 1), 4),
            "pool_size_mean": round(float(pool.groupby("person_id").size().mean()), 2),
            "depth": args.depth, "lists": {n: every["estimates"][n] for n in lists},
            "persons_known": on_known["persons"] if on_known else 0,
            "lists_known": on_known["estimates"] if on_known else {},
            "tailor_minus": {ref: judged[ref]["differences"]["tailor"] for ref in baselines},
            "candidate_recall": {n: every["estimates"][n]["recall"] for n in extra}}


def report(out: dict) -> None:
    k = out["k"]
    print(f"\n{out['world']}\ntop-{k}, seen items {out['seen_items']}: {out['persons_judged']} "
          f"persons with a relevant item in the {out['holdout_days']} held-out days; DAG "
          f"{out['dag_s']} s; served by {out['ranker_version']} ({out['ranker_gate']})")
    print(f"{'list':14s}" + "".join(f"{m + '@' + str(k):>28s}" for m in ("ndcg", "recall", "map")))
    for name, values in out["lists"].items():
        print(f"{name:14s}" + "".join(f"{v[0]:>10.4f} [{v[1]:.4f}, {v[2]:.4f}]"
                                      for v in values.values()))
    print(f"the {out['persons_known']} of them with history before ds (no cold start):")
    for name, values in out["lists_known"].items():
        print(f"{name:14s}" + "".join(f"{v[0]:>10.4f} [{v[1]:.4f}, {v[2]:.4f}]"
                                      for v in values.values()))
    for ref, diff in out["tailor_minus"].items():
        print(f"tailor - {ref}: " + ", ".join(f"{m} {v[0]:+.4f} [{v[1]:+.4f}, {v[2]:+.4f}]"
                                              for m, v in diff.items()))
    print(f"candidate recall (each source up to {out['depth']}; the pool = "
          f"{out['pool_size_mean']} per person): " + ", ".join(
              f"{n} {v[0]:.3f}" for n, v in out["candidate_recall"].items()))
    print(f"served: {out['persons_served']} persons, {out['served_distinct_items']} distinct items, "
          f"{out['served_seen_share']:.1%} of slots already seen by the person")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog=__doc__.split("\n\n", 2)[2])
    parser.add_argument("--data", choices=sorted(DEFAULTS), default="movielens")
    parser.add_argument("--k", type=int, default=10, help="list length judged and served (10)")
    parser.add_argument("--holdout-days", type=int, default=None,
                        help="days held out and the ranker's label window (movielens 28, sim 14)")
    parser.add_argument("--seen", choices=["exclude", "keep"], default=None,
                        help="models.ranker.seen_items and the truth's rule "
                             "(movielens: exclude, sim: keep)")
    parser.add_argument("--users", type=int, default=3000, help="sim: customers (3000)")
    parser.add_argument("--days", type=int, default=45,
                        help="sim: days seen by the pipeline; both: sets ds (45)")
    parser.add_argument("--seed-world", type=int, default=42, help="sim: the world's seed (42)")
    parser.add_argument("--neighbours", type=int, default=50, help="item-kNN neighbours (50)")
    parser.add_argument("--depth", type=int, default=100, help="candidate recall depth (100)")
    parser.add_argument("--world", type=Path, default=None,
                        help=f"working folder ({DATA}/<data>)")
    parser.add_argument("--cache", type=Path, default=None,
                        help="movielens: where the recbole wheel is kept (~/.cache/tailor/wheels)")
    parser.add_argument("--out", type=Path, default=None,
                        help="result JSON (bench/results/ranking_<data>.json)")
    add_bootstrap_args(parser)
    args_probe, _ = parser.parse_known_args(argv)
    if args_probe.out is None:
        parser.set_defaults(out=RESULTS / f"ranking_{args_probe.data}.json")
    return finish(parser, argv, run, report)


if __name__ == "__main__":
    sys.exit(main())
