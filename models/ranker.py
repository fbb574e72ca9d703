"""Ranker: orders a person's candidate items (learning-to-rank, judged by NDCG@top_k per person)."""
from __future__ import annotations

from tailor.models.baselines import popularity_baseline
from tailor.models.metrics import ranking_metrics
from tailor.models.plots import hit_rate_curve
from tailor.models.spec import ModelSpec, score_raw

SPEC = ModelSpec(
    name="ranker",
    task="ranking",
    estimator="XGBRanker",
    params={"objective": "rank:ndcg"},  # LambdaMART on each candidate list (person × cutoff)
    metrics=lambda cfg: ranking_metrics(cfg.models.ranker.top_k),
    baseline=popularity_baseline,
    plot=hit_rate_curve,
    score=score_raw,
    grouped=True,
    rows="candidates",
)
