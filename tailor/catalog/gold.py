"""gold: what the models and agents concluded — scores, recommendations, decisions, overlay."""
from tailor.catalog.schema import Column as C
from tailor.catalog.schema import Table

USER_SCORES = Table(
    "gold.user_scores", "per person and day: predicted lifetime value and churn risk",
    owner="score", partition_by=("ds",), keys=("person_id", "ds"),
    columns=(
        C("person_id", "string"),
        C("ltv_pred", "double", "predicted spend over the LTV horizon (>= 0)"),
        C("churn_prob", "double", "probability of no purchase over the churn horizon"),
        C("ltv_version", "string", "registry version of the model, or baseline:<rule>"),
        C("churn_version", "string"),
        C("ds", "string"),
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
        C("person_id", "string"), C("ds", "string"),
        C("policy_version", "string", "the policy that decided"),
        C("items", "array<string>", "recommended items, best first"),
        C("item_scores", "array<double>"),
        C("action_id", "string", "channel@hour:offer, or no_message"),
        C("channel", "string", "null for no_message"), C("send_hour", "int"),
        C("offer", "string"), C("discount", "double"),
        C("propensity", "double", "probability the policy gave the chosen action"),
        C("exploration", "boolean", "chosen by exploration rather than the greedy choice"),
        C("holdout", "boolean", "in the global control group: never messaged"),
        C("policy_action_id", "string",
          "what the policy drew before the holdout rule (the holdout's counterfactual)"),
        C("allowed_channels", "array<string>", "channels the person's consent allows"),
        C("guardrails", "array<string>", "rules that constrained the decision"),
        C("explanation", "string", "why, in words"),
        C("ltv_pred", "double"), C("churn_prob", "double"),
        C("model_versions", "string", "JSON: model -> registry version"),
        C("feature_versions", "string", "JSON: feature table -> Delta version"),
        C("data_versions", "string", "JSON: input table -> Delta version"),
        C("decided_at", "timestamp"),
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
