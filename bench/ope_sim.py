"""Are Tailor's off-policy estimators right? The simulator half of the proof (issue 11).

Per seed: simulate a world (``tailor.simulator.world.simulate``, its uniform randomised logging policy
with exact propensities), load its ground-truth oracle (``tailor.simulator.oracle``), and take the
logged decision points of the evaluation window (the last ``--eval-days`` complete days; the last
simulated day is left out because its responses after midnight are not in landing). They are the
logged feedback: the action's index in the oracle's action bank, the logged propensity, the realised
reward = realised conversion value - the action's cost (``Costs.from_config()``) and, known exactly,
the whole logging distribution (``oracle.policy.probabilities(consent)``).

Target policies (never any mass on an action consent forbids):
  oracle-greedy   deterministic: the oracle's best allowed action (no_message included)
  oracle-eps      stochastic: 1 - EPSILON on the oracle's best action, EPSILON uniform over allowed actions
  rule            deterministic, observable only: RULE_ACTION when its channel is allowed, else no_message
  model-greedy    deterministic: the best allowed action under the bench's reward model (q̂ argmax)
  logging         the logging policy itself: an on-policy sanity check (importance weights all 1),
                  reported but left out of the "all" figures
The TRUE value of a target is the mean over the window's decision points of
sum_a pi(a|x) reward_matrix(x, a) (the oracle's exact expected reward, fatigue from the logged sends).

Reward model for DM and the DR family (``estimated_rewards``): XGBoost over observable context from
landing only (``bench/ope_sim_model.py``: a funnel open x click x convert x order value), trained on the
days before the evaluation window, so it never saw the outcomes it helps to evaluate (cross-fitted in
time).

Estimators: ``tailor.evaluation.ope.default_estimators()`` (IPS, SNIPS, DM, DR, SNDR, switch-DR(20),
clipped DR(20), DRos(20)) with tailor's percentile bootstrap. The headline CI resamples whole customers
(their rounds share hidden traits, and consent and fatigue carry over from one round to the next); the
round-level bootstrap is reported alongside. Plus one diagnostic that no one outside a simulator can
run: ``dr[true q]``, DR with the oracle's reward matrix as its reward model, i.e. DR's error with a
perfect reward model (what is left is the noise of the realised rewards the estimate rests on).

Per seed x target x estimator: estimate, 95 % CI, truth, relative error |est - truth| / |truth|, whether
each CI covers the truth, ESS, largest weight and ``support``: the Kish effective number of *paying*
rounds (reward > 0) under the target's weights, i.e. how many conversions the estimate really rests on.
Prints a table (median relative error over seeds, mean signed error, CI coverage, mean ESS / largest
weight / support) and, last, one JSON object, also ``bench/results/ope_sim.json`` (``--quick``:
``ope_sim.quick.json``), plus the plot next to it (``.png``).

    .venv/bin/python bench/ope_sim.py                 # 20 seeds x 20,000 users x 40 days (~25 min)
    .venv/bin/python bench/ope_sim.py --quick         # smoke check: 3 small worlds, < 2 min
    .venv/bin/python bench/ope_sim.py --users 5000 --out bench/results/ope_sim_users5000.json
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import polars as pl

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from ope_sim_model import (  # noqa: E402
    FunnelModel,
    History,
    RewardModelParams,
    context_features,
    frame_events,
    message_outcomes,
    read_events,
)

from tailor.evaluation.ope import (  # noqa: E402
    DR,
    Bootstrap,
    LoggedFeedback,
    default_estimators,
    effective_sample_size,
    evaluate,
    importance_weights,
    one_hot,
)
from tailor.events import CHANNELS  # noqa: E402

EPSILON = 0.2                   # oracle-eps: share of uniform exploration over the allowed actions
RULE_ACTION = "email@18:pct10"  # rule: a marketer's evening email with 10 % off, whenever consent allows
WARMUP_DAYS = 7                 # first days left out of the training window (no history yet)
ON_POLICY = "logging"           # the on-policy check; not in the "all" figures
TRUE_Q = "dr[true q]"           # diagnostic: DR with the oracle's reward matrix as reward model
DR_TARGET = {"estimator": "dr", "rel_error_median": 0.10, "ci_coverage": 0.85}   # issue 11
RESULTS = HERE / "results"


@dataclass(frozen=True)
class Window:
    """Simulated days used by one world: training [train_start, eval_start), evaluation
    [eval_start, eval_end); eval_end = days - 1 (the last day's responses are censored)."""

    train_start: int
    eval_start: int
    eval_end: int

    @classmethod
    def of(cls, days: int, eval_days: int, warmup: int = WARMUP_DAYS) -> "Window":
        eval_end = days - 1
        eval_start = eval_end - eval_days
        if eval_days < 1 or eval_start - warmup < 3:
            raise ValueError(f"{days} days leave no training window before {eval_days} evaluation days "
                             f"(need days >= eval_days + {warmup + 4}): raise --days or lower --eval-days")
        return cls(warmup, eval_start, eval_end)


# --- target policies -----------------------------------------------------------------------------
def greedy(scores: np.ndarray, allowed: np.ndarray) -> np.ndarray:
    """One-hot (n, A) on the highest-scoring allowed action (ties: the first, so no_message)."""
    return one_hot(np.argmax(np.where(allowed, scores, -np.inf), axis=1), scores.shape[1])


def epsilon_mix(best: np.ndarray, allowed: np.ndarray, epsilon: float) -> np.ndarray:
    """(1 - epsilon) x ``best`` + epsilon x uniform over each row's allowed actions."""
    spread = allowed / allowed.sum(axis=1, keepdims=True)
    return (1.0 - epsilon) * best + epsilon * spread


def rule(action: int, allowed: np.ndarray) -> np.ndarray:
    """``action`` where allowed, else no_message (index 0)."""
    return one_hot(np.where(allowed[:, action], action, 0), allowed.shape[1])


def target_policies(true_rewards: np.ndarray, model_rewards: np.ndarray, logging_dist: np.ndarray,
                    rule_action: int, epsilon: float = EPSILON) -> dict[str, np.ndarray]:
    """Every target's action distribution (n, A); none puts mass where ``logging_dist`` is 0."""
    allowed = logging_dist > 0
    best = greedy(true_rewards, allowed)
    return {"oracle-greedy": best, "oracle-eps": epsilon_mix(best, allowed, epsilon),
            "rule": rule(rule_action, allowed), "model-greedy": greedy(model_rewards, allowed),
            ON_POLICY: logging_dist}


def true_values(policies: dict[str, np.ndarray], true_rewards: np.ndarray) -> dict[str, float]:
    """The oracle's value of each target: mean over points of sum_a pi(a|x) r(x, a)."""
    return {name: float((dist * true_rewards).sum(axis=1).mean()) for name, dist in policies.items()}


# --- one seed ------------------------------------------------------------------------------------
@dataclass
class SeedData:
    """What one world gives the estimators: the logged feedback of the evaluation window, the reward
    model's and the oracle's (n, A) reward matrices, and the reward model's figures."""

    feedback: LoggedFeedback
    logging_dist: np.ndarray
    model_rewards: np.ndarray
    true_rewards: np.ndarray
    action_ids: tuple[str, ...]
    model: dict
    n_customers: int


def reward_model(oracle, points: pl.DataFrame, events: pl.DataFrame, window: Window, cost: np.ndarray,
                 seed: int, params: RewardModelParams) -> tuple[np.ndarray, dict]:
    """Fit on the training window's messages; (n_eval, A) q̂ of the evaluation points and its figures.
    ``points``: the world's decision points before the end of the evaluation window."""
    history = History.build(frame_events(events), oracle.n_users, oracle.days)
    points = points.join(message_outcomes(events), on="message_id", how="left")
    ids, days = points["customer_id"], points["day"].to_numpy()
    user = oracle.customer_index(ids)
    start = oracle.start_date
    weekday = np.array([(start + dt.timedelta(days=int(d))).weekday() for d in range(oracle.days)])[days]
    context = context_features(history, user, days, oracle.consent(ids, days), weekday)
    bank = oracle.bank
    action = oracle.action_index(points["action_id"])
    train = np.flatnonzero((days >= window.train_start) & (days < window.eval_start) & (action > 0))
    a = action[train]
    model = FunnelModel.fit(context, train, bank.channel[a], bank.send_hour[a], bank.discount[a],
                            points["opened"].fill_null(False).to_numpy()[train],
                            points["clicked"].fill_null(False).to_numpy()[train],
                            points["value"].to_numpy()[train], days[train], seed, params)
    rows = np.flatnonzero((days >= window.eval_start) & (days < window.eval_end))
    consent = np.column_stack([context[f"consent_{name}"][rows] > 0 for name in CHANNELS])
    q_hat = np.zeros((rows.shape[0], len(bank)))   # value 0 where consent forbids the action
    for a in range(1, len(bank)):
        ok = np.flatnonzero(consent[:, bank.channel[a]])
        n = ok.shape[0]
        q_hat[ok, a] = model.value(context, rows[ok], np.full(n, bank.channel[a]),
                                   np.full(n, bank.send_hour[a]), np.full(n, bank.discount[a]))
    q_hat[:, 1:] -= cost[None, 1:]
    return q_hat, {"train_messages": int(train.shape[0]),
                   "train_conversions": int((points["value"].to_numpy()[train] > 0).sum()),
                   "n_trees": model.n_trees, "value_scale": model.value_scale,
                   "features": len(model.names), "top_features": model.top_features()}


def load_seed(world_dir: Path, seed: int, window: Window, params: RewardModelParams) -> SeedData:
    """Oracle, logged feedback, reward model and truth of one simulated world."""
    from tailor.simulator.oracle import Costs, Oracle

    oracle = Oracle.load(world_dir)
    costs = Costs.from_config()
    cost = costs.vector(oracle.bank)
    points = oracle.decision_points(costs).filter(pl.col("day") < window.eval_end)
    events = read_events(world_dir, oracle.world["files"], oracle.start_date)
    q_hat, model = reward_model(oracle, points, events, window, cost, seed, params)

    logged = points.filter(pl.col("day") >= window.eval_start)
    if logged["censored"].any():
        raise AssertionError("censored decision points in the evaluation window")
    ids, days = logged["customer_id"], logged["day"]
    logging_dist = oracle.policy.probabilities(oracle.consent(ids, days))
    truth = oracle.reward_matrix(ids, days, costs, fatigue=oracle.logged_fatigue(ids, days))
    allowed = logging_dist > 0
    message = allowed[:, 1:]
    model["corr_with_truth"] = float(np.corrcoef(q_hat[:, 1:][message], truth[:, 1:][message])[0, 1])
    model["mean_q_hat"] = float(q_hat[:, 1:][message].mean())
    model["mean_true_q"] = float(truth[:, 1:][message].mean())
    feedback = LoggedFeedback(action=oracle.action_index(logged["action_id"]),
                              reward=logged["reward"].to_numpy(), pscore=logged["propensity"].to_numpy(),
                              n_actions=len(oracle.bank), logging_dist=logging_dist,
                              groups=logged["user"].to_numpy())
    return SeedData(feedback, logging_dist, q_hat, truth, oracle.action_ids, model,
                    int(logged["user"].n_unique()))


def estimate(data: SeedData, n_boot: int, seed: int) -> list[dict]:
    """Every (target, estimator) record of one world: estimate, truth, error, and the 95 % CI of the
    customer bootstrap (headline) and of the round bootstrap (alongside), each with its coverage."""
    feedback = data.feedback
    policies = target_policies(data.true_rewards, data.model_rewards, data.logging_dist,
                               data.action_ids.index(RULE_ACTION))
    truth = true_values(policies, data.true_rewards)
    paying = feedback.reward > 0
    support = {name: effective_sample_size(importance_weights(feedback, dist)[paying])
               for name, dist in policies.items()}
    rounds = LoggedFeedback(feedback.action, feedback.reward, feedback.pscore, feedback.n_actions,
                            feedback.logging_dist)
    boot = Bootstrap(n_boot=n_boot, seed=seed)
    runs = []
    for fb in (feedback, rounds):
        results = evaluate(fb, policies, data.model_rewards, default_estimators(), boot)
        oracle_q = evaluate(fb, policies, data.true_rewards, [DR()], boot)
        results += [replace(r, estimator=TRUE_Q) for r in oracle_q]
        runs.append(results)
    out = []
    for result, by_round in zip(*runs):
        value, true = result.value, truth[result.policy]
        out.append({
            "seed": seed, "target": result.policy, "estimator": result.estimator, "value": value,
            "truth": true, "rel_error": abs(value - true) / abs(true),
            "signed_rel_error": (value - true) / abs(true),
            "ci": [result.ci_low, result.ci_high], "covered": bool(result.ci_low <= true <= result.ci_high),
            "ci_rounds": [by_round.ci_low, by_round.ci_high],
            "covered_rounds": bool(by_round.ci_low <= true <= by_round.ci_high),
            "ess": result.ess, "max_weight": result.max_weight, "support": support[result.policy]})
    return out


# --- summary -------------------------------------------------------------------------------------
def summarise(records: list[dict], key: str = "covered") -> dict[str, dict[str, dict[str, float]]]:
    """Per estimator: per target (and ``all``, the on-policy check left out) the median relative error,
    the CI coverage (share of ``key`` true), mean ESS and mean largest weight over seeds."""
    out: dict[str, dict[str, dict[str, float]]] = {}
    estimators = list(dict.fromkeys(r["estimator"] for r in records))
    targets = list(dict.fromkeys(r["target"] for r in records))
    for est in estimators:
        out[est] = {}
        for target in [*targets, "all"]:
            rows = [r for r in records if r["estimator"] == est
                    and (r["target"] == target or (target == "all" and r["target"] != ON_POLICY))]
            if not rows:
                continue
            out[est][target] = {
                "rel_error_median": float(np.median([r["rel_error"] for r in rows])),
                "signed_rel_error_mean": float(np.mean([r["signed_rel_error"] for r in rows])),
                "ci_coverage": float(np.mean([r[key] for r in rows])),
                "ess_mean": float(np.mean([r["ess"] for r in rows])),
                "max_weight_mean": float(np.mean([r["max_weight"] for r in rows])),
                "support_mean": float(np.mean([r["support"] for r in rows])),
                "n_seeds": len({r["seed"] for r in rows})}
    return out


def table(summary: dict, by_round: dict) -> str:
    """Plain-text table, one line per estimator x target."""
    head = (f"{'estimator':<17} {'target':<13} {'med rel err':>11} {'mean bias':>9} {'coverage':>8} "
            f"{'cov rounds':>10} {'mean ESS':>9} {'max w':>6} {'support':>7}")
    lines = [head, "-" * len(head)]
    for est, by_target in summary.items():
        for target, row in by_target.items():
            lines.append(f"{est:<17} {target:<13} {row['rel_error_median']:>11.3f} "
                         f"{row['signed_rel_error_mean']:>+9.3f} {row['ci_coverage']:>8.2f} "
                         f"{by_round[est][target]['ci_coverage']:>10.2f} {row['ess_mean']:>9.0f} "
                         f"{row['max_weight_mean']:>6.1f} {row['support_mean']:>7.1f}")
    return "\n".join(lines)


def plot(records: list[dict], summary: dict, path: Path, title: str) -> None:
    """Relative error per estimator (a box per target, log scale) and CI coverage."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    estimators = list(summary)
    targets = [t for t in dict.fromkeys(r["target"] for r in records)]
    width = 0.8 / len(targets)
    colours = plt.get_cmap("tab10").colors
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(14, 9), sharex=True)
    for j, target in enumerate(targets):
        pos = np.arange(len(estimators)) - 0.4 + width * (j + 0.5)
        data = [[max(r["rel_error"], 1e-5) for r in records if r["estimator"] == e and r["target"] == target]
                for e in estimators]
        box = top.boxplot(data, positions=pos, widths=width * 0.9, patch_artist=True, showfliers=True,
                          flierprops={"markersize": 2})
        for patch in box["boxes"]:
            patch.set_facecolor(colours[j % 10])
        bottom.bar(pos, [summary[e][target]["ci_coverage"] for e in estimators], width * 0.9,
                   color=colours[j % 10], label=target)
    top.set_yscale("log")
    top.axhline(DR_TARGET["rel_error_median"], color="k", ls="--", lw=1)
    top.set_ylabel("relative error |est - truth| / |truth|\n(dashed: issue target for DR, 0.10)")
    top.set_title(title)
    bottom.axhline(0.95, color="k", ls=":", lw=1)
    bottom.axhline(DR_TARGET["ci_coverage"], color="k", ls="--", lw=1)
    bottom.set_ylim(0, 1.22)
    bottom.set_yticks(np.linspace(0, 1, 6))
    bottom.set_ylabel("95% CI coverage over seeds\n(dashed: issue target 0.85; dotted: 0.95)")
    bottom.set_xticks(np.arange(len(estimators)), estimators, rotation=20)
    bottom.legend(ncol=len(targets), fontsize=8, loc="upper center")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


# --- main ----------------------------------------------------------------------------------------
def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="examples:\n  .venv/bin/python bench/ope_sim.py                 # the full bench\n"
               "  .venv/bin/python bench/ope_sim.py --quick         # smoke check\n"
               "  .venv/bin/python bench/ope_sim.py --seeds 20 --users 5000 --out /tmp/ope_sim_5k.json")
    parser.add_argument("--seeds", type=int, default=20,
                        help="number of worlds: seeds first-seed, first-seed + 1, ... (default 20)")
    parser.add_argument("--first-seed", type=int, default=1)
    parser.add_argument("--users", type=int, default=20_000, help="users per world (default 20,000)")
    parser.add_argument("--days", type=int, default=40, help="simulated days per world (default 40)")
    parser.add_argument("--eval-days", type=int, default=14,
                        help="evaluation window: the last N complete days (default 14; the last "
                             "simulated day is left out: its responses after midnight are censored)")
    parser.add_argument("--items", type=int, default=300, help="catalogue size")
    parser.add_argument("--n-boot", type=int, default=200, help="bootstrap resamples per world")
    parser.add_argument("--quick", action="store_true",
                        help="smoke check (< 2 min): 3 seeds x 3,000 users x 30 days, 10 eval days, 50 "
                             "resamples; writes ope_sim.quick.json/png, never the full results")
    parser.add_argument("--work-dir", default=None, help="where worlds are simulated (temporary, removed)")
    parser.add_argument("--out", default=None, help="JSON path (default bench/results/ope_sim[.quick].json); "
                                                    "the plot goes next to it as .png")
    args = parser.parse_args(argv)
    if args.quick:
        args.seeds, args.users, args.days, args.eval_days, args.n_boot = 3, 3000, 30, 10, 50
    if args.seeds < 1 or args.users < 100 or args.n_boot < 10:
        parser.error("need --seeds >= 1, --users >= 100 and --n-boot >= 10")
    try:
        Window.of(args.days, args.eval_days)
    except ValueError as err:
        parser.error(str(err))
    return args


def run_seed(seed: int, args: argparse.Namespace, params: RewardModelParams) -> tuple[list[dict], dict]:
    """Simulate one world (in a temporary directory), evaluate every target; (records, seed summary)."""
    from tailor.simulator.world import simulate

    window = Window.of(args.days, args.eval_days)
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix=f"ope_sim_{seed}_", dir=args.work_dir) as tmp:
        simulate(users=args.users, days=args.days, seed=seed, out_dir=tmp, items=args.items,
                 progress=False)
        t1 = time.perf_counter()
        data = load_seed(Path(tmp), seed, window, params)
    t2 = time.perf_counter()
    rows = estimate(data, args.n_boot, seed)
    seconds = {"simulate": round(t1 - t0, 1), "oracle_features_model": round(t2 - t1, 1),
               "estimate": round(time.perf_counter() - t2, 1)}
    dr = {r["target"]: r for r in rows if r["estimator"] == "dr"}
    estimates: dict[str, dict[str, dict]] = {}
    for r in rows:
        estimates.setdefault(r["estimator"], {})[r["target"]] = {
            k: r[k] for k in ("value", "ci", "ci_rounds", "rel_error", "covered", "covered_rounds")}
    summary = {"seed": seed, "n_rounds": data.feedback.n_rounds, "n_customers": data.n_customers,
               "truth": {t: r["truth"] for t, r in dr.items()},
               "weights": {t: {"ess": r["ess"], "max_weight": r["max_weight"], "support": r["support"]}
                           for t, r in dr.items()},
               "estimates": estimates, "reward_model": data.model, "seconds": seconds}
    print(f"seed {seed}: {data.feedback.n_rounds:,} rounds, {data.n_customers:,} customers, q̂ corr "
          f"{data.model['corr_with_truth']:.2f}; DR rel err "
          + ", ".join(f"{t} {r['rel_error']:.3f}{'' if r['covered'] else ' (CI misses)'}"
                      for t, r in dr.items())
          + f" ({sum(seconds.values()):.0f} s)", file=sys.stderr, flush=True)
    return rows, summary


def report(records: list[dict], per_seed: list[dict], args: argparse.Namespace, seconds: float) -> dict:
    """Print the table and the target check; the result object (also written as JSON, with the plot)."""
    window = Window.of(args.days, args.eval_days)
    summary, by_round = summarise(records), summarise(records, "covered_rounds")
    print(table(summary, by_round))
    dr_all = summary[DR_TARGET["estimator"]]["all"]
    met = (dr_all["rel_error_median"] <= DR_TARGET["rel_error_median"]
           and dr_all["ci_coverage"] >= DR_TARGET["ci_coverage"])
    print(f"\nissue 11 target, DR over all targets: median relative error {dr_all['rel_error_median']:.3f} "
          f"(<= {DR_TARGET['rel_error_median']}), CI coverage {dr_all['ci_coverage']:.2f} "
          f"(>= {DR_TARGET['ci_coverage']}): {'met' if met else 'NOT met'}")
    out = Path(args.out) if args.out else RESULTS / ("ope_sim.quick.json" if args.quick else "ope_sim.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    png = out.with_suffix(".png")
    seeds = [s["seed"] for s in per_seed]
    plot(records, summary, png, f"Tailor OPE on the simulator: {len(seeds)} seeds x {args.users:,} users x "
                               f"{args.days} days, last {args.eval_days} complete days evaluated")

    def pick(table: dict, key: str) -> dict:
        return {est: {target: row[key] for target, row in rows.items()} for est, rows in table.items()}

    result = {
        "bench": "ope_sim",
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "seeds": seeds,
        "world": {"users": args.users, "days": args.days, "eval_days": args.eval_days, "items": args.items,
                  "train_days": [window.train_start, window.eval_start],
                  "eval_days_range": [window.eval_start, window.eval_end]},
        "n_boot": args.n_boot, "bootstrap_unit": "customer (ope_ci_coverage); round (ope_ci_coverage_rounds)",
        "targets": {"oracle-greedy": "the oracle's best allowed action",
                    "oracle-eps": f"{1 - EPSILON:g} x oracle-greedy + {EPSILON:g} x uniform over allowed",
                    "rule": f"{RULE_ACTION} when allowed, else no_message",
                    "model-greedy": "the best allowed action under the bench's reward model",
                    ON_POLICY: "the logging policy itself (on-policy check; not in 'all')"},
        "ope_rel_error_median": pick(summary, "rel_error_median"),
        "ope_ci_coverage": pick(summary, "ci_coverage"),
        "ope_ci_coverage_rounds": pick(by_round, "ci_coverage"),
        "ope_signed_rel_error_mean": pick(summary, "signed_rel_error_mean"),
        "ess_mean": {t: row["ess_mean"] for t, row in summary["dr"].items()},
        "max_weight_mean": {t: row["max_weight_mean"] for t, row in summary["dr"].items()},
        "support_mean": {t: row["support_mean"] for t, row in summary["dr"].items()},
        "dr_target": {**DR_TARGET, "met": met},
        "per_seed": per_seed,
        "plot": str(png.relative_to(HERE.parent) if png.is_relative_to(HERE.parent) else png),
        "seconds": round(seconds, 1),
    }
    out.write_text(json.dumps(result, indent=1) + "\n")
    return result


def main(argv: list[str] | None = None) -> dict:
    args = parse_args(argv)
    params = RewardModelParams()
    began = time.perf_counter()
    records, per_seed = [], []
    for seed in range(args.first_seed, args.first_seed + args.seeds):
        rows, summary = run_seed(seed, args, params)
        records += rows
        per_seed.append(summary)
    result = report(records, per_seed, args, time.perf_counter() - began)
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main()
