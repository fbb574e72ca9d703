"""A registered policy is reproducible from MLflow: loading it back gives the same probabilities,
through Tailor and through the generic pyfunc interface."""
import mlflow
import numpy as np

from tailor.agents.learned import LearnedPolicy, LearnedSettings, fit_reward_models
from tailor.agents.policy import allowed_mask
from tailor.agents.registry import load_policy, log_policy
from tailor.models.registry import CHALLENGER, registered_name

from .conftest import BANK, logged

SETTINGS = LearnedSettings("thompson", 0.1, 0.0, 0.05, 0.0)


def test_logged_policy_loads_back_identical(cfg, logged_rows):
    features = ["email_response", "preferred_hour"]
    policy = LearnedPolicy(BANK, fit_reward_models(logged_rows, features, 2, {"n_estimators": 20}, 3),
                           SETTINGS)
    context = logged(60, seed=9)
    registered = log_policy(policy, cfg, promoted=False, reason="test", params={"p": 1},
                            metrics={"m": 1.0}, data_versions={"training.policy": 0},
                            evaluation={}, sample=context[features + ["allowed_channels"]])
    loaded = load_policy(cfg, CHALLENGER, BANK)
    assert loaded is not None and loaded.version == registered.version
    allowed = allowed_mask(context["allowed_channels"], BANK)
    expected = policy.probabilities(context, allowed)
    assert np.array_equal(loaded.probabilities(context, allowed), expected)
    pyfunc = mlflow.pyfunc.load_model(f"models:/{registered_name('policy', cfg)}/{registered.version}")
    assert np.allclose(pyfunc.predict(context[features + ["allowed_channels"]]).to_numpy(), expected)
