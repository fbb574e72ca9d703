"""A champion whose features the new training set lacks cannot be compared: the new model then only
has to beat the baseline, and the reason says why."""
from mlflow import MlflowClient

from tailor.models import registered_name, train_and_register


def test_incompatible_champion_is_judged_on_baseline_only(cfg, synth):
    frame = synth.ltv()
    old_features = [*synth.ltv_features, "old_feature"]
    assert train_and_register("ltv", frame.assign(old_feature=1.0), old_features, {}, cfg).promoted
    # A model that learned nothing: its train split's labels are shuffled; the test split (on
    # which the gate scores both it and the champion) keeps the real labels.
    scrambled = frame.assign(old_feature=1.0)
    train_rows = scrambled["split"] == "train"
    scrambled.loc[train_rows, "label"] = scrambled.loc[train_rows, "label"].sample(
        frac=1, random_state=0).to_numpy()
    loser = train_and_register("ltv", scrambled, old_features, {}, cfg)
    assert not loser.promoted  # v2 is the challenger now

    third = train_and_register("ltv", frame, synth.ltv_features, {}, cfg)
    assert third.champion_metrics is None
    assert "champion v1 not comparable" in third.reason and "old_feature" in third.reason
    assert third.promoted
    client = MlflowClient(cfg.mlflow_tracking_uri, cfg.mlflow_tracking_uri)
    aliases = client.get_registered_model(registered_name("ltv", cfg)).aliases
    assert {k: str(v) for k, v in aliases.items()} == {"champion": "3"}  # stale challenger retired


def test_champion_from_another_holdout_split_is_not_comparable(make_cfg, synth):
    """After split_salt changes, today's test persons may be the champion's train persons: scoring
    it on them would flatter it, so the gate must not use it."""
    frame = synth.ltv()
    assert train_and_register("ltv", frame, synth.ltv_features, {}, make_cfg()).promoted
    second = train_and_register("ltv", frame, synth.ltv_features, {},
                                make_cfg(split_salt="tailor-holdout-v2"))
    assert second.champion_metrics is None and "may have trained on today's test persons" in second.reason
