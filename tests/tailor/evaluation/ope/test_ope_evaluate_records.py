"""evaluate(): one flat record per policy x estimator with ESS, largest weight and counts."""
import numpy as np
import pytest

from tailor.evaluation.ope import (
    DM,
    IPS,
    Bootstrap,
    OPEInputError,
    effective_sample_size,
    evaluate,
    records,
)


def test_records_carry_weight_diagnostics(tiny, q_hat, always_0, half_0_half_1):
    results = evaluate(tiny, {"always_0": always_0, "half": half_0_half_1}, q_hat, [IPS(), DM()],
                       Bootstrap(20, seed=0))
    rows = records(results)
    assert [(r["policy"], r["estimator"]) for r in rows] == [
        ("always_0", "ips"), ("always_0", "dm"), ("half", "ips"), ("half", "dm")]
    first = rows[0]
    assert set(first) == {"policy", "estimator", "value", "ci_low", "ci_high", "ess", "max_weight", "n",
                          "n_excluded", "n_boot", "alpha"}
    # w = [1.25, 0, 0, 2]: ESS = 3.25² / (1.5625 + 4) = 1.8989...
    assert first["ess"] == pytest.approx(3.25 ** 2 / 5.5625) and first["max_weight"] == 2.0
    assert (first["n"], first["n_excluded"], first["n_boot"], first["alpha"]) == (4, 0, 20, 0.05)
    assert rows[2]["max_weight"] == 2.0   # half: w = [0.625, 2, 0, 1]


def test_effective_sample_size_is_n_for_equal_weights():
    assert effective_sample_size(np.full(10, 3.0)) == pytest.approx(10)
    assert effective_sample_size(np.zeros(5)) == 0.0


def test_reward_predictions_per_policy_with_a_default(tiny, q_hat, always_0, half_0_half_1):
    # the mapping's None key is the default; a policy's own key wins
    preds = {None: q_hat, "half": np.zeros((4, 3))}
    rows = evaluate(tiny, {"always_0": always_0, "half": half_0_half_1}, preds, [DM()], Bootstrap(5))
    assert rows[0].value == pytest.approx(1.7 / 4) and rows[1].value == 0.0


def test_empty_or_duplicate_inputs_are_refused(tiny, always_0):
    with pytest.raises(OPEInputError, match="no target policies"):
        evaluate(tiny, {}, estimators=[IPS()])
    with pytest.raises(OPEInputError, match="distinct names"):
        evaluate(tiny, {"p": always_0}, estimators=[IPS(), IPS()])
