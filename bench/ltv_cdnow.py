"""CDNOW lifetime-value benchmark: the BG/NBD paper's protocol on the full master file.

    .venv/bin/python bench/ltv_cdnow.py               # ~1-2 min on 2 cores
    .venv/bin/python bench/ltv_cdnow.py --help

All 23,570 customers of the cohort (first purchase in Q1 1997), calibration 1997-01-01..1997-09-30
(39 weeks), holdout 1997-10-01..1998-06-30 (39 weeks). Every model sees calibration orders only
(the holdout is read for scoring, after every model is fitted) and predicts each customer's
holdout spend and number of purchase days (orders on one day count once, as in the paper):

* ``bgnbd_gg`` — BG/NBD × Gamma-Gamma (models.clv) fitted on the calibration summary:
  E[purchase days in 39 weeks] and that × E[spend per purchase day].
* ``rate`` — the naive rate: a customer's calibration repeat purchase days and repeat spend (the
  first purchase day left out, as BG/NBD does) per week since their first purchase, × 39. It
  assumes nobody ever leaves.
* ``tailor`` — Tailor's LTV: XGBoost (Tailor's configured LTV parameters, conf/base.yaml
  ``models.xgboost`` + ``overrides.ltv``) trained **forward in time inside the calibration
  period**. At each training cutoff (month ends 1997-03-31..06-30 by default) BG/NBD × GG is
  refitted on the orders up to that cutoff; its outputs for a 13-week horizon (expected purchase
  days and value, P(alive), expected spend), RFM and order features (CDs, lines, first-day and
  recent spend) as of the cutoff are the features, the spend (and purchase days) in the 13 weeks
  after the cutoff the label; every label window ends by 1997-09-30. A 39-week label cannot be
  built from 39 weeks of history, so the horizon comes from the backbone: at 1997-09-30 the
  model predicts the next 13 weeks from the same features and each prediction is scaled by that
  customer's BG/NBD ratio E[purchases in 39 weeks] / E[purchases in 13 weeks].
  Its *design* (squared-error or Tweedie loss; boosting from a constant or from the backbone's
  prediction; the booster's weight in a blend with the backbone) is chosen on calibration data
  only, one step back in time: every design is trained on the cutoffs whose labels end by
  1997-06-30 and judged on the 13 weeks after 1997-06-30; the lowest RMSE among designs whose
  total is within ``--max-total-error`` wins. The holdout figures of every design are printed
  afterwards for transparency, never used for the choice. The learning curve refits the chosen
  design on shares of the training customers.

Prints per-customer RMSE and MAE of holdout spend and purchase days, the totals, writes the
decile calibration plot to bench/results/ltv_cdnow_deciles.png and, as the last line, one JSON
object (also bench/results/ltv_cdnow.json).
"""
from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from matplotlib.figure import Figure  # noqa: E402

from bench.output import finish  # noqa: E402
from tailor.models.clv import ClvModel, purchase_days, rfm_summary, window_totals  # noqa: E402
from tailor.models.clv.model import EXPECTED_PURCHASES, EXPECTED_VALUE  # noqa: E402

RESULTS = REPO / "bench" / "results"
CAL_START, CAL_END = pd.Timestamp("1997-01-01"), pd.Timestamp("1997-09-30")
HOLD_START, HOLD_END = pd.Timestamp("1997-10-01"), pd.Timestamp("1998-06-30")
WEEK = 7
HOLDOUT_WEEKS = ((HOLD_END - HOLD_START).days + 1) / WEEK   # 273 days = 39 weeks
DEFAULT_CUTOFFS = ("1997-03-31", "1997-04-30", "1997-05-31", "1997-06-30")
MODELS = ("tailor", "bgnbd_gg", "rate")
TARGETS = ("spend", "purchase_days")


# ---------------------------------------------------------------- data

def load_orders() -> pd.DataFrame:
    """The CDNOW master (from the lifetimes wheel) as customer_id, ts (day), amount, cds."""
    from tailor.importers.cdnow import read_master

    raw = read_master().to_pandas()
    return pd.DataFrame({"customer_id": raw["customer_id"],
                         "ts": pd.to_datetime(raw["date"], format="%Y%m%d"),
                         "amount": pd.to_numeric(raw["dollar_value"]),
                         "cds": pd.to_numeric(raw["number_of_cds"])})


