"""Every OPE estimator's name becomes a metric name MLflow accepts (switch-dr(tau=20) made the
train_policy task fail in the DAG), and distinct names stay distinct."""
from mlflow.utils.validation import _validate_metric_name

from tailor.agents.registry import metric_key
from tailor.evaluation.ope import default_estimators


def test_every_estimator_metric_name_is_accepted_by_mlflow():
    names = [f"challenger.reward.{e.name}" for e in default_estimators(tau=20, clip=20, lam=20)]
    keys = [metric_key(n) for n in names]
    for key in keys:
        _validate_metric_name(key)
    assert len(set(keys)) == len(keys)
    assert metric_key("challenger.reward.switch-dr(tau=20)") == "challenger.reward.switch-dr_tau_20"
