"""The learned policy predicts only the (person, action) pairs consent allows: those predictions
equal a full prediction's, the others stay 0, and the policy's probabilities are the same as
when every pair is predicted — including persons with no consented channel at all."""
import numpy as np

from tailor.agents.learned import LearnedPolicy, LearnedSettings, fit_reward_models
from tailor.agents.policy import allowed_mask

from .conftest import BANK, logged

SETTINGS = LearnedSettings("thompson", epsilon=0.1, unsubscribe_cost=0.5, message_cost=0.05,
                           min_expected_value=0.0)
FEATURES = ["email_response", "preferred_hour"]


def test_only_allowed_pairs_are_predicted_and_they_equal_the_full_prediction(logged_rows):
    models = fit_reward_models(logged_rows, FEATURES, ensemble=3, xgb_params={"n_estimators": 30},
                               seed=4)
    context = logged(300, seed=11)
    choices = [["email", "push"], ["email"], ["push"], []]
    context["allowed_channels"] = [choices[i % len(choices)] for i in range(len(context))]
    allowed = allowed_mask(context["allowed_channels"], BANK)
    assert 0 < allowed[:, 1:].mean() < 1

    full = models.predict(context, BANK)
    masked = models.predict(context, BANK, allowed)
    message = np.zeros_like(allowed)
    message[:, 1:] = True
    for a, b in zip(full, masked):
        kept = np.broadcast_to(allowed & message, b.shape)
        assert np.array_equal(a[kept], b[kept])           # same numbers where predicted
        assert not b[~kept & np.broadcast_to(message, b.shape)].any()   # zero elsewhere
    assert full.conversion[:, allowed[:, 1:].sum(axis=1) > 0].any()

    policy = LearnedPolicy(BANK, models, SETTINGS)
    probs = policy.probabilities(context, allowed)
    assert np.array_equal(probs, policy.probabilities_from(full, allowed))
    nobody = allowed[:, 1:].sum(axis=1) == 0
    assert nobody.any() and np.array_equal(probs[nobody, 0], np.ones(nobody.sum()))
