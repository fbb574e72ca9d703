"""train_policy: learn the challenger policy from training.policy, judge it off-policy against the
champion, and promote it only through the gate (``tailor/agents/gate.py``).

The newest ``policy.learning.eval_days`` decision days are held out: the challenger is fitted on
the older ones (``tailor/agents/learned.py``), then the challenger, the champion (the learned
policy carrying the ``champion`` alias, else the heuristic), the heuristic and the uniform
policy are evaluated on the held-out logged decisions with every OPE estimator
(``tailor/evaluation/policy_eval.py``), the challenger's reward models serving as the DM / DR
reward model (they never saw those days). Every figure goes to ``ops.policy_gate`` and to the
challenger's MLflow run; the policy is registered as ``<prefix>_policy`` with the alias the gate
gives it (``champion`` or ``challenger``).

Holds on the driver: the decision days' rows of ``training.policy`` as pandas — above
``policy.learning.max_rows`` every row of a stable sample of persons, streamed from the snapshot
(``models/training_data.py``), the share in the MLflow run (``sample_*``; above the same bound
``policy_outcomes`` built only a person sample: ``sample_build_share``) — and the reward
models' predictions for the held-out rows, (1 + ensemble) × rows × actions floats.
"""
from __future__ import annotations

from datetime import datetime, timezone

import numpy as np
import pyarrow as pa

from tailor.agents.actions import build_bank
from tailor.agents.gate import decide
from tailor.agents.heuristic import HeuristicPolicy
from tailor.agents.learned import LearnedPolicy, LearnedSettings, fit_reward_models
from tailor.agents.policy import UniformPolicy
from tailor.agents.registry import load_policy, log_policy
from tailor.catalog import table
from tailor.evaluation.ope import Bootstrap
from tailor.evaluation.plots import policy_values
from tailor.evaluation.policy_eval import estimators, evaluate_policies, logged_data, predicted_outcomes
from tailor.features.outcomes import decision_days
from tailor.models.registry import CHAMPION
from tailor.models.training_data import built_share, hold
from tailor.runtime import JobContext, main

SOURCE, GATE_TABLE = "training.policy", "ops.policy_gate"


def policy_features(columns) -> list[str]:
    """The person features of a training.policy frame: its columns beyond the declared ones."""
    declared = set(table(SOURCE).column_names)
    return [c for c in columns if c not in declared]


