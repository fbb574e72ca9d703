"""obp's side of bench/ope_obd.py. Runs inside bench/.venvs/obp (obp 0.5.7), never in the project venv.

For one campaign and one direction (the logs of ``--logs``, the value of ``--target``, the other logging
policy): loads the Open Bandit Dataset sample shipped in obp's package data, computes the target's action
distribution, fits one cross-fitted reward model, draws the bootstrap indices, runs obp's estimators on
the full sample and on every resample, and writes everything Tailor's side needs to one ``.npz``.

Position: OBD rounds are (user, position) impressions with 3 positions. obp's estimators take the 3-d
``action_dist`` (n, A, 3) and the logged ``position`` and use the slice at each round's position; Tailor
gets exactly that slice, ``action_dist[i, :, position_i]`` (n, A), and likewise for the reward model:
position is part of the context on both sides.
"""
from __future__ import annotations

import argparse
import json
import logging
import time

import numpy as np
from obp.dataset import OpenBanditDataset
from obp.ope import (
    DirectMethod,
    DoublyRobust,
    DoublyRobustWithShrinkage,
    InverseProbabilityWeighting,
    RegressionModel,
    SelfNormalizedDoublyRobust,
    SelfNormalizedInverseProbabilityWeighting,
    SwitchDoublyRobust,
)
from obp.policy import BernoulliTS, Random
from obp.version import __version__ as obp_version
from sklearn.linear_model import LogisticRegression


def obp_estimators(tau: float, clip: float, lam: float) -> dict:
    """obp's estimators under the names of their Tailor counterparts (same definitions)."""
    return {
        "ips": InverseProbabilityWeighting(),
        "snips": SelfNormalizedInverseProbabilityWeighting(),
        "dm": DirectMethod(),
        "dr": DoublyRobust(),
        "sndr": SelfNormalizedDoublyRobust(),
        f"switch-dr(tau={tau:g})": SwitchDoublyRobust(lambda_=tau),
        f"dr(clip={clip:g})": DoublyRobust(lambda_=clip, estimator_name="dr-clip"),
        f"dr-os(lam={lam:g})": DoublyRobustWithShrinkage(lambda_=lam),
    }


def target_action_dist(target: str, campaign: str, n_actions: int, len_list: int, n_sim: int,
                       seed: int) -> np.ndarray:
    """(1, A, len_list): uniform for ``random``; for ``bts`` obp's Monte Carlo estimate of ZOZOTOWN's
    production Bernoulli TS (its production prior), as in obp's examples/obd."""
    kwargs = dict(n_actions=n_actions, len_list=len_list, random_state=seed)
    if target == "bts":
        policy = BernoulliTS(is_zozotown_prior=True, campaign=campaign, **kwargs)
        return policy.compute_batch_action_dist(n_rounds=1, n_sim=n_sim)
    return Random(**kwargs).compute_batch_action_dist(n_rounds=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    add = parser.add_argument
    add("--campaign", choices=["all", "men", "women"], required=True)
    add("--logs", choices=["bts", "random"], required=True, help="logging policy whose logs are used")
    add("--out", required=True, help="the .npz file to write")
    add("--n-boot", type=int, default=200)
    add("--seed", type=int, default=12345)
    add("--n-sim", type=int, default=100_000, help="Monte Carlo draws for Bernoulli TS's action_dist")
    add("--n-folds", type=int, default=3, help="cross-fitting folds of the reward model")
    add("--tau", type=float, required=True)
    add("--clip", type=float, required=True)
    add("--lam", type=float, required=True)
    args = parser.parse_args()
    target = "random" if args.logs == "bts" else "bts"
    started = time.time()
    logging.getLogger("obp").setLevel(logging.WARNING)  # "downloads the small-sized version" (it ships it)

    obd = OpenBanditDataset(behavior_policy=args.logs, campaign=args.campaign)
    fb = obd.obtain_batch_bandit_feedback()
    n, n_actions, len_list = fb["n_rounds"], obd.n_actions, obd.len_list
    dist_1 = target_action_dist(target, args.campaign, n_actions, len_list, args.n_sim, args.seed)
    action_dist = np.repeat(dist_1, n, axis=0)
    truth = OpenBanditDataset.calc_on_policy_policy_value_estimate(behavior_policy=target,
                                                                   campaign=args.campaign)

    model = RegressionModel(n_actions=n_actions, len_list=len_list, action_context=obd.action_context,
                            base_model=LogisticRegression(C=100, max_iter=10_000, random_state=args.seed))
    q_hat = model.fit_predict(context=fb["context"], action=fb["action"], reward=fb["reward"],
                              position=fb["position"], pscore=fb["pscore"], n_folds=args.n_folds,
                              random_state=args.seed)

    boot_idx = np.random.RandomState(args.seed).randint(0, n, size=(args.n_boot, n))
    estimators = obp_estimators(args.tau, args.clip, args.lam)

    def run(idx: np.ndarray) -> list[float]:
        inputs = dict(reward=fb["reward"][idx], action=fb["action"][idx], position=fb["position"][idx],
                      pscore=fb["pscore"][idx], action_dist=action_dist[idx],
                      estimated_rewards_by_reg_model=q_hat[idx])
        return [float(est.estimate_policy_value(**inputs)) for est in estimators.values()]

    full = run(np.arange(n))
    boots = np.array([run(idx) for idx in boot_idx]).T  # (n_estimators, n_boot)
    at_position = np.arange(n), slice(None), fb["position"]
    np.savez_compressed(
        args.out, action=fb["action"], reward=fb["reward"].astype(float), pscore=fb["pscore"],
        position=fb["position"], n_actions=n_actions,
        action_dist=action_dist[at_position], estimated_rewards=q_hat[at_position], boot_idx=boot_idx,
        truth=truth, estimators=np.array(list(estimators)), obp_full=np.array(full), obp_boot=boots,
        meta=json.dumps(dict(campaign=args.campaign, logs=args.logs, target=target, obp_version=obp_version,
                             n_sim=args.n_sim, n_folds=args.n_folds, seed=args.seed,
                             reward_model="obp RegressionModel(LogisticRegression(C=100)), one per position, "
                                          f"{args.n_folds}-fold cross-fitted on the logs",
                             seconds=round(time.time() - started, 1))))


if __name__ == "__main__":
    main()
