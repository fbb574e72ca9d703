"""Off-policy evaluation (OPE): the value of a target policy estimated from another policy's logs.

Pure numpy; no Spark, no pandas. Usage::

    from tailor.evaluation.ope import LoggedFeedback, evaluate, compare, one_hot, DR, Bootstrap

    fb = LoggedFeedback(action=a, reward=r, pscore=p, n_actions=A)          # (n,) each
    results = evaluate(fb, {"champion": pi_champ, "challenger": pi_chall},  # (n, A) each
                       estimated_rewards=q_hat,                             # (n, A) reward-model predictions
                       bootstrap=Bootstrap(n_boot=200, seed=0))
    [r.as_dict() for r in results]   # policy, estimator, value, ci_low, ci_high, ess, max_weight, n, ...
    gate = compare(fb, ("challenger", pi_chall), ("champion", pi_champ), q_hat, [DR()])[0]
    promote = gate.ci_low > 0

Modules: ``data`` (feedback, target policies, weights, support check), ``estimators`` (IPS, SNIPS, DM,
DR, SNDR, switch-DR, clipped DR, DRos), ``bootstrap`` (shared resamples), ``evaluate`` (the front door).
Validated against Open Bandit Pipeline on the Open Bandit Dataset by ``bench/ope_obd.py``.
"""
from tailor.evaluation.ope.bootstrap import Bootstrap
from tailor.evaluation.ope.data import (
    LoggedFeedback,
    OPEInputError,
    UnsupportedActionsError,
    check_support,
    effective_sample_size,
    epsilon_greedy,
    importance_weights,
    one_hot,
    uniform,
)
from tailor.evaluation.ope.estimators import (
    DM,
    DR,
    IPS,
    SNDR,
    SNIPS,
    DRos,
    Estimator,
    SwitchDR,
    Terms,
    default_estimators,
)
from tailor.evaluation.ope.evaluate import (
    OPEComparison,
    OPEResult,
    bootstrap_values,
    compare,
    evaluate,
    records,
)

__all__ = [
    "Bootstrap", "LoggedFeedback", "OPEInputError", "UnsupportedActionsError", "check_support",
    "effective_sample_size", "epsilon_greedy", "importance_weights", "one_hot", "uniform",
    "DM", "DR", "IPS", "SNDR", "SNIPS", "DRos", "Estimator", "SwitchDR", "Terms", "default_estimators",
    "OPEComparison", "OPEResult", "bootstrap_values", "compare", "evaluate", "records",
]
