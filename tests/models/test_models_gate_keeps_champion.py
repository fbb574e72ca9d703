"""A worse model (trained on shuffled labels) does not take `champion`; it becomes `challenger` and
the old champion keeps its alias. Retraining an identical model does not churn the champion either."""
from mlflow import MlflowClient

from tailor.models import load_champion, registered_name, train_and_register


def aliases(cfg):
    client = MlflowClient(cfg.mlflow_tracking_uri, cfg.mlflow_tracking_uri)
    return {k: str(v) for k, v in client.get_registered_model(registered_name("churn", cfg)).aliases.items()}


def test_worse_model_becomes_challenger_and_champion_stays(cfg, synth):
    good = train_and_register("churn", synth.churn(n=1500), synth.churn_features, {}, cfg)
    assert good.promoted and aliases(cfg) == {"champion": "1"}

    bad = train_and_register("churn", synth.churn(n=1500, shuffle_labels=True),
                             synth.churn_features, {}, cfg)
    assert not bad.promoted and bad.version == "2" and bad.previous_champion == "1"
    assert bad.champion_metrics is not None  # the champion was scored on the same new test rows
    assert bad.metrics["auc"] < bad.champion_metrics["auc"]
    assert "kept as challenger" in bad.reason and "does not beat champion" in bad.reason
    assert aliases(cfg) == {"champion": "1", "challenger": "2"}
    assert load_champion("churn", cfg)[1] == "1"

    same = train_and_register("churn", synth.churn(n=1500), synth.churn_features, {}, cfg)
    assert same.metrics["auc"] == same.champion_metrics["auc"]  # deterministic fit, same rows
    assert not same.promoted and aliases(cfg) == {"champion": "1", "challenger": "3"}
