"""Bootstrap CIs: contain the estimate, shrink with n, are reproducible, and re-estimate per resample."""
import numpy as np
import pytest

from tailor.evaluation.ope import (
    DR,
    IPS,
    SNDR,
    SNIPS,
    Bootstrap,
    LoggedFeedback,
    bootstrap_values,
    evaluate,
    one_hot,
)


def _target(n: int) -> np.ndarray:
    return one_hot(np.full(n, 3), 4)


def test_ci_contains_the_estimate_and_shrinks_with_n(simulated):
    widths = {}
    for n in (500, 8000):
        fb, q = simulated(n, seed=1)
        results = evaluate(fb, {"best": _target(n)}, q, [IPS(), SNIPS(), DR(), SNDR()], Bootstrap(200, seed=3))
        for r in results:
            assert r.ci_low <= r.value <= r.ci_high, r
            widths[n, r.estimator] = r.ci_high - r.ci_low
    for est in ("ips", "snips", "dr", "sndr"):
        # 16x the rounds: about 1/4 of the width
        assert widths[8000, est] < widths[500, est] / 2.5, est


def test_same_seed_same_interval_other_seed_other_interval(simulated):
    fb, q = simulated(300, seed=2)
    run = lambda seed: evaluate(fb, {"best": _target(300)}, q, [DR()], Bootstrap(50, seed=seed))[0]  # noqa: E731
    assert run(7) == run(7)
    assert (run(7).ci_low, run(7).ci_high) != (run(8).ci_low, run(8).ci_high)
    # chunking never changes the resamples
    a = evaluate(fb, {"best": _target(300)}, q, [DR()], Bootstrap(50, seed=7, chunk=3))[0]
    assert (a.ci_low, a.ci_high) == (run(7).ci_low, run(7).ci_high)


def test_self_normalised_estimators_are_renormalised_on_each_resample(tiny, always_0):
    # one explicit resample: rows [0, 0, 1, 3] -> w = [1.25, 1.25, 0, 2], r = [1, 1, 0, 0]
    # SNIPS on it = 2.5 / 4.5 (a fixed full-sample normaliser would give (2.5/4) / (3.25/4) instead)
    boot = Bootstrap(indices=np.array([[0, 0, 1, 3]]))
    result = evaluate(tiny, {"always_0": always_0}, estimators=[SNIPS()], bootstrap=boot)[0]
    assert result.ci_low == pytest.approx(2.5 / 4.5) and result.ci_high == pytest.approx(2.5 / 4.5)
    rows = [0, 0, 1, 3]
    direct = LoggedFeedback(tiny.action[rows], tiny.reward[rows], tiny.pscore[rows], 3)
    assert SNIPS().estimate(direct, always_0[rows]) == pytest.approx(2.5 / 4.5)


def test_groups_are_resampled_whole():
    # two persons; each resample holds person 0's three rounds 0, 3 or 6 times
    fb = LoggedFeedback(action=[0, 0, 0, 1], reward=[1.0, 1.0, 1.0, 0.0], pscore=[0.5] * 4, n_actions=2,
                        groups=["a", "a", "a", "b"])
    counts = np.concatenate(list(Bootstrap(100, seed=0).counts(4, fb.groups)))
    assert set(np.unique(counts[:, 0])) <= {0.0, 1.0, 2.0}
    assert (counts[:, 0] == counts[:, 1]).all() and (counts[:, 1] == counts[:, 2]).all()
    assert (counts.sum(axis=1) > 0).all()


def test_bootstrap_values_are_the_draws_behind_the_interval(simulated):
    fb, q = simulated(400, seed=6)
    policies, boot = {"best": _target(400)}, Bootstrap(100, seed=4)
    draws = bootstrap_values(fb, policies, q, [SNDR()], boot)["best", "sndr"]
    result = evaluate(fb, policies, q, [SNDR()], boot)[0]
    assert draws.shape == (100,)
    assert (result.ci_low, result.ci_high) == tuple(np.quantile(draws, [0.025, 0.975]))
