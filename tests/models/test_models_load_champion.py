"""load_champion + predict round-trip: the registered champion scores new frames exactly as it was
evaluated, whatever the frame's column order or extra columns."""
import numpy as np
import pytest

from tailor.models import NoChampionError, get_spec, load_champion, predict, train_and_register
from tailor.models.metrics import evaluate


def test_load_champion_round_trips_predictions(cfg, synth):
    with pytest.raises(NoChampionError):
        load_champion("churn", cfg)
    frame = synth.churn()
    result = train_and_register("churn", frame, synth.churn_features, {}, cfg)

    model, version, feature_cols = load_champion("churn", cfg)
    assert version == result.version == "1" and feature_cols == synth.churn_features

    test = frame[frame.split == "test"]
    shuffled = test[["label", "person_id", *reversed(feature_cols)]].assign(unrelated=1.0)
    p = predict("churn", model, shuffled)
    assert ((p >= 0) & (p <= 1)).all()
    assert np.allclose(p, predict("churn", model, test))
    auc = evaluate(get_spec("churn").metrics(cfg), test.person_id, test.label, {"m": p})
    assert auc.estimates["m"]["auc"].value == pytest.approx(result.metrics["auc"], abs=1e-12)

    with pytest.raises(ValueError, match="frequency"):
        predict("churn", model, test.drop(columns="frequency"))