def upto(orders: pd.DataFrame, day: pd.Timestamp) -> pd.DataFrame:
    return orders[orders["ts"] <= day]


# ---------------------------------------------------------------- features (as of a cutoff)

def order_features(orders: pd.DataFrame, cutoff: pd.Timestamp, recent_weeks: float) -> pd.DataFrame:
    """What the orders up to ``cutoff`` say beyond RFM: order lines, CDs, first-day and total
    spend, the largest day, and the last ``recent_weeks`` of activity."""
    seen = upto(orders, cutoff)
    days = purchase_days(seen)
    by_day = days.groupby("customer_id")
    by_line = seen.groupby("customer_id")
    recent = days[days["day"] > cutoff - pd.Timedelta(days=round(recent_weeks * WEEK))]
    out = pd.DataFrame({
        "total_spend": by_day["spend"].sum(),
        "first_day_spend": by_day["spend"].first(),
        "max_day_spend": by_day["spend"].max(),
        "order_lines": by_line.size().astype(float),
        "cds": by_line["cds"].sum().astype(float),
        "recent_days": recent.groupby("customer_id").size().astype(float),
        "recent_spend": recent.groupby("customer_id")["spend"].sum(),
    }).fillna({"recent_days": 0.0, "recent_spend": 0.0})
    out["cds_per_line"] = out["cds"] / out["order_lines"]
    out["lines_per_day"] = out["order_lines"] / by_day.size()
    return out


def features_at(orders: pd.DataFrame, cutoff: pd.Timestamp, horizon_weeks: float
                ) -> tuple[pd.DataFrame, ClvModel]:
    """Per customer known at ``cutoff``: the BG/NBD × GG outputs for ``horizon_weeks`` (backbone
    refitted on orders up to the cutoff only), RFM, and order features."""
    summary = rfm_summary(upto(orders, cutoff), end=cutoff, time_unit_days=WEEK)
    backbone = ClvModel.fit(summary)
    frame = backbone.score(summary, horizon=horizon_weeks)
    frame["repeat_rate"] = frame["frequency"] / frame["T"].where(frame["T"] > 0)
    frame["weeks_since_last"] = frame["T"] - frame["recency"]
    frame = frame.join(order_features(orders, cutoff, horizon_weeks))
    return frame.drop(columns=["T", "recency"]), backbone   # age-free: scoring ages are older


def training_rows(calibration: pd.DataFrame, cutoffs: list[pd.Timestamp], label_weeks: float,
                  last_day: pd.Timestamp) -> pd.DataFrame:
    """Features at each cutoff + the spend and purchase days in the ``label_weeks`` after it;
    refuses a label window that would reach past ``last_day``."""
    rows = []
    for cutoff in cutoffs:
        label_end = cutoff + pd.Timedelta(days=round(label_weeks * WEEK))
        if label_end > last_day:
            raise ValueError(f"cutoff {cutoff.date()}: its label window ends {label_end.date()}, "
                             f"after {last_day.date()} (the data the model may see)")
        frame, _ = features_at(calibration, cutoff, label_weeks)
        labels = window_totals(calibration, cutoff + pd.Timedelta(days=1), label_end,
                               customers=frame.index)
        rows.append(frame.join(labels.add_prefix("label_")).assign(cutoff=cutoff))
    return pd.concat(rows)


FEATURES = ("expected_purchases", "p_alive", "expected_spend", "expected_value", "frequency",
            "monetary_value", "repeat_rate", "weeks_since_last", "total_spend", "first_day_spend",
            "max_day_spend", "order_lines", "cds", "recent_days", "recent_spend", "cds_per_line",
            "lines_per_day")


# ---------------------------------------------------------------- Tailor's LTV

BACKBONE = {"spend": EXPECTED_VALUE, "purchase_days": EXPECTED_PURCHASES}  # same-horizon backbone
OBJECTIVES = ("squarederror", "tweedie")
WEIGHTS = (1.0, 0.75, 0.5, 0.25)   # the booster's share in a blend with the backbone
TWEEDIE_POWER = 1.5


