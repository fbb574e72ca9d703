"""Closed loop: the simulator sends what Tailor decided, and the responses come back the next day.

Each arm is its own world (same seed, same customers) whose first ``--warmup`` days are logged by
the simulator's uniform policy; then, day after day, the pipeline runs for the day that just
ended (ingest → identity → features → [policy_outcomes → learning, for the learned arm]) and the
arm's policy decides for every known person for the next day, with the pipeline's own code
(``tailor.agents``: the same ``choose`` the decide job runs); the simulator is re-run with those
decisions (``tailor simulate --decisions``: same seed, so the earlier days are byte-identical)
and the responses land in the next day's run. Arms: ``uniform`` (the simulator's own logging
policy), ``heuristic``, ``learned`` (retrained every day on its own growing logs) and ``oracle``
(the ground truth's best allowed action, a reference no real policy can reach).

Per day and arm: the true value per decision (oracle expected reward of what was sent at that
day's decision points) and the regret against the best allowed action at the same points.
Prints a table, plots the regret curves (``bench/results/policy_loop.png``), and writes one JSON
object (also ``bench/results/policy_loop.json``).

    .venv/bin/python bench/policy_loop.py                     # 2,000 users, 21 + 14 days
    .venv/bin/python bench/policy_loop.py --quick             # 800 users, 21 + 3 days
    .venv/bin/python bench/policy_loop.py --arms learned --label eps30 \
        --set policy.learning.epsilon=0.3 --out bench/results/policy_loop_eps30.json

Also per arm: the least-squares slope of the regret per day with its 95% CI, and (learned arms)
the mean paired difference from the heuristic's regret over the last half of the loop days.
"""
from __future__ import annotations

import argparse
import importlib
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
DATA = REPO / "bench" / ".data" / "policy_loop"
ARMS = ("uniform", "heuristic", "learned", "oracle")
SEED = 42


def _env(lookback: int) -> dict[str, str]:
    return {"TAILOR__POLICY__OUTCOMES__LOOKBACK_DAYS": str(lookback),
            "TAILOR__POLICY__OUTCOMES__FEATURE_STEP_DAYS": "1",
            "TAILOR__MODELS__TRAINING_CUTOFFS": "1",
            "TAILOR__CLOCK__MODE": "replay",
            # day by day: each run computes only its new as-of days and keeps the earlier ones
            # (what each day's run knew), instead of recomputing the whole window every day
            "TAILOR__CLOCK__REPLAY_KEEP_WRITTEN": "true"}


class Arm:
    """One arm's world: simulator output, the pipeline's project dir, its decisions so far."""

    def __init__(self, name: str, users: int, days: int, start: date, label: str = "") -> None:
        self.name, self.users, self.days, self.start = name, users, days, start
        self.dir = DATA / arm_dir(name, label)
        self.sim = self.dir / "sim"
        self.home = self.dir / "home"
        self.decisions: list[dict] = []
        self.ingested_days: set[str] = set()

    def reset(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)
        self.home.mkdir(parents=True)
        shutil.copytree(REPO / "conf", self.home / "conf")

    def simulate(self) -> None:
        """Re-run the simulator with every decision so far (earlier days unchanged)."""
        import polars as pl

        from tailor.simulator.world import simulate

        table = (pl.DataFrame(self.decisions) if self.decisions else None)
        if self.sim.exists():
            shutil.rmtree(self.sim)
        simulate(users=self.users, days=self.days, seed=SEED, out_dir=self.sim,
                 start_date=self.start.isoformat(), progress=False, decisions=table,
                 fallback="logging" if self.name == "uniform" else "no_message")

    def land(self, through: str) -> None:
        """Copy the landing files of every day up to ``through`` into the pipeline's landing/."""
        landing = self.home / "landing"
        landing.mkdir(exist_ok=True)
        for path in sorted((self.sim / "landing").glob("events-*.jsonl")):
            day = path.name[len("events-"):len("events-") + 10]
            if day <= through and day not in self.ingested_days:
                shutil.copy2(path, landing / path.name)
        self.ingested_days |= {p.name[7:17] for p in landing.glob("events-*.jsonl")}


def _run_jobs(jobs: tuple[str, ...], ds: str, spark) -> None:
    from tailor.config import get_config
    from tailor.runtime import execute

    for job in jobs:
        module = importlib.import_module(f"tailor.jobs.{job}")
        execute(job, module.run, ds, cfg=get_config(), spark=spark)


