"""``tailor models``: list and show what is registered, promote a version by hand (recording who
and why), roll back to the champion it replaced, and refuse clearly what cannot be done."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from mlflow import MlflowClient

from tailor.cli import main
from tailor.models import registered_name, train_and_register

FEATURES = ["recency_days", "frequency", "sessions_7d"]
REPO_ROOT = Path(__file__).resolve().parents[3]


def churn_frame(shuffle: bool = False, n: int = 500, seed: int = 2) -> pd.DataFrame:
    """Churn driven by recent sessions beside recency and frequency (the RFM baseline sees no
    sessions)."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({"person_id": [f"p{i}" for i in range(n)], "cutoff": "2026-10-01",
                          "split": np.where(rng.random(n) < 0.3, "test", "train"),
                          "recency_days": rng.uniform(0, 120, n),
                          "frequency": rng.poisson(3, n).astype(float),
                          "sessions_7d": rng.poisson(2, n).astype(float)})
    logit = (0.02 * (frame["recency_days"] - 60) - 0.5 * (frame["frequency"] - 3)
             - 1.5 * (frame["sessions_7d"] - 2))
    frame["label"] = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    if shuffle:
        frame["label"] = rng.permutation(frame["label"].to_numpy())
    return frame


def train_two_versions(cfg):
    """v1 passes the gate (champion), v2 on shuffled labels does not (challenger)."""
    good = train_and_register("churn", churn_frame(), FEATURES, {"training.churn": 4}, cfg)
    bad = train_and_register("churn", churn_frame(shuffle=True), FEATURES, {"training.churn": 5}, cfg)
    assert (good.promoted, bad.promoted) == (True, False)
    return cfg


@pytest.fixture(scope="module")
def mlflow_dir(tmp_path_factory):
    """One sqlite store for the module (creating its schema costs seconds); tests stay apart
    through their own registry_prefix."""
    return tmp_path_factory.mktemp("models_cli")


def config(mlflow_dir, prefix):
    from tailor.config import load_config

    return load_config(env="local", root=REPO_ROOT, environ={}, overrides={
        "paths": {"mlflow_tracking_uri": f"sqlite:///{mlflow_dir}/mlflow.db",
                  "mlflow_artifacts": str(mlflow_dir / "artifacts")},
        "models": {"registry_prefix": prefix}})


@pytest.fixture(scope="module")
def trained(mlflow_dir):
    """Two versions shared by the tests that only read them (training costs seconds)."""
    return train_two_versions(config(mlflow_dir, "tailor"))


@pytest.fixture
def store(trained, monkeypatch):
    """The shared two-version registry as the CLI's configuration (read-only tests)."""
    import tailor.config

    monkeypatch.setattr(tailor.config, "get_config", lambda: trained)
    return trained


@pytest.fixture
def own_store(mlflow_dir, monkeypatch, request):
    """Two versions of the test's own (registry prefix), for tests that move aliases."""
    import tailor.config

    cfg = config(mlflow_dir, "t_" + request.node.name)
    monkeypatch.setattr(tailor.config, "get_config", lambda: cfg)
    return train_two_versions(cfg)