@dataclass(frozen=True)
class Design:
    """How Tailor's LTV turns features into a prediction: the booster's loss, whether it boosts
    from the backbone's prediction (``residual``: base margin = the backbone's value, on the log
    scale for Tweedie) or from a constant, and its ``weight`` in a blend with the backbone."""

    objective: str
    residual: bool
    weight: float

    @property
    def name(self) -> str:
        return f"{self.objective}{'-residual' if self.residual else ''}-w{self.weight:g}"


def xgb_params() -> dict:
    """Tailor's configured LTV booster parameters (conf/base.yaml, the ``ltv`` model spec)."""
    from tailor.config import load_config
    from tailor.models.ltv import SPEC

    return SPEC.xgb_params(load_config(env="local", root=REPO, environ={}))


def _margin(frame: pd.DataFrame, target: str, objective: str) -> np.ndarray:
    base = frame[BACKBONE[target]].to_numpy(float)
    return np.log(np.maximum(base, 1e-9)) if objective == "tweedie" else base


def fit_boosters(rows: pd.DataFrame, params: dict, objective: str, residual: bool) -> dict:
    """One XGBoost regressor per target on the forward-in-time training rows."""
    import xgboost as xgb

    loss = ({"objective": "reg:tweedie", "tweedie_variance_power": TWEEDIE_POWER}
            if objective == "tweedie" else {"objective": "reg:squarederror"})
    models = {}
    for target in TARGETS:
        margin = _margin(rows, target, objective) if residual else None
        models[target] = xgb.XGBRegressor(**{**params, **loss}).fit(
            rows[list(FEATURES)], rows[f"label_{target}"], base_margin=margin)
    return models


def predict_designs(models: dict, frame: pd.DataFrame, objective: str, residual: bool,
                    stretch: np.ndarray) -> dict[Design, dict[str, np.ndarray]]:
    """Every blend weight's prediction for the label horizon × the per-customer ``stretch``."""
    out: dict[Design, dict[str, np.ndarray]] = {}
    boosted = {t: np.clip(m.predict(frame[list(FEATURES)],
                                    base_margin=_margin(frame, t, objective) if residual else None),
                          0.0, None) for t, m in models.items()}
    for weight in WEIGHTS:
        out[Design(objective, residual, weight)] = {
            t: (weight * boosted[t] + (1 - weight) * frame[BACKBONE[t]].to_numpy(float)) * stretch
            for t in TARGETS}
    return out


def all_designs(rows: pd.DataFrame, params: dict, frame: pd.DataFrame, stretch: np.ndarray
                ) -> tuple[dict[Design, dict[str, np.ndarray]], dict[tuple[str, bool], dict]]:
    """Every design's predictions, and the boosters behind them by (objective, residual)."""
    predictions, boosters = {}, {}
    for objective in OBJECTIVES:
        for residual in (False, True):
            boosters[objective, residual] = fit_boosters(rows, params, objective, residual)
            predictions.update(predict_designs(boosters[objective, residual], frame, objective,
                                               residual, stretch))
    return predictions, boosters


def choose_design(scores: dict[Design, dict[str, float]], max_total_error: float) -> Design:
    """Lowest spend RMSE among designs whose total is within ``max_total_error`` (all, if none)."""
    fine = [d for d, s in scores.items() if abs(s["total_error"]) <= max_total_error] or list(scores)
    return min(fine, key=lambda d: scores[d]["rmse"])


# ---------------------------------------------------------------- baselines

def rate_baseline(summary: pd.DataFrame, weeks: float) -> dict[str, np.ndarray]:
    """Repeat purchase days and repeat spend per week since the first purchase, × ``weeks``."""
    age = summary["T"].where(summary["T"] > 0).to_numpy(float)
    x = summary["frequency"].to_numpy(float)
    repeat_spend = x * summary["monetary_value"].to_numpy(float)
    return {"spend": np.nan_to_num(repeat_spend / age) * weeks,
            "purchase_days": np.nan_to_num(x / age) * weeks}


# ---------------------------------------------------------------- evaluation

