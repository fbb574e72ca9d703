"""CDNOW churn benchmark: Tailor's churn model against the RFM-logistic and recency baselines.

    .venv/bin/python bench/churn_cdnow.py            # ~1 min on 2 cores
    .venv/bin/python bench/churn_cdnow.py --help

Same customers and calendar as ``bench/ltv_cdnow.py`` (all 23,570 customers of the Q1 1997
cohort, calibration 1997-01-01..1997-09-30). Churn is "no purchase in the next ``--weeks``
weeks" (default 13): every model is trained **forward in time inside the calibration period**
(features as of each month end 1997-03-31..06-30, label = no purchase in the 13 weeks after it,
every label window ends by 1997-09-30), then scores every customer as of 1997-09-30 and is judged
on the first 13 weeks of the holdout (1997-10-01..1997-12-30). (A 39-week label cannot be
trained forward from 39 weeks of history; the horizon is the model's, as in the pipeline.)

* ``tailor`` — XGBoost with Tailor's configured churn parameters (conf/base.yaml, the ``churn``
  model spec) on the bench's customer features (BG/NBD × GG outputs refitted at each cutoff, RFM,
  order features; ``bench/ltv_cdnow.py``).
* ``rfm_logistic`` — the churn gate's baseline (``models/baselines.py``): logistic regression on
  log recency, frequency (purchase days) and monetary value (total spend).
* ``recency`` — the recency rule through an isotonic map (the previous baseline).

Prints AUC, Brier score, log loss and PR-AUC with person-bootstrap 95% CIs, and the relative gain
of Tailor over each baseline with a paired CI; writes the ROC + reliability plot to
``bench/results/churn_cdnow.png`` and, last, one JSON object (also
``bench/results/churn_cdnow.json``).
"""
from __future__ import annotations

import argparse
import platform
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.ltv_cdnow import (  # noqa: E402
    CAL_END,
    DEFAULT_CUTOFFS,
    FEATURES,
    HOLD_START,
    WEEK,
    features_at,
    load_orders,
    training_rows,
    upto,
)
from bench.output import add_bootstrap_args, finish, print_binary  # noqa: E402
from tailor.models.baselines import churn_baseline, recency_baseline  # noqa: E402
from tailor.models.clv import window_totals  # noqa: E402
from tailor.models.metrics import binary_metrics, evaluate  # noqa: E402
from tailor.models.plots import roc_plot  # noqa: E402

RESULTS = REPO / "bench" / "results"
SCORERS = ("tailor", "rfm_logistic", "recency")


def rfm_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """The pipeline's profile names for what the baselines read: days since the last purchase,
    purchase days (the first one included) and total spend."""
    return pd.DataFrame({"recency_days": frame["weeks_since_last"] * WEEK,
                         "frequency": frame["frequency"] + 1.0,
                         "monetary": frame["total_spend"]}, index=frame.index)


def churn_params(overrides: bool = True) -> dict:
    """Tailor's configured churn booster parameters (conf/base.yaml, the ``churn`` model spec);
    ``overrides=False``: without ``models.overrides.churn`` (the shared ``models.xgboost`` only)."""
    from tailor.config import load_config
    from tailor.models.churn import SPEC

    cfg = load_config(env="local", root=REPO, environ={})
    if not overrides:
        cfg = cfg.model_copy(update={"models": cfg.models.model_copy(
            update={"overrides": {**cfg.models.overrides, "churn": {}}})})
    return SPEC.xgb_params(cfg)


def _fit_score(rows: pd.DataFrame, frame: pd.DataFrame, params: dict):
    import xgboost as xgb

    model = xgb.XGBClassifier(**params).fit(rows[list(FEATURES)], rows["label"])
    return model.predict_proba(frame[list(FEATURES)])[:, 1]


def _labelled(calibration: pd.DataFrame, cutoffs: list[pd.Timestamp], weeks: float,
              last_day: pd.Timestamp) -> pd.DataFrame:
    rows = training_rows(calibration, cutoffs, weeks, last_day).reset_index()
    return rows.assign(label=(rows["label_purchase_days"] == 0).astype(int))


def inner_check(calibration: pd.DataFrame, cutoffs: list[pd.Timestamp], weeks: float,
                args: argparse.Namespace) -> dict:
    """Why the configured parameters, on calibration data only: the configured booster
    (``models.overrides.churn`` over ``models.xgboost``) and the shared defaults alone, trained
    on the cutoffs whose label window ends by the last cutoff and judged at the last cutoff
    (labels inside calibration) by Brier score, next to the RFM-logistic baseline."""
    last = cutoffs[-1]
    early = [c for c in cutoffs[:-1] if c + pd.Timedelta(days=round(weeks * WEEK)) <= last]
    if not early:
        return {"note": f"no cutoff's {weeks:g}-week window ends by {last.date()}: no inner check"}
    rows = _labelled(calibration, early, weeks, last)
    test = _labelled(calibration, [last], weeks, CAL_END)
    scores = {"configured": _fit_score(rows, test, churn_params()),
              "shared_defaults": _fit_score(rows, test, churn_params(overrides=False)),
              "rfm_logistic": churn_baseline(rfm_columns(rows).assign(label=rows["label"]),
                                             rfm_columns(test))}
    evaluation = evaluate(binary_metrics(), test["customer_id"].to_numpy(),
                          test["label"].to_numpy(), scores, n_boot=args.boot, seed=args.seed)
    return {"train_cutoffs": [str(c.date()) for c in early], "test_cutoff": str(last.date()),
            "customers": int(len(test)),
            "brier": {k: evaluation.estimates[k]["brier"].value for k in scores},
            "auc": {k: evaluation.estimates[k]["auc"].value for k in scores},
            "configured_vs_rfm_brier": evaluation.gain("brier", "configured",
                                                       "rfm_logistic").flat("gain")}


