"""A learned policy whose unsubscribe cost is 0 (the default) never reads P(unsubscribe), so it
does not predict it (one model in 12 of decide's predictions): its probabilities and values are
exactly those of the full prediction; with a cost, the unsubscribe model is used."""
from dataclasses import replace

import numpy as np
import pytest

from tailor.agents.learned import LearnedPolicy, LearnedSettings, fit_reward_models
from tailor.agents.policy import allowed_mask

from .conftest import BANK, logged

FEATURES = ["email_response", "preferred_hour"]


def settings(unsubscribe_cost: float) -> LearnedSettings:
    return LearnedSettings("thompson", epsilon=0.1, unsubscribe_cost=unsubscribe_cost,
                           message_cost=0.05, min_expected_value=0.0)


class Refusing:
    """Stands in for the unsubscribe model: any prediction is an error."""

    def predict_proba(self, x):
        raise AssertionError("P(unsubscribe) was predicted")


@pytest.fixture(scope="module")
def models():
    rows = logged(3000, seed=21)
    rows["unsubscribed"] = np.random.default_rng(3).uniform(size=len(rows)) < 0.05
    fitted = fit_reward_models(rows, FEATURES, ensemble=2, xgb_params={"n_estimators": 20}, seed=6)
    assert fitted.unsubscribe is not None
    return fitted


def test_zero_cost_skips_the_unsubscribe_model_and_decides_the_same(models):
    context = logged(200, seed=8)
    allowed = allowed_mask(context["allowed_channels"], BANK)
    full = models.predict(context, BANK, allowed)
    assert full.unsubscribe[:, 1:].any()
    expected = LearnedPolicy(BANK, models, settings(0.0)).scored(full, allowed)

    refusing = replace(models, unsubscribe=Refusing())
    got = LearnedPolicy(BANK, refusing, settings(0.0)).score(context, allowed)
    assert np.array_equal(got.probs, expected.probs)
    assert np.array_equal(got.values, expected.values)
    with pytest.raises(AssertionError, match="was predicted"):
        LearnedPolicy(BANK, refusing, settings(0.5)).score(context, allowed)


def test_predict_without_unsubscribe_leaves_it_zero(models):
    out = models.predict(logged(50, seed=9), BANK, unsubscribe=False)
    assert not out.unsubscribe.any()
    assert out.conversion.any()