def errors(actual: np.ndarray, predicted: np.ndarray) -> dict[str, float]:
    total_actual, total_pred = float(actual.sum()), float(predicted.sum())
    return {"rmse": float(np.sqrt(np.mean((predicted - actual) ** 2))),
            "mae": float(np.mean(np.abs(predicted - actual))),
            "total_predicted": total_pred, "total_actual": total_actual,
            "total_error": total_pred / total_actual - 1.0}


def deciles(actual: np.ndarray, predicted: np.ndarray) -> pd.DataFrame:
    """Mean predicted and mean actual per decile of the prediction (ties broken by order)."""
    bins = pd.qcut(pd.Series(predicted).rank(method="first"), 10, labels=False) + 1
    return (pd.DataFrame({"decile": bins.to_numpy(), "predicted": predicted, "actual": actual})
            .groupby("decile").mean())


def decile_plot(actual: dict[str, np.ndarray], predictions: dict[str, dict[str, np.ndarray]],
                path: Path) -> None:
    fig = Figure(figsize=(12, 5))
    for i, target in enumerate(TARGETS):
        ax = fig.add_subplot(1, 2, i + 1)
        for name, color in zip(MODELS, ("C0", "C1", "C2")):
            table = deciles(actual[target], predictions[name][target])
            ax.plot(table.index, table["actual"], color=color, marker="o", label=f"{name}: actual")
            ax.plot(table.index, table["predicted"], color=color, marker="x", linestyle="--",
                    label=f"{name}: predicted")
        ax.set_yscale("symlog", linthresh=1.0)   # the rate baseline's top decile dwarfs the rest
        ax.set(xlabel="decile of the model's prediction (1 = lowest)", xticks=range(1, 11),
               ylabel=f"mean holdout {target.replace('_', ' ')} per customer (symlog)",
               title=f"CDNOW holdout {target.replace('_', ' ')}: calibration by decile")
        ax.legend(fontsize=7)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)


def learning_curve(rows: pd.DataFrame, params: dict, design: Design, frame: pd.DataFrame,
                   stretch: np.ndarray, actual: np.ndarray, shares: list[float], seed: int) -> list[dict]:
    """Holdout spend errors of the chosen design trained on a share of the training customers."""
    customers = rows.index.unique()
    order = np.random.default_rng(seed).permutation(len(customers))
    curve = []
    for share in shares:
        keep = customers[order[: max(1, int(round(share * len(customers))))]]
        subset = rows[rows.index.isin(keep)]
        models = fit_boosters(subset, params, design.objective, design.residual)
        pred = predict_designs(models, frame, design.objective, design.residual, stretch)[design]
        curve.append({"share": share, "customers": int(len(keep)), "rows": int(len(subset)),
                      **{k: v for k, v in errors(actual, pred["spend"]).items()
                         if k in ("rmse", "mae", "total_error")}})
    return curve


def inner_check(calibration: pd.DataFrame, cutoffs: list[pd.Timestamp], label_weeks: float,
                params: dict) -> dict:
    """The design choice, on calibration data only: train every design on the cutoffs whose
    labels end by the last cutoff, predict the ``label_weeks`` after the last cutoff."""
    last = cutoffs[-1]
    train_cutoffs = [c for c in cutoffs[:-1]
                     if c + pd.Timedelta(days=round(label_weeks * WEEK)) <= last]
    if not train_cutoffs:
        raise ValueError("the design is chosen inside calibration: give at least one cutoff whose "
                         f"{label_weeks:g}-week label window ends by the last cutoff {last.date()}")
    rows = training_rows(calibration, train_cutoffs, label_weeks, last)
    test = training_rows(calibration, [last], label_weeks, CAL_END)
    actual = test["label_spend"].to_numpy(float)
    designs, _ = all_designs(rows, params, test, np.ones(len(test)))
    scores = {d: errors(actual, pred["spend"]) for d, pred in designs.items()}
    return {"train_cutoffs": [str(c.date()) for c in train_cutoffs], "test_cutoff": str(last.date()),
            "weeks": label_weeks, "customers": int(len(test)), "scores": scores,
            "bgnbd_gg": errors(actual, test[EXPECTED_VALUE].to_numpy(float))}


