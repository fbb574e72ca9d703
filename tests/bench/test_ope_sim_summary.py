"""bench/ope_sim.py summary: median relative error and CI coverage over seeds per estimator x target,
"all" pools the off-policy targets (the on-policy check is left out); the windows leave a training span."""
from __future__ import annotations

import pytest

from bench.ope_sim import ON_POLICY, Window, summarise


def record(seed, target, rel_error, covered, estimator="dr"):
    return {"seed": seed, "target": target, "estimator": estimator, "rel_error": rel_error,
            "signed_rel_error": -rel_error, "covered": covered, "covered_rounds": True,
            "ess": 100.0 * seed, "max_weight": 80.0, "support": 5.0}


RECORDS = [record(1, "rule", 0.1, True), record(2, "rule", 0.3, False), record(3, "rule", 0.2, True),
           record(1, "oracle-greedy", 0.05, True), record(2, "oracle-greedy", 0.07, True),
           record(3, "oracle-greedy", 0.4, True),
           record(1, ON_POLICY, 0.01, False), record(2, ON_POLICY, 0.01, False), record(3, ON_POLICY, 0.01, False)]


def test_per_target_median_and_coverage():
    dr = summarise(RECORDS)["dr"]
    assert dr["rule"]["rel_error_median"] == pytest.approx(0.2)
    assert dr["rule"]["ci_coverage"] == pytest.approx(2 / 3)
    assert dr["oracle-greedy"]["ci_coverage"] == 1.0
    assert dr["rule"]["ess_mean"] == pytest.approx(200.0)
    assert summarise(RECORDS, "covered_rounds")["dr"]["rule"]["ci_coverage"] == 1.0


def test_all_pools_off_policy_targets_only():
    pooled = summarise(RECORDS)["dr"]["all"]
    assert pooled["rel_error_median"] == pytest.approx(0.15)     # median of the six off-policy errors
    assert pooled["ci_coverage"] == pytest.approx(5 / 6)
    assert pooled["n_seeds"] == 3


def test_window_leaves_the_censored_last_day_out():
    window = Window.of(days=40, eval_days=14)
    assert (window.train_start, window.eval_start, window.eval_end) == (7, 25, 39)
    with pytest.raises(ValueError, match="no training window"):
        Window.of(days=20, eval_days=14)
