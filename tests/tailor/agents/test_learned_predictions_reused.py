"""The train job predicts the held-out days once and reuses the predictions for the
challenger's probabilities: they equal the probabilities the policy computes itself, and the
predictions do not depend on how persons are split into scoring blocks."""
import numpy as np

import tailor.agents.learned as learned
from tailor.agents.learned import LearnedPolicy, LearnedSettings, fit_reward_models
from tailor.agents.policy import allowed_mask

from .conftest import BANK, logged

SETTINGS = LearnedSettings("thompson", epsilon=0.1, unsubscribe_cost=0.5, message_cost=0.05,
                           min_expected_value=0.0)
FEATURES = ["email_response", "preferred_hour", "not_in_the_context"]


def test_probabilities_from_predictions_equal_the_policys_own(logged_rows, monkeypatch):
    models = fit_reward_models(logged_rows, FEATURES, ensemble=3, xgb_params={"n_estimators": 30},
                               seed=2)
    policy = LearnedPolicy(BANK, models, SETTINGS)
    context = logged(200, seed=9)
    allowed = allowed_mask(context["allowed_channels"], BANK)
    predicted = models.predict(context, BANK)
    assert np.array_equal(policy.probabilities_from(predicted, allowed),
                          policy.probabilities(context, allowed))
    monkeypatch.setattr(learned, "PREDICT_ROWS", 7)              # blocks of 1-2 persons
    small = models.predict(context, BANK)
    for a, b in zip(predicted, small):
        assert np.allclose(a, b, rtol=0, atol=1e-7)