def run(ctx: JobContext) -> dict:
    """Train, evaluate and gate the challenger policy on the decision days of ds."""
    cfg, lh = ctx.cfg, ctx.lakehouse
    o, learn, gate = cfg.policy.outcomes, cfg.policy.learning, cfg.policy.gate
    days = decision_days(ctx.ds, o.lookback_days, o.attribution_hours)
    eval_days, train_days = days[:learn.eval_days], days[learn.eval_days:]
    if not train_days:
        raise ValueError(f"policy.learning.eval_days={learn.eval_days} leaves no training days of "
                         f"policy.outcomes.lookback_days={o.lookback_days}: lower it")
    version = lh.version(SOURCE)
    if version is not None:
        rows, sample = hold(lh.dataset(SOURCE, version=version, partitions={"decision_date": days}),
                            learn.max_rows, salt="policy-sample", keys=table(SOURCE).keys,
                            build_share=built_share(lh, SOURCE, version))
    if version is None or not (rows["action_id"] != "no_message").any():
        why = (f"no logged message decisions in {SOURCE} for {days[-1]}..{days[0]} (the data "
               "holds no decision log: simulator sends, server decisions or imported campaigns); "
               "nothing to learn from, the current policy keeps deciding")
        print(f"train_policy: skipped: {why}")
        return {"status": "skipped", "reason": why}
    features = policy_features(rows.columns)
    train, held = rows[rows["decision_date"].isin(train_days)], rows[rows["decision_date"].isin(eval_days)]

    bank = build_bank(cfg.load_actions(), cfg.policy.quiet_hours)
    models = fit_reward_models(train, features, learn.ensemble, dict(learn.xgboost), learn.seed)
    challenger = LearnedPolicy(bank, models, LearnedSettings.from_config(cfg), version="new")
    heuristic = HeuristicPolicy.from_config(cfg, bank)
    champion = load_policy(cfg, CHAMPION, bank)
    policies = {"challenger": challenger, "champion": champion or heuristic,
                "heuristic": heuristic, "uniform": UniformPolicy(bank)}
    champion_label = champion.label if champion is not None else heuristic.label

    data = logged_data(held, bank)
    est = estimators(cfg.ope)
    # once: the challenger's weights and DM / DR (which read the allowed actions only: every
    # policy's probabilities and the logged action, consent-consistent by logged_data)
    predicted = models.predict(data.context, bank, data.allowed)
    evaluation = evaluate_policies(
        data, policies, predicted_outcomes(models, data, bank, cfg.policy.message_cost, predicted),
        est, Bootstrap(n_boot=gate.n_boot, alpha=gate.alpha, seed=learn.seed),
        pair=("challenger", "champion"), gate_estimator=gate.estimator,
        given={"challenger": challenger.probabilities_from(predicted, data.allowed)})
    verdict = decide(evaluation, "challenger", "champion", gate, est[gate.estimator].name)

    gate_name = est[gate.estimator].name
    metrics = {f"{r['policy']}.{r['outcome']}.{r['estimator']}": r["value"]
               for r in evaluation.results}
    if evaluation.comparison:
        metrics.update({f"gate.{k}": evaluation.comparison[k] for k in ("value", "ci_low", "ci_high")})
    registered = log_policy(
        challenger, cfg, promoted=verdict.promote, reason=verdict.reason,
        params={"ensemble": learn.ensemble, "exploration": learn.exploration,
                "epsilon": learn.epsilon, "train_days": f"{train_days[-1]}..{train_days[0]}",
                "eval_days": f"{eval_days[-1]}..{eval_days[0]}", "features": len(features),
                **sample.params(), "gate_estimator": gate_name,
                "champion": champion_label, **{f"train.{k}": v for k, v in models.info.items()}},
        metrics=metrics, data_versions={SOURCE: version},
        evaluation={"results": evaluation.results, "comparison": evaluation.comparison,
                    "messages_per_decision": evaluation.messages,
                    "guardrails": verdict.guardrails, "excluded": evaluation.excluded},
        sample=held[features + ["allowed_channels"]].head(5) if len(held) else train.head(5),
        figures={"ope_reward": policy_values(evaluation.results)})
    label = f"learned:{registered.version}"
    written = _write_gate(lh, ctx.ds, evaluation, label, champion_label, verdict)
    return {"challenger": label, "champion": champion_label, "promoted": verdict.promote,
            "reason": verdict.reason, "rows_train": len(train), "rows_eval": evaluation.n,
            "excluded": evaluation.excluded, "gate_version": written,
            "messages_per_decision": evaluation.messages, "training": models.info,
            "mlflow_run": registered.run_id}


def _write_gate(lh, ds, evaluation, challenger: str, champion: str, verdict) -> int:
    """Replace ds's rows of ops.policy_gate: every estimate, the comparison, the decision."""
    now = datetime.now(timezone.utc)
    rows = [{**{k: r.get(k) for k in ("policy", "outcome", "estimator", "value", "ci_low",
                                       "ci_high", "ess", "max_weight", "n", "n_excluded")}}
            for r in evaluation.results]
    rows += [{"policy": name, "outcome": "messages", "estimator": "direct", "value": v,
              "ci_low": v, "ci_high": v, "ess": None, "max_weight": None, "n": evaluation.n,
              "n_excluded": sum(evaluation.excluded.values())}
             for name, v in evaluation.messages.items()]
    if evaluation.comparison:
        c = evaluation.comparison
        rows.append({"policy": "challenger-champion", "outcome": "reward",
                     "estimator": c["estimator"], "value": c["value"], "ci_low": c["ci_low"],
                     "ci_high": c["ci_high"], "ess": None, "max_weight": None, "n": c["n"],
                     "n_excluded": c["n_excluded"]})
    for r in rows:
        r.update(ds=ds, challenger=challenger, champion=champion, promoted=verdict.promote,
                 reason=verdict.reason, decided_at=now)
    schema = table(GATE_TABLE).arrow_schema
    data = pa.Table.from_pylist([{k: _plain(r.get(k)) for k in schema.names} for r in rows],
                                schema=schema)
    return lh.write_arrow(data, GATE_TABLE, "overwrite_partitions", partition_by=["ds"],
                          replace_partitions={"ds": ds}).version


def _plain(value):
    if isinstance(value, (np.floating, np.integer)):
        return value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


if __name__ == "__main__":
    main(run, "train_policy")
