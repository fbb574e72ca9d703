"""A target policy with mass on actions the logs cannot support is refused, with rounds and actions."""
import numpy as np
import pytest

from tailor.evaluation.ope import (
    DM,
    IPS,
    LoggedFeedback,
    UnsupportedActionsError,
    evaluate,
    one_hot,
    uniform,
)


def test_with_logging_dist_target_mass_where_logging_probability_is_zero():
    # the logger never plays action 2 in rounds 0 and 1 (probability 0 there)
    logging = np.array([[0.5, 0.5, 0.0], [0.5, 0.5, 0.0], [0.2, 0.3, 0.5]])
    fb = LoggedFeedback(action=[0, 1, 2], reward=[1.0, 0.0, 1.0], pscore=[0.5, 0.5, 0.5], n_actions=3,
                        logging_dist=logging)
    with pytest.raises(UnsupportedActionsError) as info:
        IPS().estimate(fb, one_hot([2, 2, 2], 3))
    err = info.value
    assert (err.n_rounds, err.n_total, err.actions, err.basis) == (2, 3, [2], "logging_dist")
    assert err.mass == pytest.approx(2 / 3)
    assert "2 of 3 rounds" in str(err) and "actions [2]" in str(err)
    # supported targets pass, including a stochastic one with mass only where logging has it
    assert IPS().estimate(fb, one_hot([0, 1, 2], 3)) == pytest.approx((2 + 0 + 2) / 3)


def test_without_logging_dist_actions_never_logged_are_refused():
    fb = LoggedFeedback(action=[0, 1, 0, 1], reward=[1.0, 0.0, 1.0, 0.0], pscore=[0.4] * 4, n_actions=3)
    with pytest.raises(UnsupportedActionsError) as info:
        evaluate(fb, {"uniform": uniform(4, 3)}, np.zeros((4, 3)), [DM()])
    assert info.value.actions == [2] and info.value.n_rounds == 4 and info.value.basis == "logged_actions"
    assert "'uniform'" in str(info.value)


def test_without_logging_dist_a_context_level_gap_is_not_detected():
    # documented limit: action 1 is logged (round 1), so a target using it in round 0 passes the check
    fb = LoggedFeedback(action=[0, 1], reward=[1.0, 0.0], pscore=[1.0, 1.0], n_actions=2)
    assert IPS().estimate(fb, one_hot([1, 1], 2)) == pytest.approx(0.0)
