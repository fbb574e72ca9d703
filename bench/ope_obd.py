"""Tailor's off-policy estimators against Open Bandit Pipeline (obp) on the Open Bandit Dataset (OBD).

Protocol (Saito et al. 2021, "Open Bandit Dataset and Pipeline"): OBD holds logs of two policies run side
by side on ZOZOTOWN, Bernoulli Thompson Sampling (``bts``) and uniform random (``random``), for the
campaigns ``all``, ``men``, ``women`` (obp ships a 10,000-round sample of each in its package data). The
value of each policy is estimated from the *other* policy's logs and compared with its observed on-policy
mean click rate, the truth. Both directions (random->bts: random's logs estimate bts; bts->random), all
three campaigns.

Per campaign x direction, obp's side (``bench/ope_obd_obp.py`` in ``bench/.venvs/obp``, created on first
run by ``bench/obp_env.py``) computes the target's action distribution, fits ONE reward model (obp's
RegressionModel with logistic regression, one per position, 3-fold cross-fitted), draws the bootstrap
indices and runs obp's estimators on the full sample and on every resample; it dumps all arrays to
``bench/.data/ope_obd/<campaign>_<logs>.npz``. This script then runs Tailor's estimators
(``tailor.evaluation.ope``) on the same arrays and the same resamples, and reports per estimator:
relative error |estimate - truth| / truth of the full-sample estimate and its median over resamples, the
95 % percentile interval, and max |Tailor - obp| over the full sample and every resample.

Usage:
    .venv/bin/python bench/ope_obd.py                  # 200 resamples (~5-10 min after the venv exists)
    .venv/bin/python bench/ope_obd.py --n-boot 20      # quick
    .venv/bin/python bench/ope_obd.py --reuse          # skip obp when its .npz for these settings exists

Prints a table and, last, one JSON object (also written to bench/results/ope_obd.json).
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from obp_env import obp_python  # noqa: E402

from tailor.evaluation.ope import (  # noqa: E402
    Bootstrap,
    LoggedFeedback,
    bootstrap_values,
    default_estimators,
    evaluate,
    uniform,
)
from tailor.evaluation.ope.estimators import DEFAULT_CLIP, DEFAULT_LAM, DEFAULT_TAU  # noqa: E402

CAMPAIGNS = ("all", "men", "women")
LOGS = ("random", "bts")
OTHER = {"random": "bts", "bts": "random"}


def run_obp(campaign: str, logs: str, args: argparse.Namespace, out: Path) -> None:
    settings = ["--n-boot", str(args.n_boot), "--seed", str(args.seed), "--n-sim", str(args.n_sim),
                "--tau", str(args.tau), "--clip", str(args.clip), "--lam", str(args.lam)]
    stamp = out.with_suffix(".args")
    if args.reuse and out.exists() and stamp.exists() and stamp.read_text() == " ".join(settings):
        return
    subprocess.run([obp_python(), str(HERE / "ope_obd_obp.py"), "--campaign", campaign, "--logs", logs,
                    "--out", str(out), *settings], check=True)
    stamp.write_text(" ".join(settings))


def tailor_side(data: np.lib.npyio.NpzFile, args: argparse.Namespace) -> dict:
    """Tailor's estimates on the dumped arrays and resamples, next to obp's."""
    n = int(data["action"].shape[0])
    n_actions = int(data["n_actions"])
    meta = json.loads(str(data["meta"]))
    # random's logging distribution is known exactly (uniform), which makes the support check exact;
    # Bernoulli TS's is not logged (only the pscore of the logged action)
    logging_dist = uniform(n, n_actions) if meta["logs"] == "random" else None
    feedback = LoggedFeedback(action=data["action"], reward=data["reward"], pscore=data["pscore"],
                              n_actions=n_actions, logging_dist=logging_dist)
    estimators = default_estimators(tau=args.tau, clip=args.clip, lam=args.lam)
    names = [est.name for est in estimators]
    if names != data["estimators"].tolist():
        raise SystemExit(f"estimator names differ: tailor {names} vs obp {data['estimators'].tolist()}")
    target = meta["target"]
    policies = {target: data["action_dist"]}
    boot = Bootstrap(indices=data["boot_idx"], alpha=0.05)
    results = evaluate(feedback, policies, data["estimated_rewards"], estimators, boot)
    draws = bootstrap_values(feedback, policies, data["estimated_rewards"], estimators, boot)
    truth = float(data["truth"])
    out = {"meta": meta, "truth": truth, "n": n, "ess": results[0].ess, "max_weight": results[0].max_weight,
           "estimators": {}}
    for k, (result, name) in enumerate(zip(results, names)):
        ours, theirs = draws[target, name], data["obp_boot"][k]
        obp_low, obp_high = boot.interval(theirs)
        out["estimators"][name] = {
            "tailor": _summary(result.value, ours, truth, result.ci_low, result.ci_high),
            "obp": _summary(float(data["obp_full"][k]), theirs, truth, obp_low, obp_high),
            "max_abs_diff": float(max(abs(result.value - data["obp_full"][k]), np.abs(ours - theirs).max())),
        }
    return out


def _summary(value: float, draws: np.ndarray, truth: float, low: float, high: float) -> dict:
    return {"estimate": value, "rel_error_full": abs(value - truth) / truth,
            "rel_error_median_boot": float(np.median(np.abs(draws - truth) / truth)),
            "ci_low": low, "ci_high": high, "ci_covers_truth": bool(low <= truth <= high)}


def report(cells: dict, args: argparse.Namespace, seconds: float) -> dict:
    names = list(next(iter(cells.values()))["estimators"])
    header = (f"{'campaign':8} {'direction':12} {'estimator':18} {'truth':>8} {'tailor':>9} {'rel.err':>7} "
              f"{'med.boot':>8} {'95% CI':>19} {'obp':>9} {'med.boot':>8} {'max|diff|':>9}")
    print(header)
    print("-" * len(header))
    rel = {side: {name: {} for name in names} for side in ("tailor", "obp")}
    for (campaign, direction), cell in cells.items():
        for name, row in cell["estimators"].items():
            t, o = row["tailor"], row["obp"]
            print(f"{campaign:8} {direction:12} {name:18} {cell['truth']:8.5f} {t['estimate']:9.5f} "
                  f"{t['rel_error_full']:7.3f} {t['rel_error_median_boot']:8.3f} "
                  f"[{t['ci_low']:8.5f},{t['ci_high']:8.5f}] {o['estimate']:9.5f} "
                  f"{o['rel_error_median_boot']:8.3f} {row['max_abs_diff']:9.1e}")
            for side, values in (("tailor", t), ("obp", o)):
                rel[side][name].setdefault(campaign, {})[direction] = {
                    "median_boot": values["rel_error_median_boot"], "full": values["rel_error_full"]}
        print(f"{'':21} ESS {cell['ess']:.0f} of {cell['n']} rounds, largest weight {cell['max_weight']:.1f}")
    best = {}
    for campaign in args.campaigns:
        best[campaign] = {}
        for side in ("tailor", "obp"):
            score = {name: float(np.mean([rel[side][name][campaign][d]["median_boot"]
                                          for d in rel[side][name][campaign]])) for name in names}
            winner = min(score, key=score.get)
            best[campaign][side] = {"estimator": winner, "mean_rel_error_median_boot": score[winner]}
        t, o = best[campaign]["tailor"], best[campaign]["obp"]
        print(f"best on {campaign}: tailor {t['estimator']} ({t['mean_rel_error_median_boot']:.3f}), "
              f"obp {o['estimator']} ({o['mean_rel_error_median_boot']:.3f})  "
              f"[mean over both directions of the median relative error over resamples]")
    max_diff = {name: max(cell["estimators"][name]["max_abs_diff"] for cell in cells.values())
                for name in names}
    covered = {name: sum(cell["estimators"][name]["tailor"]["ci_covers_truth"] for cell in cells.values())
               for name in names}
    print("95% CI covers the truth (cells of " + str(len(cells)) + "): "
          + ", ".join(f"{name} {count}" for name, count in covered.items()))
    first = next(iter(cells.values()))["meta"]
    return {
        "bench": "ope_obd",
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "obp_version": first["obp_version"], "n_boot": args.n_boot, "seed": args.seed, "n_sim": args.n_sim,
        "reward_model": first["reward_model"],
        "position": "part of the context: each round uses the target's and the reward model's slice at its "
                    "logged position (obp indexes action_dist[i, :, position_i] the same way)",
        "estimators": names,
        "rel_error": "|estimate - truth| / truth; truth = the target's on-policy mean reward",
        "best_by": "mean over both directions of the median relative error over resamples",
        "obd_rel_error": rel,
        "best": best,
        "max_abs_diff_tailor_obp": max_diff,
        "ci_covers_truth": {"cells": len(cells), **covered},
        "cells": {f"{c}/{d}": cell for (c, d), cell in cells.items()},
        "seconds": round(seconds, 1),
        "reused_obp_arrays": bool(args.reuse),  # obp's per-cell seconds are in cells.*.meta.seconds
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    add = parser.add_argument
    add("--n-boot", type=int, default=200, help="bootstrap resamples shared by both (200)")
    add("--seed", type=int, default=12345, help="seed of resamples, TS simulation, reward model (12345)")
    add("--n-sim", type=int, default=100_000,
        help="Monte Carlo draws for Bernoulli TS's action distribution (obp's default, 100000)")
    add("--tau", type=float, default=DEFAULT_TAU, help=f"switch-DR threshold ({DEFAULT_TAU:g})")
    add("--clip", type=float, default=DEFAULT_CLIP, help=f"clipped-DR cap ({DEFAULT_CLIP:g})")
    add("--lam", type=float, default=DEFAULT_LAM, help=f"DRos shrinkage ({DEFAULT_LAM:g})")
    add("--campaigns", nargs="+", choices=CAMPAIGNS, default=list(CAMPAIGNS))
    add("--reuse", action="store_true", help="reuse obp's .npz files made with these settings")
    add("--data-dir", type=Path, default=HERE / ".data" / "ope_obd")
    add("--out", type=Path, default=HERE / "results" / "ope_obd.json")
    args = parser.parse_args()
    started = time.time()
    args.data_dir.mkdir(parents=True, exist_ok=True)
    cells = {}
    for campaign in args.campaigns:
        for logs in LOGS:
            path = args.data_dir / f"{campaign}_{logs}.npz"
            run_obp(campaign, logs, args, path)
            with np.load(path) as data:
                cells[campaign, f"{logs}->{OTHER[logs]}"] = tailor_side(data, args)
    summary = report(cells, args, time.time() - started)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(summary, indent=1) + "\n")
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
