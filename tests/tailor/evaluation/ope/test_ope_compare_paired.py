"""Paired comparison V(a) - V(b): same resamples for both policies, exact 0 for a policy against itself."""
import numpy as np
import pytest

from tailor.evaluation.ope import (
    DR,
    SNIPS,
    Bootstrap,
    OPEInputError,
    compare,
    default_estimators,
    evaluate,
    one_hot,
)


def test_a_policy_against_itself_is_exactly_zero(simulated):
    fb, q = simulated(400, seed=4)
    best = one_hot(np.full(400, 3), 4)
    for row in compare(fb, ("best", best), ("best", best), q, default_estimators(), Bootstrap(100, seed=1)):
        assert (row.value, row.ci_low, row.ci_high) == (0.0, 0.0, 0.0), row


def test_difference_matches_the_two_estimates_and_finds_a_real_gap(simulated):
    fb, q = simulated(3000, seed=5)
    good, worse = one_hot(np.full(3000, 3), 4), one_hot(np.full(3000, 2), 4)
    boot = Bootstrap(200, seed=2)
    diff = compare(fb, ("good", good), ("worse", worse), q, [DR(), SNIPS()], boot)
    single = {(r.policy, r.estimator): r for r in evaluate(fb, {"good": good, "worse": worse}, q,
                                                             [DR(), SNIPS()], boot)}
    for row in diff:
        a, b = single["good", row.estimator], single["worse", row.estimator]
        assert row.value == pytest.approx(a.value - b.value)
        assert (row.value_a, row.value_b) == (pytest.approx(a.value), pytest.approx(b.value))
        # true gap 0.1 with 3000 rounds: the gate would promote
        assert row.ci_low > 0


def test_two_different_policies_with_one_name_are_refused(simulated):
    fb, q = simulated(10, seed=0)
    with pytest.raises(OPEInputError, match="both named"):
        compare(fb, ("p", one_hot(np.zeros(10, int), 4)), ("p", one_hot(np.ones(10, int), 4)), q, [DR()])