def decide_day(arm: Arm, ds: str, spark, learned_models) -> list[dict]:
    """The arm's decisions for the day after ``ds``, for every person the pipeline knows."""
    from pyspark.sql import functions as F

    from tailor.agents.actions import build_bank
    from tailor.agents.guardian import consent_state
    from tailor.agents.heuristic import HeuristicPolicy
    from tailor.agents.learned import LearnedPolicy, LearnedSettings
    from tailor.agents.lifecycle import PolicyParams, choose
    from tailor.clock import day_end
    from tailor.config import get_config
    from tailor.features.assemble import person_features
    from tailor.lakehouse import Lakehouse

    cfg = get_config()
    lh = Lakehouse(cfg, spark)
    bank = build_bank(cfg.load_actions(), cfg.policy.quiet_hours)
    policy = (HeuristicPolicy.from_config(cfg, bank) if arm.name == "heuristic"
              else LearnedPolicy(bank, learned_models, LearnedSettings.from_config(cfg)))
    frame = (person_features(lh, ds).drop("ds")
             .join(consent_state(lh.read("silver.events"), day_end(ds)), "person_id", "left")
             .withColumn("allowed_channels",
                         F.coalesce("allowed_channels", F.array().cast("array<string>"))))
    pdf = frame.toPandas()   # bench-sized worlds: a few thousand persons
    pdf = pdf[~pdf["person_id"].str.startswith("anon-")]
    chosen = choose(pdf, policy, PolicyParams(cfg.policy.holdout_share, cfg.policy.holdout_salt,
                                              policy.label, ds))
    to_customer = _customer_of(cfg, arm)
    nxt = (date.fromisoformat(ds) + timedelta(days=1)).isoformat()
    out = chosen[chosen["person_id"].isin(to_customer)]
    return [{"customer_id": to_customer[p], "date": nxt, "action_id": a, "propensity": float(q)}
            for p, a, q in zip(out["person_id"], out["action_id"], out["propensity"])]


def _customer_of(cfg, arm: Arm) -> dict[str, str]:
    import polars as pl

    from tailor.privacy import pseudonymise

    ids = pl.read_parquet(arm.sim / "ground_truth" / "users.parquet")["customer_id"].to_list()
    return {pseudonymise(c, cfg.privacy.pseudonym_key, cfg.privacy.person_id_length): c for c in ids}


def learn(ds: str, spark):
    """The learned arm's reward models, from its own logged decisions (pipeline code)."""
    from tailor.agents.learned import fit_reward_models
    from tailor.config import get_config
    from tailor.jobs.train_policy import policy_features
    from tailor.lakehouse import Lakehouse

    cfg = get_config()
    _run_jobs(("policy_outcomes",), ds, spark)
    rows = Lakehouse(cfg).read_arrow("training.policy").to_pandas()
    learn_cfg = cfg.policy.learning
    return fit_reward_models(rows, policy_features(rows.columns), learn_cfg.ensemble,
                             dict(learn_cfg.xgboost), learn_cfg.seed)


def day_values(arm: Arm, day: int) -> dict[str, float]:
    """True value per decision of what was sent on simulator day ``day`` and the best possible."""
    from tailor.config import get_config
    from tailor.simulator.oracle import Costs, Oracle

    oracle = Oracle.load(arm.sim)
    costs = Costs.from_config(get_config())
    points = oracle.decision_points(costs)
    points = points.filter(points["day"] == day)
    if points.height == 0:
        return {"value": float("nan"), "best": float("nan"), "n": 0}
    cust, days = points["customer_id"].to_numpy(), points["day"].to_numpy()
    fatigue = oracle.logged_fatigue(cust, days)
    reward = oracle.reward_matrix(cust, days, costs, fatigue=fatigue)
    allowed = oracle.allowed_mask(cust, days)
    index = {a: i for i, a in enumerate(oracle.action_ids)}
    sent = np.array([index[a] for a in points["action_id"].to_list()])
    value = reward[np.arange(len(sent)), sent]
    best = np.where(allowed, reward, -np.inf).max(axis=1)
    return {"value": float(value.mean()), "best": float(best.mean()), "n": int(len(sent))}


def arm_dir(name: str, label: str = "") -> str:
    """An arm's directory under bench/.data/policy_loop (a labelled variant gets its own)."""
    return f"{name}-{label}" if label else name


def run_arm(name: str, users: int, warmup: int, loop_days: int, spark,
            label: str = "") -> list[dict]:
    from tailor.config import get_config

    cfg = get_config()
    start = date.fromisoformat(cfg.simulator.start_date)
    arm = Arm(name, users, warmup + loop_days, start, label)
    arm.reset()
    per_day = []
    for k in range(loop_days):
        sim_day = warmup + k                       # the day being decided for
        ds = (start + timedelta(days=sim_day - 1)).isoformat()
        started = time.time()
        arm.simulate()
        if name in ("heuristic", "learned"):
            arm.land(ds)
            _run_jobs(("ingest", "identity", "materialize_features"), ds, spark)
            models = learn(ds, spark) if name == "learned" else None
            arm.decisions += decide_day(arm, ds, spark, models)
        elif name == "oracle":
            arm.decisions += _oracle_decisions(arm, sim_day, start)
        arm.simulate()
        values = day_values(arm, sim_day)
        values.update(day=sim_day, date=(start + timedelta(days=sim_day)).isoformat(),
                      seconds=round(time.time() - started, 1))
        values["regret"] = values["best"] - values["value"]
        per_day.append(values)
        print(f"  {name:9s} day {sim_day:3d}: value {values['value']:.3f}  best "
              f"{values['best']:.3f}  regret {values['regret']:.3f}  ({values['n']} decisions, "
              f"{values['seconds']:.0f} s)", flush=True)
    return per_day


