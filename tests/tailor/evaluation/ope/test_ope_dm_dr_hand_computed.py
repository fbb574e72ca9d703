"""DM and DR on the hand-computed example (arithmetic in conftest.py)."""
import numpy as np
import pytest

from tailor.evaluation.ope import DM, DR, IPS, LoggedFeedback, OPEInputError


def test_dm(tiny, q_hat, always_0, half_0_half_1):
    # mean q̂(x, π): 1.7 / 4 and 1.25 / 4
    assert DM().estimate(tiny, always_0, q_hat) == pytest.approx(1.7 / 4)
    assert DM().estimate(tiny, half_0_half_1, q_hat) == pytest.approx(1.25 / 4)


def test_dr_deterministic(tiny, q_hat, always_0):
    # w * residual = [1.25*0.4, 0, 0, 2*(-0.2)] = [0.5, 0, 0, -0.4]; (1.7 + 0.1) / 4
    assert DR().estimate(tiny, always_0, q_hat) == pytest.approx(1.8 / 4)


def test_dr_stochastic(tiny, q_hat, half_0_half_1):
    # w = [0.625, 2, 0, 1]; w * residual = [0.25, -0.2, 0, -0.2] (sum -0.15); (1.25 - 0.15) / 4
    assert DR().estimate(tiny, half_0_half_1, q_hat) == pytest.approx(1.1 / 4)


def test_dr_equals_dm_when_no_logged_action_has_weight(tiny, q_hat):
    # a target that never plays the logged action of a round: every weight is 0, only q̂ remains
    target = np.array([[0, 1, 0], [1, 0, 0], [1, 0, 0], [0, 0, 1]], dtype=float)
    assert (target[np.arange(4), tiny.action] == 0).all()
    assert DR().estimate(tiny, target, q_hat) == pytest.approx(DM().estimate(tiny, target, q_hat))


def test_dr_equals_ips_when_the_reward_model_predicts_zero(tiny, always_0, half_0_half_1):
    zeros = np.zeros((4, 3))
    for target in (always_0, half_0_half_1):
        assert DR().estimate(tiny, target, zeros) == pytest.approx(IPS().estimate(tiny, target))


def test_dr_is_exact_with_a_perfect_reward_model_on_a_deterministic_world():
    # rewards equal q̂ exactly -> every residual is 0 -> DR = DM = the truth, whatever the weights
    q = np.array([[0.0, 1.0], [1.0, 0.0], [0.0, 1.0]])
    fb = LoggedFeedback(action=[0, 0, 1], reward=[0.0, 1.0, 1.0], pscore=[0.9, 0.9, 0.1], n_actions=2)
    best = np.array([[0, 1], [1, 0], [0, 1]], dtype=float)
    assert DR().estimate(fb, best, q) == pytest.approx(1.0)


def test_model_based_estimators_need_predictions(tiny, always_0):
    with pytest.raises(OPEInputError, match="estimated_rewards"):
        DR().estimate(tiny, always_0)
    with pytest.raises(OPEInputError, match="shape"):
        DM().estimate(tiny, always_0, np.zeros((4, 2)))
