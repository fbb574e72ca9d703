"""Does the learned policy beat the heuristic, and how much of the way to the best possible
policy does it get? True values come from the simulator's oracle, never from estimates.

For each seed: simulate a world, run the pipeline's own jobs on it (ingest → identity →
features → policy_outcomes, in one Spark session), train the learned policy with the pipeline's
code on the older logged decisions (``tailor.agents.learned``), and evaluate on the newest
``--eval-days`` decision days — every logged decision point there, with the context and consent
the pipeline saw — the true expected reward (``tailor.simulator.oracle``: attributed conversion
value − action cost) of: the uniform random policy, the simulator's own logging policy, the
heuristic, the learned policy (with its exploration) and greedy, and the oracle's best allowed
action. Also the pipeline's off-policy estimates of each on the same rows, against the truth.

Prints a table per seed and, last, one JSON object (also ``bench/results/policy.json``) with
``oracle_value``, ``random_value``, ``heuristic_value``, ``learned_value``, ``gap_captured``,
``learned_vs_heuristic_ci`` (95% t-interval over seeds of the true per-decision difference),
the per-seed figures, a learning curve, and — from their own benches, when present —
``ope_rel_error_median`` / ``ope_ci_coverage`` (``bench/ope_sim.py``) and ``obd_rel_error``
(``bench/ope_obd.py``).

    .venv/bin/python bench/policy.py                       # 20,000 users x 60 days, 4 seeds
    .venv/bin/python bench/policy.py --quick               # 3,000 x 40, 1 seed (smoke check)
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results"
DATA = REPO / "bench" / ".data" / "policy"
JOBS = ("ingest", "identity", "materialize_features", "policy_outcomes")


def _settings(days: int, eval_days: int) -> dict[str, str]:
    """Config overrides of the bench worlds (environment form, read by every job)."""
    lookback = days - 4          # every decision day with a complete window and some history
    return {"TAILOR__POLICY__OUTCOMES__LOOKBACK_DAYS": str(lookback),
            "TAILOR__POLICY__LEARNING__EVAL_DAYS": str(eval_days),
            "TAILOR__MODELS__TRAINING_CUTOFFS": "1",   # the models' training sets are not used here
            "TAILOR__CLOCK__MODE": "replay"}


def build_world(root: Path, users: int, days: int, seed: int) -> str:
    """Simulate and run the pipeline's jobs up to training.policy. Resumable: each finished
    stage leaves a marker (``.simulated``, ``.job-<name>``) and is skipped on the next call, so a
    run stopped half-way (a 20,000 x 60 world takes tens of minutes per seed) goes on from the
    stage it stopped in; ``--rebuild`` starts over."""
    from tailor.config import get_config

    cfg = get_config()
    ds = (date.fromisoformat(cfg.simulator.start_date) + timedelta(days=days - 1)).isoformat()
    if (root / ".built").exists():
        return ds
    if not (root / ".simulated").exists():
        from tailor.simulator.world import simulate

        started = time.time()
        simulate(users=users, days=days, seed=seed, out_dir=root)
        print(f"  simulated {users} x {days} in {time.time() - started:.0f} s", flush=True)
        (root / ".simulated").write_text(ds)
    import importlib

    from tailor.runtime import execute
    from tailor.spark import get_spark

    spark = get_spark(cfg)
    for job in JOBS:
        marker = root / f".job-{job}"
        if marker.exists():
            print(f"  {job}: done by an earlier run", flush=True)
            continue
        module = importlib.import_module(f"tailor.jobs.{job}")
        summary = execute(job, module.run, ds, cfg=cfg, spark=spark)
        print(f"  {job}: {summary['seconds']:.0f} s", flush=True)
        marker.write_text(json.dumps({"seconds": summary["seconds"]}))
    spark.stop()
    (root / ".built").write_text(ds)
    return ds


def evaluate_world(root: Path, eval_days: int, ensemble: int, curve: bool) -> dict:
    """True values (oracle) and OPE estimates of every policy on the newest decision days."""
    import polars as pl

    from tailor.agents.actions import build_bank
    from tailor.agents.heuristic import HeuristicPolicy
    from tailor.agents.learned import LearnedPolicy, LearnedSettings, fit_reward_models
    from tailor.agents.policy import UniformPolicy, allowed_mask
    from tailor.config import get_config
    from tailor.evaluation.ope import Bootstrap
    from tailor.evaluation.policy_eval import (
        estimators,
        evaluate_policies,
        logged_data,
        predicted_outcomes,
    )
    from tailor.jobs.train_policy import policy_features
    from tailor.lakehouse import Lakehouse
    from tailor.privacy import pseudonymise
    from tailor.simulator.oracle import Costs, Oracle

    cfg = get_config()
    rows = Lakehouse(cfg).read_arrow("training.policy").to_pandas()
    days = sorted(rows["decision_date"].unique())
    held_days = days[-eval_days:]
    train = rows[~rows["decision_date"].isin(held_days)]
    held = rows[rows["decision_date"].isin(held_days)].reset_index(drop=True)
    features = policy_features(rows.columns)
    bank = build_bank(cfg.load_actions(), cfg.policy.quiet_hours)
    learn = cfg.policy.learning
    started = time.time()
    models = fit_reward_models(train, features, ensemble, dict(learn.xgboost), learn.seed)
    fit_seconds = time.time() - started
    learned = LearnedPolicy(bank, models, LearnedSettings.from_config(cfg))
    policies = {"uniform": UniformPolicy(bank), "heuristic": HeuristicPolicy.from_config(cfg, bank),
                "learned": learned,
                "learned_greedy": learned.with_settings(exploration="epsilon", epsilon=0.0)}

    oracle = Oracle.load(root)
    customers = pl.read_parquet(root / "ground_truth" / "users.parquet")["customer_id"].to_list()
    key, length = cfg.privacy.pseudonym_key, cfg.privacy.person_id_length
    to_customer = {pseudonymise(c, key, length): c for c in customers}
    held = held[held["person_id"].isin(to_customer)].reset_index(drop=True)
    cust = held["person_id"].map(to_customer).to_numpy()
    day = oracle.day_index(held["decision_date"].tolist())
    costs = Costs.from_config(cfg)
    fatigue = oracle.logged_fatigue(cust, day)
    order = [list(oracle.action_ids).index(a) for a in learned.action_ids]
    reward = oracle.reward_matrix(cust, day, costs, fatigue=fatigue)[:, order]
    truly_allowed = oracle.allowed_mask(cust, day)[:, order]
    seen = allowed_mask(held["allowed_channels"].tolist(), bank)
    allowed = seen & truly_allowed        # the pipeline's view of consent, never beyond the truth

    def true_value(probs: np.ndarray) -> np.ndarray:
        return (probs * np.where(truly_allowed, reward, 0.0)).sum(axis=1)

    per_row = {name: true_value(p.probabilities(held, allowed)) for name, p in policies.items()}
    per_row["oracle"] = np.where(allowed, reward, -np.inf).max(axis=1)
    per_row["logging"] = oracle.logging_value(cust, day, costs, fatigue=fatigue)
    values = {k: float(v.mean()) for k, v in per_row.items()}
    gap = values["oracle"] - values["uniform"]
    out = {"rows_train": int(len(train)), "rows_eval": int(len(held)),
           "consent_agreement": float((seen == truly_allowed).all(axis=1).mean()),
           "fit_seconds": round(fit_seconds, 1), "training": models.info, "values": values,
           "gap_captured": (values["learned"] - values["uniform"]) / gap if gap > 0 else None,
           "gap_captured_greedy": ((values["learned_greedy"] - values["uniform"]) / gap
                                   if gap > 0 else None),
           "learned_minus_heuristic": values["learned"] - values["heuristic"]}

    # the pipeline's own off-policy estimates of the same policies on the same rows
    data = logged_data(held, bank)
    est = estimators(cfg.ope)
    ev = evaluate_policies(data, {k: v for k, v in policies.items()},
                           predicted_outcomes(models, data, bank, cfg.policy.message_cost), est,
                           Bootstrap(n_boot=200, seed=1), pair=("learned", "heuristic"),
                           gate_estimator=cfg.policy.gate.estimator)
    out["ope"] = [{**{k: r[k] for k in ("policy", "estimator", "value", "ci_low", "ci_high")},
                   "truth": values[r["policy"]]} for r in ev.results if r["outcome"] == "reward"]
    out["ope_gate_comparison"] = ev.comparison
    if curve:
        out["learning_curve"] = _curve(train, held, features, bank, cfg, allowed, true_value,
                                       values, ensemble)
    return out


def _curve(train, held, features, bank, cfg, allowed, true_value, values, ensemble) -> list[dict]:
    """Gap captured when training on a share of the training persons."""
    from tailor.agents.learned import LearnedPolicy, LearnedSettings, fit_reward_models
    from tailor.privacy import stable_share

    gap = values["oracle"] - values["uniform"]
    points = []
    position = train["person_id"].map(lambda p: stable_share(str(p), "curve"))
    for share in (0.125, 0.25, 0.5):
        keep = position < share
        models = fit_reward_models(train[keep], features, ensemble, dict(cfg.policy.learning.xgboost),
                                   cfg.policy.learning.seed)
        policy = LearnedPolicy(bank, models, LearnedSettings.from_config(cfg))
        v = float(true_value(policy.probabilities(held, allowed)).mean())
        points.append({"share": share, "rows": int(keep.sum()), "learned_value": v,
                       "gap_captured": (v - values["uniform"]) / gap})
    points.append({"share": 1.0, "rows": int(len(train)), "learned_value": values["learned"],
                   "gap_captured": (values["learned"] - values["uniform"]) / gap})
    return points


def _t_interval(x: list[float]) -> list[float] | None:
    from scipy import stats

    if len(x) < 2:
        return None
    arr = np.asarray(x, float)
    half = stats.t.ppf(0.975, len(arr) - 1) * arr.std(ddof=1) / np.sqrt(len(arr))
    return [float(arr.mean() - half), float(arr.mean() + half)]


def _plot(per_seed: dict, path: Path) -> None:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(9, 3.6))
    ax1, ax2 = fig.subplots(1, 2)
    names = ["uniform", "logging", "heuristic", "learned", "learned_greedy", "oracle"]
    for seed, res in per_seed.items():
        ax1.plot(names, [res["values"][n] for n in names], "o-", label=f"seed {seed}")
        if res.get("learning_curve"):
            pts = res["learning_curve"]
            ax2.plot([p["rows"] for p in pts], [p["gap_captured"] for p in pts], "o-",
                     label=f"seed {seed}")
    ax1.set_ylabel("true value per decision")
    ax1.set_title("True value of each policy (oracle)")
    ax1.tick_params(axis="x", rotation=30)
    ax1.legend(fontsize=7)
    ax2.axhline(0.5, color="grey", lw=0.6, ls="--")
    ax2.set_xscale("log")
    ax2.set_xlabel("training rows (logged messages + no-message points)")
    ax2.set_ylabel("gap captured")
    ax2.set_title("Learning curve")
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def _bench_json(name: str) -> dict:
    path = RESULTS / name
    return json.loads(path.read_text()) if path.exists() else {}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=20000)
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--seeds", default="42,43,44,45", help="comma-separated world seeds")
    parser.add_argument("--eval-days", type=int, default=7)
    parser.add_argument("--ensemble", type=int, default=None,
                        help="reward models (default: policy.learning.ensemble)")
    parser.add_argument("--no-curve", action="store_true", help="skip the learning curve")
    parser.add_argument("--quick", action="store_true", help="3,000 x 40, one seed, no curve")
    parser.add_argument("--rebuild", action="store_true", help="re-simulate and rerun the jobs")
    args = parser.parse_args(argv)
    if args.quick:
        args.users, args.days, args.seeds, args.no_curve = 3000, 40, "42", True
    seeds = [int(s) for s in args.seeds.split(",")]
    per_seed: dict[int, dict] = {}
    started = time.time()
    for seed in seeds:
        root = DATA / f"{args.users}x{args.days}-s{seed}"
        if args.rebuild and root.exists():
            shutil.rmtree(root)
        root.mkdir(parents=True, exist_ok=True)
        if not (root / "conf").exists():
            shutil.copytree(REPO / "conf", root / "conf")
        cached = root / "result.json"
        key = {"eval_days": args.eval_days, "ensemble": args.ensemble}
        earlier = json.loads(cached.read_text()) if cached.exists() and not args.rebuild else {}
        if earlier.get("key") == key and (args.no_curve or "learning_curve" in earlier["result"]):
            result = earlier["result"]
            print(f"seed {seed}: evaluated by an earlier run ({cached})", flush=True)
        else:
            result = _run_seed(root, args, seed)
            if result is None:
                per_seed[seed] = {"failed": True}
                continue
            cached.write_text(json.dumps({"key": key, "result": result}, default=float))
        per_seed[seed] = result
        v = result["values"]
        print(f"  true value per decision: uniform {v['uniform']:.3f}  logging {v['logging']:.3f}  "
              f"heuristic {v['heuristic']:.3f}  learned {v['learned']:.3f}  "
              f"(greedy {v['learned_greedy']:.3f})  oracle {v['oracle']:.3f}  -> gap captured "
              f"{result['gap_captured']:.2f}", flush=True)

    ok = {s: r for s, r in per_seed.items() if not r.get("failed")}
    mean = lambda key: float(np.mean([r["values"][key] for r in ok.values()])) if ok else None  # noqa: E731
    diffs = [r["learned_minus_heuristic"] for r in ok.values()]
    summary = {
        "date": time.strftime("%Y-%m-%d"), "users": args.users, "days": args.days,
        "seeds": seeds, "eval_days": args.eval_days, "seconds": round(time.time() - started),
        "oracle_value": mean("oracle"), "random_value": mean("uniform"),
        "logging_value": mean("logging"), "heuristic_value": mean("heuristic"),
        "learned_value": mean("learned"), "learned_greedy_value": mean("learned_greedy"),
        "gap_captured": (float(np.mean([r["gap_captured"] for r in ok.values()])) if ok else None),
        "learned_vs_heuristic": float(np.mean(diffs)) if diffs else None,
        "learned_vs_heuristic_ci": _t_interval(diffs),
        "ope_rel_error_median": _bench_json("ope_sim.json").get("ope_rel_error_median"),
        "ope_ci_coverage": _bench_json("ope_sim.json").get("ope_ci_coverage"),
        "obd_rel_error": _bench_json("ope_obd.json").get("obd_rel_error"),
        "per_seed": per_seed,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    if ok:
        _plot(ok, RESULTS / "policy.png")
    (RESULTS / "policy.json").write_text(json.dumps(summary, indent=2, default=float) + "\n")
    print(json.dumps({k: v for k, v in summary.items() if k != "per_seed"}, default=float))
    return 0 if ok else 1


def _run_seed(root: Path, args: argparse.Namespace, seed: int) -> dict | None:
    """One world in a fresh process whose TAILOR_HOME is the world (its own lakehouse, config
    and MLflow store); its progress lines are printed as they come."""
    import subprocess

    code = ("import json, sys; sys.argv = ['x']; from bench.policy import _one; "
            f"print('RESULT ' + json.dumps(_one({str(root)!r}, {args.users}, {args.days}, "
            f"{seed}, {args.eval_days}, {args.ensemble}, {not args.no_curve})))")
    env = {**os.environ, "TAILOR_HOME": str(root), "PYTHONPATH": str(REPO),
           **_settings(args.days, args.eval_days)}
    print(f"seed {seed}: {args.users} users x {args.days} days -> {root}", flush=True)
    result = None
    with subprocess.Popen([sys.executable, "-u", "-c", code], env=env, cwd=root, text=True,
                          stdout=subprocess.PIPE) as proc:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith("RESULT "):
                result = json.loads(line[7:])
            else:
                print(line, end="", flush=True)
    if proc.returncode != 0 or result is None:
        print(f"seed {seed}: FAILED (exit {proc.returncode})", flush=True)
        return None
    return result


def _one(root: str, users: int, days: int, seed: int, eval_days: int, ensemble: int | None,
         curve: bool) -> dict:
    """One world, in a fresh process whose TAILOR_HOME is the world (see ``main``)."""
    from tailor.config import get_config

    build_world(Path(root), users, days, seed)
    ens = ensemble or get_config().policy.learning.ensemble
    return evaluate_world(Path(root), eval_days, ens, curve)


if __name__ == "__main__":
    sys.exit(main())
