"""Train, evaluate and register one model: the flow shared by LTV, churn and ranker.

fit on ``split == 'train'`` (by default only at cutoffs whose label windows ended by the latest
cutoff: ``models.evaluation: forward``) -> score the ``test`` rows (the latest cutoff's) with the
new model, the baseline and the current champion -> person-bootstrap metrics -> promotion gate ->
one MLflow run + a registered version whose alias records the gate's verdict. The Spark job only
collects the frame and calls ``train_and_register``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import pandas as pd

from tailor.config import Config
from tailor.models.baselines import rule_of
from tailor.models.catalog import get_spec, predict
from tailor.models.gate import decide, evidence, shortfalls
from tailor.models.metrics import N_BOOT, Evaluation, evaluate
from tailor.models.registry import Champion, RunRecord, find_champion, holdout_definition, record_and_register
from tailor.models.spec import CUTOFF, LABEL, PERSON, ModelSpec, query_ids

SPLIT = "split"


@dataclass(frozen=True)
class TrainResult:
    """Outcome of one training run; metric dicts are flat (``auc``, ``auc_ci_low``, ...)."""

    name: str
    version: str
    promoted: bool
    metrics: dict[str, float]
    baseline_metrics: dict[str, float]
    champion_metrics: dict[str, float] | None  # None: no champion, or its features are missing
    run_id: str
    reason: str
    gate_metric: str
    previous_champion: str | None
    evaluation: Mapping[str, Any] | None = None   # evaluation.json of the run (the report's)
    figure: Any = None                            # the run's plot (matplotlib Figure)


class NotTrainable(ValueError):
    """The training set is well-formed but cannot teach a model (one split empty, one label
    class only: e.g. imported views without any order gives every churn label 1). The train
    job skips that model and says why; scoring then keeps its champion, or serves its baseline
    (models/serving_model.py). Malformed sets raise plain ``ValueError``."""


@dataclass(frozen=True)
class Split:
    """How the rows were split: ``forward`` (train cutoffs before the test cutoff) or ``person``."""

    mode: str
    train_cutoffs: tuple[str, ...] = ()
    test_cutoff: str | None = None
    note: str = ""

    def params(self) -> dict[str, Any]:
        return {"evaluation": self.mode, "evaluation_note": self.note,
                **({"train_cutoffs": ",".join(self.train_cutoffs), "test_cutoff": self.test_cutoff}
                   if self.mode == "forward" else {})}


def forward_in_time(train: pd.DataFrame, test: pd.DataFrame, horizon_days: int
                    ) -> tuple[pd.DataFrame, pd.DataFrame, Split]:
    """Train persons at the cutoffs whose label window ``[c, c + horizon)`` ended by the latest
    cutoff; test persons at the latest cutoff. Unchanged (``person`` split) when the frame has no
    cutoff column or no earlier cutoff qualifies."""
    if CUTOFF not in test.columns or test.empty:
        return train, test, Split("person", note="no cutoff column: split by person only")
    day = {c: pd.Timestamp(str(c)) for c in pd.concat([train[CUTOFF], test[CUTOFF]]).unique()}
    latest = max(day.values())
    ended = [c for c, d in day.items() if d + pd.Timedelta(days=horizon_days) <= latest]
    if not ended:
        return train, test, Split(
            "person", note=(f"no cutoff's {horizon_days}-day label window ended by the latest "
                            f"cutoff {latest.date()}: split by person only (add training_cutoffs "
                            f"or widen cutoff_step_days for a forward evaluation)"))
    latest_key = [c for c, d in day.items() if d == latest]
    return (train[train[CUTOFF].isin(ended)], test[test[CUTOFF].isin(latest_key)],
            Split("forward", tuple(sorted(str(c) for c in ended)), str(latest.date())))


def split_frame(frame: pd.DataFrame, spec: ModelSpec, feature_cols: Sequence[str],
                evaluation: str = "person", horizon_days: int = 0
                ) -> tuple[pd.DataFrame, pd.DataFrame, Split]:
    """(train, test, how) after checking the training-set contract, with errors that say what.

    ``evaluation="forward"`` keeps the person split and adds time: see :func:`forward_in_time`."""
    needed = [PERSON, SPLIT, LABEL, *feature_cols]
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise ValueError(f"{spec.name}: training frame lacks columns {missing}")
    not_numeric = [c for c in feature_cols if not pd.api.types.is_numeric_dtype(frame[c])]
    if not_numeric:
        raise ValueError(f"{spec.name}: feature columns must be numeric, got {not_numeric}")
    if frame[LABEL].isna().any():
        raise ValueError(f"{spec.name}: {int(frame[LABEL].isna().sum())} rows have no label")
    unknown = set(frame[SPLIT].unique()) - {"train", "test"}
    if unknown:
        raise ValueError(f"{spec.name}: unknown split values {sorted(map(str, unknown))}")
    train, test = frame[frame[SPLIT] == "train"], frame[frame[SPLIT] == "test"]
    how = Split("person")
    if evaluation == "forward":
        train, test, how = forward_in_time(train, test, horizon_days)
    if train.empty or test.empty:
        raise NotTrainable(f"{spec.name}: need both train and test rows "
                           f"(got {len(train)} train, {len(test)} test)")
    if spec.task == "binary" and train[LABEL].nunique() < 2:
        raise NotTrainable(f"{spec.name}: train labels hold a single class "
                           f"({train[LABEL].iloc[0].item()}); nothing to learn")
    return train, test, how


def _comparable(champion: Champion | None, test: pd.DataFrame,
                cfg: Config) -> tuple[bool, str]:
    """Can the champion be judged fairly on the new test rows? (+ the note for the gate reason)"""
    if champion is None:
        return False, "no champion yet, judged against the baseline only"
    missing = [c for c in champion.feature_cols if c not in test.columns]
    if missing:
        why = f"new training set lacks its features {missing}"
    elif champion.holdout not in (None, holdout_definition(cfg)):
        why = (f"it was held out under {champion.holdout}, so it may have trained on today's "
               f"test persons")
    else:
        return True, ""
    return False, (f"champion v{champion.version} not comparable ({why}), "
                   f"judged against the baseline only")


def _report(evaluation: Evaluation, gate_metric: str, test: pd.DataFrame,
            seed: int, grouped: bool = False) -> dict[str, Any]:
    scorers = list(evaluation.estimates)
    unit = "candidate list (person × cutoff)" if grouped else PERSON
    return {
        "gate_metric": gate_metric,
        "bootstrap": {"unit": unit, "resamples": N_BOOT, "seed": seed, "level": 0.95},
        "n_test_rows": len(test), "n_test_persons": int(test[PERSON].nunique()),
        "estimates": {s: {m: vars(e) for m, e in evaluation.estimates[s].items()} for s in scorers},
        "relative_gains": {f"model_vs_{ref}": {m.name: vars(evaluation.gain(m.name, "model", ref))
                                               for m in evaluation.metrics}
                           for ref in scorers if ref != "model"},
    }


def _logged_metrics(evaluation: Evaluation) -> dict[str, float]:
    """Flat MLflow metrics: ``auc``, ``baseline_auc``, ``champion_auc``, ``gain_vs_baseline_auc``"""
    out: dict[str, float] = {}
    for scorer in evaluation.estimates:
        prefix = "" if scorer == "model" else f"{scorer}_"
        out.update({prefix + k: v for k, v in evaluation.flat(scorer).items()})
        if scorer != "model":
            for m in evaluation.metrics:
                gain = evaluation.gain(m.name, "model", scorer)
                out.update(gain.flat(f"gain_vs_{scorer}_{m.name}"))
    return out


def _params(spec: ModelSpec, cfg: Config, train: pd.DataFrame, test: pd.DataFrame,
            feature_cols: Sequence[str], how: Split) -> dict[str, Any]:
    cutoffs = pd.concat([train, test])["cutoff"].astype(str) if "cutoff" in train else None
    return {
        **spec.xgb_params(cfg), "model": spec.name, "task": spec.task,
        "label_horizon_days": cfg.models.horizon(spec.name), "top_k": cfg.models.ranker.top_k,
        "min_relative_gain": cfg.models.promotion.min_relative_gain,
        "require_significant": cfg.models.promotion.require_significant, **holdout_definition(cfg),
        "n_features": len(feature_cols), "n_train_rows": len(train), "n_test_rows": len(test),
        "n_train_persons": train[PERSON].nunique(), "n_test_persons": test[PERSON].nunique(),
        "bootstrap_resamples": N_BOOT, **how.params(),
        **({"cutoff_min": cutoffs.min(), "cutoff_max": cutoffs.max()}
           if cutoffs is not None else {}),
    }


def train_and_register(name: str, frame: pd.DataFrame, feature_cols: Sequence[str],
                       data_versions: Mapping[str, Any], cfg: Config,
                       extra_params: Mapping[str, Any] | None = None) -> TrainResult:
    """Fit ``name`` on the frame's train split, judge it on its test split and register it.

    ``data_versions`` maps each Delta table the frame was built from to its version (lineage);
    ``extra_params`` are logged with the run's parameters (e.g. the training sample's share).
    The new version gets alias ``champion`` only if it beats the baseline and the current
    champion by ``cfg.models.promotion.min_relative_gain``; otherwise ``challenger``.
    """
    spec = get_spec(name)
    feature_cols = list(feature_cols)
    train, test, how = split_frame(frame, spec, feature_cols, cfg.models.evaluation,
                                   cfg.models.horizon(name))
    model = spec.fit(train, feature_cols, cfg)

    baseline = spec.baseline.fit(train, cfg.models.horizon(name))
    scores = {"model": spec.score(model, test[feature_cols]), "baseline": baseline(test)}
    champion = find_champion(name, cfg)
    comparable, note = _comparable(champion, test, cfg)
    if comparable:
        scores["champion"] = predict(name, champion.model, test)

    gate_metric = spec.gate_metric(cfg).name
    seed = cfg.models.random_seed
    # ranking metrics per candidate list (person × cutoff); pooled metrics resample persons
    unit = query_ids(test) if spec.grouped else test[PERSON]
    evaluation = evaluate(spec.metrics(cfg), unit, test[LABEL], scores, seed=seed)
    found = evidence(spec.task, test[LABEL], unit, test[PERSON])
    minimum = cfg.models.promotion.min_evidence.model_dump()
    decision = decide(gate_metric, cfg.models.promotion.min_relative_gain,
                      evaluation.gain(gate_metric, "model", "baseline"),
                      evaluation.gain(gate_metric, "model", "champion") if comparable else None,
                      note, require_significant=cfg.models.promotion.require_significant,
                      too_little=shortfalls(found, minimum),
                      guards={f"{m} vs {ref}": evaluation.gain(m, "model", ref)
                              for m in spec.guards for ref in ("baseline", "champion")
                              if ref in scores})

    previous = champion.version if champion else None
    record = RunRecord(
        name=name, model=model,
        params={**_params(spec, cfg, train, test, feature_cols, how), **(extra_params or {})},
        metrics=_logged_metrics(evaluation), feature_cols=feature_cols,
        data_versions=data_versions,
        evaluation={**_report(evaluation, gate_metric, test, seed, spec.grouped),
                    "split": vars(how), "evidence": found, "min_evidence": minimum},
        figure=spec.plot(test[LABEL].to_numpy(float), unit.to_numpy(), scores,
                         cfg.models.ranker.top_k),
        sample=test[feature_cols].head(100), promoted=decision.promoted, reason=decision.reason,
        previous_champion=previous, baseline_rule=rule_of(baseline, spec.baseline.rule))
    run_id, version = record_and_register(record, cfg)
    return TrainResult(
        name=name, version=version, promoted=decision.promoted,
        metrics=evaluation.flat("model"), baseline_metrics=evaluation.flat("baseline"),
        champion_metrics=evaluation.flat("champion") if comparable else None,
        run_id=run_id, reason=decision.reason, gate_metric=gate_metric, previous_champion=previous,
        evaluation=record.evaluation, figure=record.figure)
