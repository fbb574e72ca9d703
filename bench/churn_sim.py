"""Churn against the simulator's hidden truth: Tailor's churn model and its baselines on a world
the daily DAG has run on.

    make demo && .venv/bin/python bench/churn_sim.py              # the demo world (repo root)
    .venv/bin/python bench/churn_sim.py --world DIR    # a world kept apart (tailor.dagrun.world_env:
                                                       # the e2e test's, bench/dag_scale.py's)

Reads the run's ``training.churn`` (the rows the train job fitted and judged on), splits it as
the train job does (``models.evaluation``: forward in time by default), fits Tailor's churn model
exactly as the job does (``ModelSpec.fit``: the configured XGBoost) and the gate's baselines
(RFM-logistic and recency), and judges all three on the held-out persons against two labels:

* ``observed`` — the pipeline's label: no purchase in the ``models.label_horizon_days`` after the
  cutoff (what the gate sees);
* ``hidden`` — the simulator's ground truth: the customer had churned (``churn_date`` in
  ``ground_truth/users.parquet``, which the pipeline never reads) before the label window ended.

Prints AUC, Brier score, log loss and PR-AUC with person-bootstrap 95% CIs and Tailor's relative
gain over each baseline with a paired CI; writes the ROC + reliability plot
``bench/results/churn_sim.png`` and, last, one JSON object (also ``bench/results/churn_sim.json``).
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.output import add_bootstrap_args, finish, print_binary  # noqa: E402

RESULTS = REPO / "bench" / "results"
SCORERS = ("tailor", "rfm_logistic", "recency")


def hidden_churn(home: Path, persons: pd.Series, cutoffs: pd.Series, horizon_days: int,
                 cfg) -> np.ndarray:
    """1 where the person's customer had churned (ground truth) before their row's label window
    ``(cutoff, cutoff + horizon]`` ended, else 0; persons that are not a pseudonymised customer
    id (devices never linked) get NaN."""
    from tailor.privacy import pseudonymise

    users = pd.read_parquet(home / "ground_truth" / "users.parquet",
                            columns=["customer_id", "churn_date"])
    to_customer = {pseudonymise(c, cfg.privacy.pseudonym_key, cfg.privacy.person_id_length): c
                   for c in users["customer_id"]}
    churn_date = dict(zip(users["customer_id"], users["churn_date"]))
    out = np.full(len(persons), np.nan)
    for i, (person, cutoff) in enumerate(zip(persons, cutoffs)):
        customer = to_customer.get(person)
        if customer is None:
            continue
        window_end = (date.fromisoformat(str(cutoff)) + timedelta(days=horizon_days + 1)).isoformat()
        when = churn_date.get(customer)
        out[i] = float(isinstance(when, str) and when < window_end)
    return out


def run(args: argparse.Namespace) -> dict:
    args.home = (args.world or REPO).resolve()
    if not (args.home / "ground_truth" / "users.parquet").exists():
        raise SystemExit(f"{args.home} has no ground_truth/users.parquet: run `make demo` (or the "
                         f"daily DAG on a simulated world) there first")
    os.environ["TAILOR_HOME"] = str(REPO)
    if args.world is not None:
        from tailor.dagrun import world_env

        os.environ.update(world_env(args.world, REPO / "dags"))
    from tailor.config import get_config
    from tailor.jobs.train import KEYS
    from tailor.lakehouse import Lakehouse
    from tailor.models.baselines import churn_baseline, recency_baseline
    from tailor.models.catalog import get_spec
    from tailor.models.metrics import binary_metrics, evaluate
    from tailor.models.plots import roc_plot
    from tailor.models.spec import LABEL, PERSON
    from tailor.models.training import split_frame

    started = time.time()
    cfg = get_config()
    spec = get_spec("churn")
    frame = Lakehouse(cfg).read_arrow("training.churn").to_pandas()
    features = [c for c in frame.columns if c not in KEYS]   # as the train job selects them
    train, test, how = split_frame(frame, spec, features, cfg.models.evaluation,
                                   cfg.models.horizon("churn"))
    model = spec.fit(train, features, cfg)
    scores = {"tailor": spec.score(model, test[features]),
              "rfm_logistic": churn_baseline(train, test),
              "recency": recency_baseline(train, test)}
    labels = {"observed": test[LABEL].to_numpy(float),
              "hidden": hidden_churn(args.home, test[PERSON], test["cutoff"],
                                     cfg.models.horizon("churn"), cfg)}
    out: dict = {"bench": "churn_sim", "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                 "home": str(args.home), "split": vars(how), "features": len(features),
                 "train_rows": int(len(train)), "test_rows": int(len(test)), "labels": {}}
    for name, y in labels.items():
        known = np.isfinite(y)
        ev = evaluate(binary_metrics(), test[PERSON].to_numpy()[known], y[known],
                      {k: v[known] for k, v in scores.items()}, n_boot=args.boot, seed=args.seed)
        out["labels"][name] = {
            "persons": int(known.sum()), "positive_rate": float(y[known].mean()),
            "metrics": {k: ev.flat(k) for k in SCORERS},
            "tailor_vs": {ref: {m.name: ev.gain(m.name, "tailor", ref).flat("gain")
                                for m in ev.metrics} for ref in SCORERS[1:]}}
        if name == "hidden":
            path = RESULTS / "churn_sim.png"
            path.parent.mkdir(parents=True, exist_ok=True)
            roc_plot(y[known], test[PERSON].to_numpy()[known],
                     {k: v[known] for k, v in scores.items()}, 0).savefig(path, dpi=100)
            out["plot"] = str(path.relative_to(REPO))
    hidden = out["labels"]["hidden"]["tailor_vs"]["rfm_logistic"]["brier"]
    out["target_met"] = {"brier_better_than_rfm_on_hidden_truth": bool(hidden["gain_ci_low"] > 0)}
    out["seconds"] = round(time.time() - started, 1)
    return out


def report(out: dict) -> None:
    split = out["split"]
    print(f"\nchurn on {out['home']}: {out['train_rows']:,} train rows, {out['test_rows']:,} test "
          f"rows, split {split['mode']} (test cutoff {split.get('test_cutoff')})")
    for label, block in out["labels"].items():
        print(f"\nlabel {label}: {block['persons']:,} persons, positive rate "
              f"{block['positive_rate']:.3f}")
        print_binary(block["metrics"], block["tailor_vs"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--world", type=Path,
                        help="a world kept apart (its lakehouse, MLflow and ground_truth in one "
                             "dir, tailor.dagrun.world_env); default: the repo root after "
                             "`make demo`")
    add_bootstrap_args(parser)
    parser.add_argument("--out", type=Path, default=RESULTS / "churn_sim.json",
                        help="where the JSON goes (default bench/results/churn_sim.json)")
    return finish(parser, argv, run, report)


if __name__ == "__main__":
    sys.exit(main())