def holdout_quarters(orders: pd.DataFrame, backbone: ClvModel, summary: pd.DataFrame) -> list[dict]:
    """BG/NBD × GG's predicted and the actual purchase days and spend in each 13-week block of the
    holdout (evaluation only: shows in which part of the horizon the total is missed)."""
    spend = backbone.expected_spend(summary)
    out, before = [], np.zeros(len(summary))
    for k in range(1, round(HOLDOUT_WEEKS / 13) + 1):
        start = HOLD_START + pd.Timedelta(days=91 * (k - 1))
        end = HOLD_START + pd.Timedelta(days=91 * k - 1)
        upto_k = backbone.expected_purchases(summary, 13.0 * k)
        actual = window_totals(orders, start, end, customers=summary.index)
        days, value = float((upto_k - before).sum()), float(((upto_k - before) * spend).sum())
        out.append({"start": str(start.date()), "end": str(end.date()),
                    "predicted_days": days, "actual_days": float(actual["purchase_days"].sum()),
                    "predicted_spend": value, "actual_spend": float(actual["spend"].sum()),
                    "days_error": days / float(actual["purchase_days"].sum()) - 1,
                    "spend_error": value / float(actual["spend"].sum()) - 1})
        before = upto_k
    return out


def paired_gain(customers: pd.Index, actual: np.ndarray, tailor: np.ndarray, reference: np.ndarray,
                seed: int) -> dict:
    """Relative RMSE and MAE gain of Tailor over the reference, customer-bootstrap 95% CI."""
    from tailor.models.metrics import evaluate, regression_metrics

    ev = evaluate(regression_metrics(), customers, actual, {"tailor": tailor, "ref": reference},
                  seed=seed)
    return {m: dict(zip(("gain", "ci_low", "ci_high"),
                        (round(v, 4) for v in vars(ev.gain(m, "tailor", "ref")).values())))
            for m in ("rmse", "mae")}


# ---------------------------------------------------------------- run

