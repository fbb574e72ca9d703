"""bench/ope_sim.py target policies: never any mass on an action consent forbids, greedy over the
allowed actions only, and the truth is sum_a pi(a|x) r(x, a) averaged over the decision points."""
from __future__ import annotations

import numpy as np
import pytest

from bench.ope_sim import ON_POLICY, epsilon_mix, greedy, rule, target_policies, true_values

# 3 decision points x 4 actions (0 = no_message); point 1 may not receive action 2, point 2 only no_message
LOGGING = np.array([[0.4, 0.2, 0.2, 0.2],
                    [0.4, 0.3, 0.0, 0.3],
                    [1.0, 0.0, 0.0, 0.0]])
TRUE = np.array([[0.0, 1.0, 3.0, 2.0],
                 [0.0, 1.0, 9.0, 2.0],     # the forbidden action 2 is the best one
                 [0.0, 5.0, 5.0, 5.0]])
MODEL = np.array([[0.0, 2.0, 1.0, -1.0],
                  [0.0, -1.0, 4.0, -2.0],
                  [0.0, 1.0, 1.0, 1.0]])


def test_greedy_picks_the_best_allowed_action():
    best = greedy(TRUE, LOGGING > 0)
    assert best.argmax(axis=1).tolist() == [2, 3, 0]
    assert greedy(MODEL, LOGGING > 0).argmax(axis=1).tolist() == [1, 0, 0]   # all allowed < 0 -> no_message


def test_epsilon_mix_spreads_only_over_allowed_actions():
    mixed = epsilon_mix(greedy(TRUE, LOGGING > 0), LOGGING > 0, 0.2)
    np.testing.assert_allclose(mixed[0], [0.05, 0.05, 0.85, 0.05])
    np.testing.assert_allclose(mixed[1], [0.2 / 3, 0.2 / 3, 0.0, 0.8 + 0.2 / 3])
    np.testing.assert_allclose(mixed[2], [1.0, 0.0, 0.0, 0.0])


def test_rule_falls_back_to_no_message():
    assert rule(2, LOGGING > 0).argmax(axis=1).tolist() == [2, 0, 0]


def test_no_target_puts_mass_where_logging_cannot_go():
    policies = target_policies(TRUE, MODEL, LOGGING, rule_action=2)
    assert set(policies) == {"oracle-greedy", "oracle-eps", "rule", "model-greedy", ON_POLICY}
    for name, dist in policies.items():
        np.testing.assert_allclose(dist.sum(axis=1), 1.0, err_msg=name)
        assert not (dist[LOGGING == 0] > 0).any(), name


def test_true_value_is_the_mean_expected_reward():
    policies = target_policies(TRUE, MODEL, LOGGING, rule_action=2)
    values = true_values(policies, TRUE)
    assert values["oracle-greedy"] == pytest.approx((3.0 + 2.0 + 0.0) / 3)
    assert values["rule"] == pytest.approx(3.0 / 3)
    assert values["model-greedy"] == pytest.approx(1.0 / 3)
    assert values[ON_POLICY] == pytest.approx((0.2 * 6 + 0.3 * 3) / 3)