def _oracle_decisions(arm: Arm, day: int, start: date) -> list[dict]:
    """The ground truth's best allowed action for every customer known on ``day``."""
    import polars as pl

    from tailor.config import get_config
    from tailor.simulator.oracle import Costs, Oracle

    oracle = Oracle.load(arm.sim)
    users = pl.read_parquet(arm.sim / "ground_truth" / "users.parquet")["customer_id"].to_numpy()
    days = np.full(len(users), day)
    known = oracle.known(users, days)
    users, days = users[known], days[known]
    best = oracle.best_action(users, days, Costs.from_config(get_config()),
                              fatigue=oracle.logged_fatigue(users, days))
    when = (start + timedelta(days=day)).isoformat()
    return [{"customer_id": c, "date": when, "action_id": a, "propensity": 1.0}
            for c, a in zip(users, best)]


def _plot(results: dict[str, list[dict]], path: Path) -> None:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(9, 3.6))
    ax1, ax2 = fig.subplots(1, 2)
    for name, days in results.items():
        x = [d["day"] for d in days]
        ax1.plot(x, [d["value"] for d in days], "o-", label=name)
        ax2.plot(x, [d["regret"] for d in days], "o-", label=name)
    ax1.set_title("True value per decision")
    ax2.set_title("Regret vs the best allowed action")
    for ax in (ax1, ax2):
        ax.set_xlabel("simulated day")
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def trend(days: list[dict], key: str = "regret") -> dict[str, float]:
    """Least-squares slope of ``key`` per simulated day with its 95% CI (t), and the means of the
    first and last three days: is the curve falling, and by how much beyond day-to-day noise?"""
    from scipy import stats

    x = np.array([d["day"] for d in days], float)
    y = np.array([d[key] for d in days], float)
    ok = np.isfinite(y)
    x, y = x[ok], y[ok]
    if len(x) < 3:
        return {"slope": float("nan"), "slope_ci_low": float("nan"), "slope_ci_high": float("nan"),
                "first3": float(np.mean(y[:3])) if len(y) else float("nan"),
                "last3": float(np.mean(y[-3:])) if len(y) else float("nan")}
    fit = stats.linregress(x, y)
    half = stats.t.ppf(0.975, len(x) - 2) * fit.stderr
    return {"slope": float(fit.slope), "slope_ci_low": float(fit.slope - half),
            "slope_ci_high": float(fit.slope + half), "first3": float(np.mean(y[:3])),
            "last3": float(np.mean(y[-3:]))}


def paired_last(a: list[dict], b: list[dict], n: int, key: str = "regret") -> dict[str, float]:
    """Mean over the last ``n`` common days of a's ``key`` minus b's, with a 95% t-interval over
    days (each arm is its own world with the same seed and customers: days pair up)."""
    from scipy import stats

    by_day = {d["day"]: d[key] for d in b}
    diffs = np.array([d[key] - by_day[d["day"]] for d in a if d["day"] in by_day], float)[-n:]
    diffs = diffs[np.isfinite(diffs)]
    if len(diffs) < 2:
        return {"mean": float("nan"), "ci_low": float("nan"), "ci_high": float("nan"), "days": 0}
    half = stats.t.ppf(0.975, len(diffs) - 1) * diffs.std(ddof=1) / np.sqrt(len(diffs))
    return {"mean": float(diffs.mean()), "ci_low": float(diffs.mean() - half),
            "ci_high": float(diffs.mean() + half), "days": int(len(diffs))}


