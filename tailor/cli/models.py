"""``tailor models list | show | promote | rollback``: the MLflow model registry as users expect it.

Thin: the registry reads and alias moves live in models/registry.py (the only module that talks
to MLflow), the metric table in models/card.py; this module parses and prints.
"""
from __future__ import annotations

import argparse
import json
import sys
from typing import Any, Sequence

HELP = "registered models: versions, champion / challenger, metrics; promote or roll back"
DESCRIPTION = """\
Every model Tailor trains is registered in MLflow as <models.registry_prefix>_<name> for name in
ltv, churn, ranker (tailor run train) and policy (tailor run train_policy). Each training run
registers a new version; the promotion gate gives it the alias `champion` (it beat the baseline
and the champion) or `challenger` (it did not).

Scoring finds the model by alias on every run: `tailor run score` loads each model's champion,
`tailor run decide` the champion policy. Moving `champion` here takes effect on the next score
(models) or decide (policy) run; nothing is redeployed. The next training run judges its new
version against the champion you set.

  list                  every model: champion, challenger and latest version, and the
                        champion's gate metric with its 95% CI
  show NAME             its versions (newest first) with aliases, the gate's decision and
                        reason, data versions, and every metric with its 95% CI next to the
                        baseline's and the champion's; --card prints a version's model card
  promote NAME VERSION  move `champion` to VERSION (--reason required); the version it replaces
                        is recorded, so a rollback can return to it
  rollback NAME         give `champion` back to the version the current champion replaced
                        (repeat to walk further back)

Who and why are recorded on the version taking `champion` (tags promoted_by, promoted_at,
promote_reason, promoted_via, previous_champion; `show` prints them). Who is your login name
unless --by says otherwise.

Examples:
  tailor models list
  tailor models show churn
  tailor models show churn --version 3 --card        # the model card of version 3
  tailor models promote churn 3 --reason "v4 over-predicts churn for new customers"
  tailor models rollback churn --reason "CTR dropped after the promotion"
  tailor models list --json
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("models", help=HELP, description=DESCRIPTION,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="models_command", metavar="ACTION")

    def action(name: str, help: str, func: Any) -> argparse.ArgumentParser:
        a = sub.add_parser(name, help=help, description=help)
        a.add_argument("--json", action="store_true", help="print the result as JSON")
        a.set_defaults(func=func)
        return a

    action("list", "every registered model with its champion, challenger and latest version",
           run_list)
    show = action("show", "a model's versions, gate decisions, data versions and metrics", run_show)
    show.add_argument("name", help="ltv, churn, ranker or policy (or the registered name)")
    show.add_argument("--version", help="only this version")
    show.add_argument("--last", type=int, default=10,
                      help="show the newest N versions (default 10; 0 = all)")
    show.add_argument("--card", action="store_true",
                      help="print the model card of --version (default: the champion)")
    promote = action("promote", "move `champion` to a version (takes effect on the next scoring "
                     "run)", run_promote)
    promote.add_argument("name", help="ltv, churn, ranker or policy")
    promote.add_argument("version", help="the version to serve (tailor models show NAME)")
    promote.add_argument("--reason", required=True, help="why (recorded with the promotion)")
    promote.add_argument("--by", help="who decided (default: your login name)")
    rollback = action("rollback", "give `champion` back to the version the current champion "
                      "replaced", run_rollback)
    rollback.add_argument("name", help="ltv, churn, ranker or policy")
    rollback.add_argument("--reason", default="", help="why (recorded with the rollback)")
    rollback.add_argument("--by", help="who decided (default: your login name)")
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])


def _refused(exc: Exception) -> int:
    print(f"tailor models: {exc}", file=sys.stderr)
    return 1


def _print_table(header: Sequence[str], rows: Sequence[Sequence[str]], indent: str = "") -> None:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for r in [header, *rows]:
        print(indent + "  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())


def run_list(args: argparse.Namespace) -> int:
    from tailor.config import get_config
    from tailor.models.card import number
    from tailor.models.registry import RegistryError, list_models

    try:
        models = list_models(get_config())
    except RegistryError as exc:
        return _refused(exc)
    if args.json:
        print(json.dumps([m.as_dict() for m in models], indent=2))
        return 0
    rows = []
    for m in models:
        if not m.versions:
            rows.append((m.model, m.registered, "-", "-", "-", "not trained yet"))
            continue
        if m.gate_metric is None or m.gate_value is None:
            gate = "-" if m.champion is None else "n/a"
        else:
            ci = (f" [{number(m.gate_ci_low)}, {number(m.gate_ci_high)}]"
                  if m.gate_ci_low is not None and m.gate_ci_high is not None else "")
            gate = f"{m.gate_metric} {number(m.gate_value)}{ci}"
        rows.append((m.model, m.registered, _v(m.champion), _v(m.challenger), _v(m.latest), gate))
    _print_table(("model", "registered", "champion", "challenger", "latest",
                  "champion's gate metric [95% CI]"), rows)
    return 0


def _v(version: str | None) -> str:
    return "-" if version is None else f"v{version}"


def run_show(args: argparse.Namespace) -> int:
    from tailor.config import get_config
    from tailor.models.card import metric_rows
    from tailor.models.registry import RegistryError, model_card_text, model_versions

    cfg = get_config()
    try:
        if args.card:
            print(model_card_text(args.name, args.version, cfg))
            return 0
        versions, total = model_versions(args.name, cfg, version=args.version,
                                         last=max(args.last, 0) or None)
    except RegistryError as exc:
        return _refused(exc)
    if args.json:
        print(json.dumps([{**v.as_dict(), "metric_rows": [r.as_dict() for r in
                                                           metric_rows(v.metrics, v.gate_metric)[0]]}
                          for v in versions], indent=2))
        return 0
    first = versions[0]
    print(f"{first.registered} ({first.model}): {total} version{'s' * (total != 1)}")
    for v in versions:
        _print_version(v)
    if len(versions) < total and args.version is None:
        print(f"\n({total - len(versions)} older versions not shown: --last 0 shows all)")
    return 0


def _print_version(v: Any) -> None:
    from tailor.models.card import metric_rows, number, with_ci

    aliases = ", ".join(v.aliases) or "-"
    print(f"\nv{v.version}  [{aliases}]  registered {v.created_at}  run {v.run_id or '-'}")
    if v.gate_promoted is not None:
        print(f"  gate:      {'passed' if v.gate_promoted else 'not passed'}: {v.gate_reason}")
    t = v.tags
    if "promoted_by" in t:   # the last time it took `champion` (the gate's reason is above)
        via = t.get("promoted_via", "?")
        replaced = f", replacing v{v.previous_champion}" if v.previous_champion else ""
        why = "" if via == "gate" else f": {t.get('promote_reason') or '-'}"
        print(f"  champion:  {via} by {t['promoted_by']} at {t.get('promoted_at', '?')}"
              f"{replaced}{why}")
    if "rolled_back_by" in t:
        print(f"  rolled back to v{t.get('rolled_back_to', '?')} by {t['rolled_back_by']} at "
              f"{t.get('rolled_back_at', '?')}: {t.get('rolled_back_reason') or '-'}")
    data = ", ".join(f"{k}={val}" for k, val in sorted(v.data_versions.items())) or "not recorded"
    print(f"  data:      {data}")
    rows, other = metric_rows(v.metrics, v.gate_metric)
    if rows:
        print("  metrics [95% CI]:")
        _print_table(("metric", "model", "baseline", "champion", "vs baseline", "vs champion"),
                     [(r.name + (" (gate)" if r.name == v.gate_metric else ""), with_ci(r.model),
                       with_ci(r.baseline), with_ci(r.champion),
                       with_ci(r.gain_vs_baseline, True), with_ci(r.gain_vs_champion, True))
                      for r in rows], indent="    ")
    if other:
        gate = f" (gate metric: {v.gate_metric})" if v.gate_metric in other else ""
        print(f"  metrics{gate}:")
        for key, value in sorted(other.items()):
            print(f"    {key} = {number(value)}")


def run_promote(args: argparse.Namespace) -> int:
    from tailor.config import get_config
    from tailor.models.registry import RegistryError, promote

    try:
        move = promote(args.name, args.version, get_config(), reason=args.reason, by=args.by)
    except RegistryError as exc:
        return _refused(exc)
    if args.json:
        print(json.dumps(move.as_dict(), indent=2))
        return 0
    if move.gate_note:
        print(f"note: v{move.version} did not pass the gate when trained: {move.gate_note}")
    if not move.changed:
        print(f"{move.registered}: v{move.version} is champion already; nothing changed")
        return 0
    _print_move(move)
    return 0


def run_rollback(args: argparse.Namespace) -> int:
    from tailor.config import get_config
    from tailor.models.registry import RegistryError, rollback

    try:
        move = rollback(args.name, get_config(), reason=args.reason, by=args.by)
    except RegistryError as exc:
        return _refused(exc)
    if args.json:
        print(json.dumps(move.as_dict(), indent=2))
        return 0
    _print_move(move)
    return 0


def _print_move(move: Any) -> None:
    job = "decide" if move.model == "policy" else "score"
    print(f"{move.registered}: champion {_v(move.previous)} -> v{move.version} ({move.via} by "
          f"{move.by}: {move.reason})")
    undo = (f"tailor models rollback {move.model}" if move.via == "promote" else
            f"tailor models promote {move.model} {move.previous}")
    print(f"takes effect on the next `tailor run {job}`; undo with: {undo} --reason TEXT")