def run(args: argparse.Namespace) -> dict:
    started = time.perf_counter()
    orders = load_orders()
    calibration = upto(orders, CAL_END)          # every model below sees only this
    cutoffs = [pd.Timestamp(c) for c in args.cutoffs]

    t0 = time.perf_counter()
    cal_summary = rfm_summary(calibration, end=CAL_END, time_unit_days=WEEK)
    backbone = ClvModel.fit(cal_summary)
    bg_seconds = time.perf_counter() - t0
    bg_purchases = backbone.expected_purchases(cal_summary, HOLDOUT_WEEKS)
    predictions = {"bgnbd_gg": {"spend": bg_purchases * backbone.expected_spend(cal_summary),
                                "purchase_days": bg_purchases},
                   "rate": rate_baseline(cal_summary, HOLDOUT_WEEKS)}

    t0 = time.perf_counter()
    params = xgb_params()
    inner = inner_check(calibration, cutoffs, args.label_weeks, params)
    design = choose_design(inner["scores"], args.max_total_error)
    rows = training_rows(calibration, cutoffs, args.label_weeks, CAL_END)
    frame, _ = features_at(calibration, CAL_END, args.label_weeks)
    frame = frame.loc[cal_summary.index]
    # the pipeline's own carry (models/lifetime.py): per customer E[X(39 weeks)] / E[X(13 weeks)]
    stretch = backbone.horizon_ratio(cal_summary, args.label_weeks, HOLDOUT_WEEKS)
    candidates, boosters = all_designs(rows, params, frame, stretch)
    predictions["tailor"] = candidates[design]
    tailor_seconds = time.perf_counter() - t0

    # ---- only now the holdout is read
    holdout = window_totals(orders, HOLD_START, HOLD_END, customers=cal_summary.index)
    actual = {target: holdout[target].to_numpy(float) for target in TARGETS}
    results = {name: {target: errors(actual[target], predictions[name][target]) for target in TARGETS}
               for name in MODELS}
    decile_plot(actual, predictions, RESULTS / "ltv_cdnow_deciles.png")
    curve = learning_curve(rows, params, design, frame, stretch, actual["spend"], args.shares,
                           args.seed) if args.shares else []
    gain = paired_gain(cal_summary.index, actual["spend"], predictions["tailor"]["spend"],
                       predictions["bgnbd_gg"]["spend"], args.seed)
    importance = pd.Series(boosters[design.objective, design.residual]["spend"].feature_importances_,
                           index=list(FEATURES))
    quarters = holdout_quarters(orders, backbone, cal_summary)

    spend = {name: results[name]["spend"] for name in MODELS}
    return {
        "bench": "ltv_cdnow", "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        "protocol": {"calibration": [str(CAL_START.date()), str(CAL_END.date())],
                     "holdout": [str(HOLD_START.date()), str(HOLD_END.date())],
                     "holdout_weeks": HOLDOUT_WEEKS, "time_unit_days": WEEK,
                     "tailor_training_cutoffs": [str(c.date()) for c in cutoffs],
                     "tailor_label_weeks": args.label_weeks, "tailor_training_rows": int(len(rows)),
                     "tailor_features": list(FEATURES), "xgboost": params,
                     "design_rule": f"lowest inner RMSE with |total error| <= {args.max_total_error:.0%}"},
        "n_customers": int(len(cal_summary)),
        "tailor_design": design.name,
        "tailor_rmse": spend["tailor"]["rmse"], "bgnbd_gg_rmse": spend["bgnbd_gg"]["rmse"],
        "rate_rmse": spend["rate"]["rmse"],
        "tailor_mae": spend["tailor"]["mae"], "bgnbd_gg_mae": spend["bgnbd_gg"]["mae"],
        "rate_mae": spend["rate"]["mae"],
        "tailor_total_error": spend["tailor"]["total_error"],
        "bgnbd_total_error": spend["bgnbd_gg"]["total_error"],
        "rate_total_error": spend["rate"]["total_error"],
        "tailor_vs_bgnbd_gain": gain,
        "params": backbone.params(),
        "results": results,
        "targets_met": {"rmse": spend["tailor"]["rmse"] <= spend["bgnbd_gg"]["rmse"],
                        "total": abs(spend["tailor"]["total_error"])
                        <= abs(spend["bgnbd_gg"]["total_error"]),
                        "total_within_5pct": abs(spend["tailor"]["total_error"]) <= 0.05},
        "inner_check": {**{k: v for k, v in inner.items() if k != "scores"},
                        "designs": {d.name: s for d, s in inner["scores"].items()}},
        "holdout_every_design": {d.name: {k: v for k, v in errors(actual["spend"], p["spend"]).items()
                                          if k in ("rmse", "mae", "total_error")}
                                 for d, p in candidates.items()},
        "learning_curve": curve,
        "bgnbd_gg_by_holdout_quarter": quarters,
        "tailor_feature_importance": {k: round(float(v), 4)
                                      for k, v in importance.sort_values(ascending=False).items()},
        "seconds": {"bgnbd_gg_fit": round(bg_seconds, 2), "tailor_fit": round(tailor_seconds, 2),
                    "total": round(time.perf_counter() - started, 2)},
        "plot": str((RESULTS / "ltv_cdnow_deciles.png").relative_to(REPO)),
    }


def _row(name: str, r: dict) -> str:
    return f"  {name:<34} RMSE {r['rmse']:8.3f}  MAE {r['mae']:7.3f}  total {r['total_error']:+7.1%}"


