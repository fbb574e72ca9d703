"""LoggedFeedback and target distributions refuse malformed input with a clear error."""
import numpy as np
import pytest

from tailor.evaluation.ope import IPS, LoggedFeedback, OPEInputError, epsilon_greedy, one_hot, uniform


def _fb(**overrides):
    args = dict(action=[0, 1], reward=[1.0, 0.0], pscore=[0.5, 0.5], n_actions=2)
    args.update(overrides)
    return LoggedFeedback(**args)


@pytest.mark.parametrize("overrides, message", [
    (dict(pscore=[0.0, 0.5]), r"pscore must be in \(0, 1\]"),
    (dict(pscore=[1.5, 0.5]), r"pscore must be in \(0, 1\]"),
    (dict(pscore=[np.nan, 0.5]), "NaN"),
    (dict(reward=[np.nan, 0.0]), "NaN"),
    (dict(action=[0, 2]), r"action values must be in \[0, 2\)"),
    (dict(action=[0.5, 1]), "integer"),
    (dict(action=[0, 1, 1]), "rounds"),
    (dict(n_actions=0), "n_actions"),
    (dict(action=[], reward=[], pscore=[]), "no logged rounds"),
    (dict(logging_dist=[[0.5, 0.5], [0.9, 0.9]]), "sum to 1"),
    (dict(logging_dist=[[0.9, 0.1], [0.5, 0.5]]), "disagrees with pscore"),
    (dict(groups=[1, 2, 3]), "groups"),
])
def test_bad_feedback_is_refused(overrides, message):
    with pytest.raises(OPEInputError, match=message):
        _fb(**overrides)


def test_bad_target_distributions_are_refused():
    fb = _fb()
    for dist, message in (([[0.5, 0.4], [0.5, 0.5]], "sum to 1"), ([[1.0, 0.0]], "shape"),
                          ([[np.nan, 1.0], [0.5, 0.5]], "NaN"), ([[1.5, -0.5], [0.5, 0.5]], r"\[0, 1\]")):
        with pytest.raises(OPEInputError, match=message):
            IPS().estimate(fb, np.array(dist))


def test_policy_helpers():
    assert one_hot([1, 0], 3).tolist() == [[0, 1, 0], [1, 0, 0]]
    assert uniform(2, 4).sum(axis=1).tolist() == [1.0, 1.0]
    assert epsilon_greedy([1], 2, 0.2).tolist() == [[pytest.approx(0.1), pytest.approx(0.9)]]


def test_arrays_are_normalised():
    fb = _fb(groups=["p9", "p1"], n_excluded=3)
    assert fb.action.dtype == np.int64 and fb.reward.dtype == float
    assert fb.groups.tolist() == [1, 0] and fb.n_rounds == 2 and fb.n_excluded == 3
