"""SNIPS is invariant to a constant shift of the rewards (value shifts by the constant); IPS is not."""
import numpy as np
import pytest

from tailor.evaluation.ope import IPS, SNIPS, LoggedFeedback


def _shifted(fb: LoggedFeedback, c: float) -> LoggedFeedback:
    return LoggedFeedback(action=fb.action, reward=fb.reward + c, pscore=fb.pscore, n_actions=fb.n_actions)


def test_snips_moves_by_exactly_the_shift(tiny, always_0, half_0_half_1):
    for target in (always_0, half_0_half_1):
        base = SNIPS().estimate(tiny, target)
        assert SNIPS().estimate(_shifted(tiny, 10.0), target) == pytest.approx(base + 10.0)


def test_ips_does_not(tiny, always_0):
    # mean(w) = 3.25/4 != 1, so IPS moves by 10 * 0.8125
    base = IPS().estimate(tiny, always_0)
    assert IPS().estimate(_shifted(tiny, 10.0), always_0) == pytest.approx(base + 10.0 * 3.25 / 4)
    assert not np.isclose(IPS().estimate(_shifted(tiny, 10.0), always_0), base + 10.0)
