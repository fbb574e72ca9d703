"""`models.promotion.min_relative_gain` is enforced: a model that beats the baseline by less than the
margin is only a challenger, and the scoring job then finds no champion."""
import pytest

from tailor.models import NoChampionError, load_champion, train_and_register


def test_margin_from_config_blocks_promotion(make_cfg, synth):
    cfg = make_cfg(promotion={"min_relative_gain": 5.0})  # +500%: unreachable for rmse
    result = train_and_register("ltv", synth.ltv(), synth.ltv_features, {}, cfg)
    assert result.metrics["rmse"] < result.baseline_metrics["rmse"]  # it does beat the baseline...
    assert not result.promoted and "min relative gain 500.00%" in result.reason  # ...not by enough
    with pytest.raises(NoChampionError):
        load_champion("ltv", cfg)