def run(args: argparse.Namespace) -> dict:
    started = time.time()
    orders = load_orders()
    calibration = upto(orders, CAL_END)
    cutoffs = [pd.Timestamp(c) for c in args.cutoffs]
    print("inner check (calibration only) ...", flush=True)
    inner = inner_check(calibration, cutoffs, args.weeks, args)
    print(f"training rows at {len(cutoffs)} cutoffs, {args.weeks:g}-week label ...", flush=True)
    rows = _labelled(calibration, cutoffs, args.weeks, CAL_END)      # one row per cutoff
    rfm_train = rfm_columns(rows).assign(label=rows["label"])   # what the baselines see

    print("scoring as of 1997-09-30 ...", flush=True)
    frame, _ = features_at(calibration, CAL_END, args.weeks)
    end = HOLD_START + pd.Timedelta(days=round(args.weeks * WEEK) - 1)
    holdout = window_totals(orders, HOLD_START, end, customers=frame.index)
    rfm_test = rfm_columns(frame)
    y = (holdout.reindex(frame.index)["purchase_days"].fillna(0) == 0).astype(int).to_numpy()

    params = churn_params()
    scores = {"tailor": _fit_score(rows, frame, params),
              "rfm_logistic": churn_baseline(rfm_train, rfm_test),
              "recency": recency_baseline(rfm_train, rfm_test)}
    print("bootstrap ...", flush=True)
    evaluation = evaluate(binary_metrics(), frame.index.to_numpy(), y, scores,
                          n_boot=args.boot, seed=args.seed)
    gains = {ref: {m.name: evaluation.gain(m.name, "tailor", ref).flat("gain")
                   for m in evaluation.metrics}
             for ref in SCORERS[1:]}
    plot = RESULTS / "churn_cdnow.png"
    plot.parent.mkdir(parents=True, exist_ok=True)
    roc_plot(y, frame.index.to_numpy(), scores, 0).savefig(plot, dpi=100)
    brier = gains["rfm_logistic"]["brier"]
    return {
        "bench": "churn_cdnow",
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": {"python": platform.python_version(), "cpus": _cpus()},
        "protocol": {"calibration_end": str(CAL_END.date()), "label_weeks": args.weeks,
                     "training_cutoffs": [str(c.date()) for c in cutoffs],
                     "holdout": [str(HOLD_START.date()), str(end.date())],
                     "training_rows": int(len(rows)), "features": list(FEATURES),
                     "xgboost": params},
        "inner_check": inner,
        "n_customers": int(len(y)), "churn_rate": float(y.mean()),
        "train_churn_rate": float(rows["label"].mean()),
        "metrics": {k: evaluation.flat(k) for k in SCORERS},
        "tailor_vs": gains,
        "tailor_brier": evaluation.estimates["tailor"]["brier"].value,
        "rfm_brier": evaluation.estimates["rfm_logistic"]["brier"].value,
        "target_met": {"brier_better_than_rfm_with_ci": bool(brier["gain_ci_low"] > 0)},
        "plot": str(plot.relative_to(REPO)),
        "seconds": round(time.time() - started, 1),
    }


def _cpus() -> int:
    import os

    return os.cpu_count() or 0


def report(out: dict) -> None:
    print(f"\nCDNOW churn: no purchase in the {out['protocol']['label_weeks']:g} weeks after "
          f"{out['protocol']['calibration_end']}; {out['n_customers']:,} customers, churn rate "
          f"{out['churn_rate']:.3f} (train {out['train_churn_rate']:.3f})")
    inner = out.get("inner_check", {})
    if "brier" in inner:
        b = inner["brier"]
        print(f"Why these parameters (calibration only: train {', '.join(inner['train_cutoffs'])}, "
              f"judge at {inner['test_cutoff']}, {inner['customers']:,} customers): Brier "
              f"configured {b['configured']:.4f}, shared defaults {b['shared_defaults']:.4f}, "
              f"RFM-logistic {b['rfm_logistic']:.4f}")
    print_binary(out["metrics"], out["tailor_vs"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cutoffs", type=lambda s: s.split(","), default=list(DEFAULT_CUTOFFS),
                        help="training cutoffs, comma-separated (default %(default)s); each label "
                             "window must end by 1997-09-30")
    parser.add_argument("--weeks", type=float, default=13.0,
                        help="churn horizon: no purchase in this many weeks (default 13)")
    add_bootstrap_args(parser)
    parser.add_argument("--out", type=Path, default=RESULTS / "churn_cdnow.json",
                        help="where the JSON goes (default bench/results/churn_cdnow.json)")
    return finish(parser, argv, run, report)


if __name__ == "__main__":
    sys.exit(main())
