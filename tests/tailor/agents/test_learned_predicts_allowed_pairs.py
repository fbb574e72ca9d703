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


def test_off_policy_estimates_are_the_same_from_allowed_pairs_only(logged_rows):
    """train_policy predicts the held-out contexts' allowed pairs only: every estimator reads
    q̂ through a policy's probabilities (zero outside consent) or at the logged action (inside
    it), so the estimates are the full prediction's, exactly."""
    from tailor.agents.policy import UniformPolicy
    from tailor.evaluation.ope.estimators import default_estimators
    from tailor.evaluation.policy_eval import logged_data, predicted_outcomes

    models = fit_reward_models(logged_rows, FEATURES, ensemble=2, xgb_params={"n_estimators": 20},
                               seed=5)
    rows = logged(600, seed=13)
    rows["allowed_channels"] = [["email", "push"] if i % 3 else ["email"] for i in range(len(rows))]
    data = logged_data(rows, BANK)
    assert data.excluded["consent_mismatch"] > 0 and 0 < data.allowed[:, 1:].mean() < 1
    policy = LearnedPolicy(BANK, models, SETTINGS)
    full = models.predict(data.context, BANK)
    masked = models.predict(data.context, BANK, data.allowed)
    q_full = predicted_outcomes(models, data, BANK, 0.05, full)
    q_masked = predicted_outcomes(models, data, BANK, 0.05, masked)
    for dist in (policy.probabilities_from(full, data.allowed),
                 UniformPolicy(BANK).probabilities(data.context, data.allowed)):
        for estimator in default_estimators():
            for outcome, feedback in data.feedback.items():
                assert (estimator.estimate(feedback, dist, q_full[outcome])
                        == estimator.estimate(feedback, dist, q_masked[outcome])), \
                    (estimator.name, outcome)