def summarize(results: dict[str, list[dict]], meta: dict) -> dict:
    """The JSON summary of a run's per-day results (also recomputable: ``--summarize``)."""
    out = {**meta,
           "mean_value": {n: float(np.nanmean([d["value"] for d in v])) for n, v in results.items()},
           "mean_regret": {n: float(np.nanmean([d["regret"] for d in v])) for n, v in results.items()},
           "final_regret": {n: v[-1]["regret"] for n, v in results.items() if v},
           "regret_trend": {n: trend(v) for n, v in results.items()},
           "value_trend": {n: trend(v, "value") for n, v in results.items()}}
    learned = [n for n in results if n.startswith("learned")]
    if "heuristic" in results:
        half = max(2, meta.get("loop_days", 14) // 2)
        out["learned_minus_heuristic_regret_last_days"] = {
            n: paired_last(results[n], results["heuristic"], half) for n in learned}
    out["per_day"] = results
    return out


def _overrides(pairs: list[str]) -> dict[str, str]:
    """``policy.learning.epsilon=0.3`` -> ``TAILOR__POLICY__LEARNING__EPSILON=0.3``."""
    from tailor.config import ENV_PREFIX

    env = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise SystemExit(f"--set {pair!r}: use a dotted config key, e.g. "
                             f"--set policy.learning.epsilon=0.3")
        env[ENV_PREFIX + key.replace(".", "__").upper()] = value
    return env


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=2000)
    parser.add_argument("--warmup", type=int, default=21, help="days logged by the uniform policy")
    parser.add_argument("--days", type=int, default=14, help="closed-loop days")
    parser.add_argument("--arms", default=",".join(ARMS))
    parser.add_argument("--quick", action="store_true", help="800 users, 3 loop days")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="config override for every arm of this run, e.g. "
                             "policy.learning.epsilon=0.3 (repeatable); give it a --label")
    parser.add_argument("--label", default="",
                        help="a variant's name: its arms get their own directories and result "
                             "keys (learned-LABEL), so the default arms are kept")
    parser.add_argument("--out", type=Path, default=RESULTS / "policy_loop.json",
                        help="the JSON (the plot goes beside it as .png); default %(default)s")
    parser.add_argument("--summarize", type=Path, metavar="JSON",
                        help="recompute the summary of an earlier run's JSON and exit")
    args = parser.parse_args(argv)
    if args.summarize:
        old = json.loads(args.summarize.read_text())
        meta = {k: v for k, v in old.items() if k in ("date", "users", "warmup_days", "loop_days",
                                                      "seconds", "overrides", "variants", "command")}
        summary = summarize(old["per_day"], meta)
        args.summarize.write_text(json.dumps(summary, indent=2) + "\n")
        _plot(old["per_day"], args.summarize.with_suffix(".png"))
        print(json.dumps({k: v for k, v in summary.items() if k != "per_day"}))
        return 0
    if args.quick:
        args.users, args.days = 800, 3
    DATA.mkdir(parents=True, exist_ok=True)
    overrides = _overrides(args.set)
    results: dict[str, list[dict]] = {}
    started = time.time()
    for name in args.arms.split(","):
        key = arm_dir(name, args.label)
        home = DATA / key / "home"
        env = {**os.environ, "TAILOR_HOME": str(home), "PYTHONPATH": str(REPO),
               **_env(args.warmup + args.days - 4), **overrides}
        code = ("import json; from bench.policy_loop import _arm; "
                f"print('RESULT ' + json.dumps(_arm({name!r}, {args.users}, {args.warmup}, "
                f"{args.days}, {args.label!r})))")
        import subprocess

        print(f"arm {key}", flush=True)
        (DATA / key).mkdir(parents=True, exist_ok=True)
        with subprocess.Popen([sys.executable, "-c", code], env=env, cwd=DATA, text=True,
                              stdout=subprocess.PIPE) as proc:
            assert proc.stdout is not None
            for line in proc.stdout:              # the arm's progress, as it happens
                if line.startswith("RESULT "):
                    results[key] = json.loads(line[7:])
                else:
                    print(line, end="", flush=True)
        if proc.returncode != 0:
            print(f"arm {key}: FAILED (exit {proc.returncode})")
    meta = {"date": time.strftime("%Y-%m-%d"), "users": args.users, "warmup_days": args.warmup,
            "loop_days": args.days, "seconds": round(time.time() - started),
            "overrides": overrides}
    summary = summarize(results, meta)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    if results:
        _plot(results, args.out.with_suffix(".png"))
    args.out.write_text(json.dumps(summary, indent=2) + "\n")
    print(json.dumps({k: v for k, v in summary.items() if k != "per_day"}))
    return 0 if results else 1


def _arm(name: str, users: int, warmup: int, loop_days: int, label: str = "") -> list[dict]:
    """One arm in a fresh process whose TAILOR_HOME is the arm's project dir."""
    from tailor.config import get_config
    from tailor.spark import get_spark

    home = DATA / arm_dir(name, label) / "home"
    if not (home / "conf").exists():
        home.mkdir(parents=True, exist_ok=True)
        shutil.copytree(REPO / "conf", home / "conf")
    spark = get_spark(get_config()) if name in ("heuristic", "learned") else None
    return run_arm(name, users, warmup, loop_days, spark, label)


if __name__ == "__main__":
    sys.exit(main())
