"""The agents that turn scores into decisions: recommender (top-K items), lifecycle
(next-best message action or none) and guardian (consent, quiet hours, holdout)."""