def report(out: dict) -> None:
    print(f"CDNOW master: {out['n_customers']:,} customers; calibration "
          f"{' .. '.join(out['protocol']['calibration'])}, holdout {' .. '.join(out['protocol']['holdout'])}")
    p = out["params"]
    print(f"BG/NBD  r={p['r']:.4f} alpha={p['alpha']:.4f} a={p['a']:.4f} b={p['b']:.4f} (weeks);  "
          f"Gamma-Gamma p={p['p']:.4f} q={p['q']:.4f} gamma={p['gamma']:.4f}")
    inner = out["inner_check"]
    print(f"\nTailor's design, chosen inside calibration (train {', '.join(inner['train_cutoffs'])}; "
          f"predict the {inner['weeks']:g} weeks after {inner['test_cutoff']}; "
          f"{out['protocol']['design_rule']}):")
    print(_row("bgnbd_gg", inner["bgnbd_gg"]))
    for name, r in inner["designs"].items():
        print(_row(name + (" <- chosen" if name == out["tailor_design"] else ""), r))
    for target in TARGETS:
        print(f"\nholdout {target.replace('_', ' ')} per customer")
        print(f"  {'model':<10}{'RMSE':>10}{'MAE':>10}{'total predicted':>18}{'actual':>14}{'error':>9}")
        for name in MODELS:
            r = out["results"][name][target]
            print(f"  {name:<10}{r['rmse']:>10.3f}{r['mae']:>10.3f}{r['total_predicted']:>18,.1f}"
                  f"{r['total_actual']:>14,.1f}{r['total_error']:>+9.1%}")
    g = out["tailor_vs_bgnbd_gain"]
    print("\nTailor vs BG/NBD x GG on holdout spend (relative gain, > 0 = Tailor better; "
          "95% customer-bootstrap CI): "
          + "; ".join(f"{m} {v['gain']:+.1%} [{v['ci_low']:+.1%}, {v['ci_high']:+.1%}]"
                      for m, v in g.items()))
    if out["learning_curve"]:
        print(f"\nTailor's LTV learning curve ({out['tailor_design']}, holdout spend)")
        for row in out["learning_curve"]:
            print(f"  {row['share']:>5.0%} of training customers ({row['customers']:>6,}, "
                  f"{row['rows']:>6,} rows): RMSE {row['rmse']:.3f}  MAE {row['mae']:.3f}  "
                  f"total {row['total_error']:+.1%}")
    print("\nBG/NBD x GG per 13-week block of the holdout (predicted vs actual; where the total goes):")
    for q in out["bgnbd_gg_by_holdout_quarter"]:
        print(f"  {q['start']}..{q['end']}: purchase days {q['predicted_days']:8,.0f} vs "
              f"{q['actual_days']:8,.0f} ({q['days_error']:+.1%}); spend {q['predicted_spend']:10,.0f} "
              f"vs {q['actual_spend']:10,.0f} ({q['spend_error']:+.1%})")
    print("\nholdout spend of every design (for transparency; not used to choose):")
    for name, r in out["holdout_every_design"].items():
        print(_row(name, r))
    top = list(out["tailor_feature_importance"].items())[:6]
    print("\nTailor's LTV top features: " + ", ".join(f"{k} {v:.2f}" for k, v in top))
    met = out["targets_met"]
    print(f"targets: RMSE <= BG/NBD x GG: {met['rmse']}; |total error| <= BG/NBD x GG's: "
          f"{met['total']}; within 5%: {met['total_within_5pct']}")
    print(f"plot: {out['plot']};  {out['seconds']['total']:.0f} s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="Example: .venv/bin/python bench/ltv_cdnow.py --shares ''   (no learning curve)",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cutoffs", type=lambda s: s.split(","), default=list(DEFAULT_CUTOFFS),
                        help="Tailor's training cutoffs, comma-separated (default %(default)s); "
                             "each label window must end by 1997-09-30")
    parser.add_argument("--label-weeks", type=float, default=13.0,
                        help="Tailor's label window after each cutoff, in weeks (default 13)")
    parser.add_argument("--shares", type=lambda s: [float(v) for v in s.split(",") if v],
                        default=[0.1, 0.25, 0.5, 1.0],
                        help="learning curve: shares of training customers (default 0.1,0.25,0.5,1; "
                             "'' to skip)")
    parser.add_argument("--max-total-error", type=float, default=0.05,
                        help="design rule: among designs whose inner total error is within this "
                             "(default 0.05), the lowest inner RMSE")
    parser.add_argument("--seed", type=int, default=7, help="learning-curve sampling seed")
    parser.add_argument("--out", type=Path, default=RESULTS / "ltv_cdnow.json",
                        help="where the JSON goes (default bench/results/ltv_cdnow.json)")
    return finish(parser, argv, run, report)


if __name__ == "__main__":
    sys.exit(main())