def cli(capsys, *argv):
    code = main(["models", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def aliases(cfg):
    client = MlflowClient(cfg.mlflow_tracking_uri, cfg.mlflow_tracking_uri)
    return {k: str(v) for k, v in client.get_registered_model(registered_name("churn", cfg)).aliases.items()}


def test_list_and_show(store, capsys):
    code, out, _ = cli(capsys, "list")
    assert code == 0
    churn = next(line for line in out.splitlines() if line.startswith("churn "))
    assert churn.split()[1:5] == ["tailor_churn", "v1", "v2", "v2"] and " auc 0." in churn
    assert "[" in churn  # the champion's gate metric with its CI
    assert next(line for line in out.splitlines() if line.startswith("policy ")).endswith("not trained yet")

    code, out, _ = cli(capsys, "list", "--json")
    listed = {m["model"]: m for m in json.loads(out)}
    assert set(listed) == {"ltv", "churn", "ranker", "policy"}
    assert listed["churn"]["champion"] == "1" and listed["churn"]["gate_metric"] == "auc"
    assert listed["churn"]["gate_ci_low"] < listed["churn"]["gate_value"] < listed["churn"]["gate_ci_high"]

    code, out, _ = cli(capsys, "show", "churn")
    assert code == 0 and out.startswith("tailor_churn (churn): 2 versions")
    assert out.index("v2  [challenger]") < out.index("v1  [champion]")
    assert "gate:      not passed: kept as challenger on auc" in out
    assert "champion:  gate by pipeline at" in out and "data:      training.churn=4" in out
    auc_rows = [line.split() for line in out.splitlines() if line.strip().startswith("auc (gate)")]
    assert len(auc_rows) == 2 and all("[" in " ".join(r) for r in auc_rows)

    code, out, _ = cli(capsys, "show", "tailor_churn", "--version", "2", "--json")
    (v2,) = json.loads(out)
    assert v2["aliases"] == ["challenger"] and v2["gate_promoted"] is False
    assert v2["previous_champion"] == "1" and v2["data_versions"] == {"training.churn": "5"}
    assert {"auc", "auc_ci_low", "auc_ci_high", "baseline_auc", "champion_auc"} <= set(v2["metrics"])
    assert v2["metric_rows"][0]["name"] == "auc" and v2["metric_rows"][0]["champion"]["value"] > 0

    code, out, _ = cli(capsys, "show", "churn", "--card")
    assert code == 0 and out.startswith("# Model card: tailor_churn v1")


def test_promote_and_rollback_record_who_and_why(own_store, capsys):
    store = own_store
    client = MlflowClient(store.mlflow_tracking_uri, store.mlflow_tracking_uri)
    name = registered_name("churn", store)

    code, out, _ = cli(capsys, "promote", "churn", "2", "--reason", "v1 drifted", "--by", "alice")
    assert code == 0 and "did not pass the gate" in out and "champion v1 -> v2" in out
    assert "next `tailor run score`" in out
    assert aliases(store) == {"champion": "2"}        # the challenger took the crown
    tags = client.get_model_version(name, "2").tags
    assert (tags["promoted_by"], tags["promote_reason"], tags["promoted_via"],
            tags["previous_champion"]) == ("alice", "v1 drifted", "promote", "1")

    code, out, _ = cli(capsys, "promote", "churn", "2", "--reason", "again")
    assert code == 0 and "champion already; nothing changed" in out

    code, out, _ = cli(capsys, "rollback", "churn", "--reason", "CTR fell", "--by", "bob")
    assert code == 0 and "champion v2 -> v1" in out and aliases(store) == {"champion": "1"}
    assert client.get_model_version(name, "1").tags["promoted_by"] == "bob"
    assert client.get_model_version(name, "1").tags["previous_champion"] == "none"  # kept
    v2 = client.get_model_version(name, "2").tags
    assert (v2["rolled_back_by"], v2["rolled_back_reason"], v2["rolled_back_to"]) == ("bob", "CTR fell", "1")

    # versions registered before champion moves were recorded: the run's own tag says it
    assert cli(capsys, "promote", "churn", "2", "--reason", "retry")[0] == 0
    client.delete_model_version_tag(name, "2", "previous_champion")
    code, out, _ = cli(capsys, "rollback", "churn", "--json")
    assert code == 0 and json.loads(out)["version"] == "1" and aliases(store) == {"champion": "1"}

    code, _, err = cli(capsys, "rollback", "churn")
    assert code == 1 and f"nothing to roll back to: {name} v1 replaced no earlier champion" in err
    assert aliases(store) == {"champion": "1"}


def test_refusals_say_what_to_do(store, capsys):
    code, _, err = cli(capsys, "promote", "churn", "9", "--reason", "x")
    assert code == 1 and "tailor_churn has no version '9'; its versions: 2, 1" in err
    code, _, err = cli(capsys, "show", "uplift")
    assert code == 1 and "unknown model 'uplift'; known: ltv, churn, ranker, policy" in err
    code, _, err = cli(capsys, "show", "ltv")
    assert code == 1 and "has no versions yet: tailor run train" in err
    code, _, err = cli(capsys, "rollback", "ranker")
    assert code == 1 and "has no champion, so nothing to roll back" in err
    with pytest.raises(SystemExit) as exit_:
        main(["models", "promote", "churn", "1"])
    assert exit_.value.code == 2 and "--reason" in capsys.readouterr().err
    assert aliases(store) == {"champion": "1", "challenger": "2"}


def test_no_store_yet(cfg, monkeypatch, capsys):
    import tailor.config

    monkeypatch.setattr(tailor.config, "get_config", lambda: cfg)
    code, _, err = cli(capsys, "list")
    assert code == 1 and "no MLflow store at" in err and "tailor run train --ds" in err
