"""The first model on learnable data beats its baseline, becomes champion, and its run records
everything needed to audit it (params, metrics, CIs, features, data versions, plot, model card,
input example), and the version who moved `champion` to it and from where."""
import json
from pathlib import Path

import mlflow
from mlflow import MlflowClient

from tailor.models import registered_name, train_and_register


def test_first_ltv_model_beats_baseline_and_becomes_champion(cfg, synth):
    result = train_and_register("ltv", synth.ltv(), synth.ltv_features, synth.data_versions, cfg)

    assert result.promoted and result.version == "1" and result.previous_champion is None
    assert result.gate_metric == "rmse"
    assert result.metrics["rmse"] < 0.5 * result.baseline_metrics["rmse"]
    assert result.metrics["rmse_ci_high"] < result.baseline_metrics["rmse_ci_low"]
    assert result.champion_metrics is None and "no champion yet" in result.reason

    client = MlflowClient(cfg.mlflow_tracking_uri, cfg.mlflow_tracking_uri)
    name = registered_name("ltv", cfg)
    assert name == f"{cfg.models.registry_prefix}_ltv"
    assert str(client.get_model_version_by_alias(name, "champion").version) == "1"
    version = client.get_model_version(name, "1")
    assert json.loads(version.tags["data_versions"]) == {"training.ltv": "3", "features.profile_v1": "12"}
    assert version.tags["promoted"] == "true"
    assert version.tags["promoted_via"] == "gate" and version.tags["previous_champion"] == "none"

    run = client.get_run(result.run_id)
    assert run.data.params["data_version.training.ltv"] == "3"
    assert run.data.params["n_estimators"] == str(cfg.models.xgboost.n_estimators)
    assert run.data.params["random_state"] == str(cfg.models.random_seed)
    for key in ("rmse", "rmse_ci_low", "baseline_rmse", "gain_vs_baseline_rmse", "mae"):
        assert key in run.data.metrics
    assert run.data.tags["tailor.promoted"] == "true"
    artifacts = {a.path for a in client.list_artifacts(result.run_id)}
    assert {"feature_cols.json", "data_versions.json", "evaluation.json", "plots"} <= artifacts
    assert mlflow.artifacts.load_dict(f"{run.info.artifact_uri}/feature_cols.json") == synth.ltv_features
    assert [a.path for a in client.list_artifacts(result.run_id, "plots")] == ["plots/ltv.png"]
    assert run.info.artifact_uri.startswith(Path(cfg.path(cfg.paths.mlflow_artifacts)).as_uri())

    assert "model_card.md" in artifacts
    card = mlflow.artifacts.load_text(f"{run.info.artifact_uri}/model_card.md")
    assert card.startswith(f"# Model card: {name} v1\n") and version.description == card
    assert "| rmse (gate) |" in card and "`historical_spend`" in card and "over the next 14 days" in card
    model = mlflow.models.get_model_info(f"models:/{name}/1")
    assert model.saved_input_example_info["artifact_path"] == "input_example.json"
    example = json.loads(Path(mlflow.artifacts.download_artifacts(
        f"{model.artifact_path}/input_example.json")).read_text())
    assert example["columns"] == synth.ltv_features and len(example["data"]) == 5
