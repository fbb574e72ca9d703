"""gold: what the models and agents concluded — scores, recommendations, decisions, overlay."""
from tailor.catalog.schema import Column as C
from tailor.catalog.schema import Table

USER_SCORES = Table(
    "gold.user_scores", "per person and day: predicted value over LTV's horizon and over the "
                        "lifetime (`ltv_lifetime`), and churn risk",
    owner="score", partition_by=("ds",), keys=("person_id", "ds"),
    columns=(
        C("person_id", "string"),
        C("ltv_pred", "double", "predicted spend over the LTV horizon (>= 0)"),
        C("churn_prob", "double", "probability of no purchase over the churn horizon"),
        C("ltv_version", "string", "registry version of the model, or baseline:<rule>"),
        C("churn_version", "string"),
        C("ds", "string"),
        # added later: last, so tables written before gain them by additive schema evolution
        C("ltv_lifetime", "double", "ltv_pred carried to models.ltv_lifetime_days by the "
                                    "person's BG/NBD ratio (models/lifetime.py)"),
        C("ltv_lifetime_days", "int", "the horizon ltv_lifetime covers (days)"),
    ))

RECOMMENDATIONS = Table(
    "gold.recommendations", "per person and day: the ranker's top-K items",
    owner="score", partition_by=("ds",), keys=("person_id", "ds", "rank"),
    columns=(
        C("person_id", "string"), C("item_id", "string"),
        C("score", "double", "ranker score (compare within a person only)"),
        C("rank", "int", "1 = best"),
        C("ds", "string"),
        C("ranker_version", "string"),
    ))

DECISIONS = Table(
    "gold.decisions", "per person and day: the policy's decision, published to the lookup server",
    owner="decide", partition_by=("ds",), keys=("person_id", "ds"),
    columns=(
        C("person_id", "string", served=True), C("ds", "string", served=True),
        C("policy_version", "string", "the policy that decided", served=True),
        C("items", "array<string>", "recommended items, best first", served=True),
        C("item_scores", "array<double>", served=True),
        C("action_id", "string", "channel@hour:offer, or no_message", served=True),
        C("channel", "string", "null for no_message", served=True), C("send_hour", "int", served=True),
        C("offer", "string", served=True), C("discount", "double", served=True),
        C("propensity", "double", "probability the policy gave the chosen action", served=True),
        C("exploration", "boolean", "chosen by exploration rather than the greedy choice"),
        C("holdout", "boolean", "in the global control group: never messaged", served=True),
        C("policy_action_id", "string",
          "what the policy drew before the holdout rule (the holdout's counterfactual)"),
        C("allowed_channels", "array<string>", "channels the person's consent allows"),
        C("guardrails", "array<string>", "rules that constrained the decision", served=True),
        C("explanation", "string", "why, in words", served=True),
        C("ltv_pred", "double"), C("churn_prob", "double"),
        C("model_versions", "string", "JSON: model -> registry version", served=True),
        C("feature_versions", "string", "JSON: feature table -> Delta version", served=True),
        C("data_versions", "string", "JSON: input table -> Delta version", served=True),
        C("decided_at", "timestamp"),
        C("shadow_action_id", "string", "the challenger's decision (gold.shadow_decisions), logged "
                                        "with every served decision, never served", served=True),
        C("shadow_propensity", "double", "its probability under the challenger", served=True),
    ))

OVERLAY = Table(
    "gold.overlay", "nearline state the lookup server applies per request (minutes old)",
    owner="overlay", keys=("person_id",),
    columns=(
        C("person_id", "string"),
        C("revoked_channels", "array<string>", "consent revoked since the daily decisions"),
        C("messages_today", "int", "messages sent today (frequency cap)"),
        C("bought_items", "array<string>", "items bought since the daily decisions"),
        C("updated_at", "timestamp"),
    ))

SHADOW_DECISIONS = Table(
    "gold.shadow_decisions", "per person and day: what the challenger policy would decide "
                             "(never served; logged beside the served decision)",
    owner="decide", partition_by=("ds",), keys=("person_id", "ds"),
    columns=tuple(c for c in DECISIONS.columns if c.name in (
        "person_id", "ds", "policy_version", "action_id", "channel", "send_hour", "offer",
        "discount", "propensity", "exploration", "holdout", "policy_action_id", "explanation",
        "decided_at")))

TABLES = (USER_SCORES, RECOMMENDATIONS, DECISIONS, SHADOW_DECISIONS, OVERLAY)
