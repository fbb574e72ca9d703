"""Where personal preference matters, the ranker beats the popularity baseline, significantly."""
from tailor.models import train_and_register


def test_ranker_beats_popularity_when_preference_matters(cfg, synth):
    result = train_and_register("ranker", synth.ranker(), synth.ranker_features, {}, cfg)
    k = cfg.models.ranker.top_k
    ndcg, hit = f"ndcg_at_{k}", f"hit_rate_at_{k}"
    assert result.gate_metric == ndcg and result.promoted
    assert result.metrics[ndcg] > result.baseline_metrics[ndcg] + 0.15
    assert result.metrics[f"{ndcg}_ci_low"] > result.baseline_metrics[f"{ndcg}_ci_high"]
    assert result.metrics[hit] > result.baseline_metrics[hit]
    assert "not significant" not in result.reason
