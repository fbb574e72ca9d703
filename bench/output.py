"""How a bench hands over its figures: the JSON file under bench/results and, as the last line
of its output, the same object (scripts and CI read the last line)."""
from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Callable, Sequence

BINARY_METRICS = ("auc", "brier", "log_loss", "pr_auc")


def emit(out: dict, path: Path) -> None:
    """Write ``out`` to ``path`` (pretty) and print it as one JSON line."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(out, indent=2) + "\n")
    print(json.dumps(out))


def finish(parser: argparse.ArgumentParser, argv: Sequence[str] | None,
           run: Callable[[argparse.Namespace], dict], report: Callable[[dict], None]) -> int:
    """A bench's ``main`` after its arguments are declared (one of them ``--out``): parse, run,
    print the report, then :func:`emit`."""
    args = parser.parse_args(argv)
    out = run(args)
    report(out)
    emit(out, args.out)
    return 0


def add_bootstrap_args(parser: argparse.ArgumentParser) -> None:
    """``--boot`` and ``--seed`` of a bench whose CIs come from a bootstrap."""
    parser.add_argument("--boot", type=int, default=1000, help="bootstrap draws (default 1000)")
    parser.add_argument("--seed", type=int, default=0, help="bootstrap seed (default 0)")


def print_binary(metrics: dict[str, dict[str, float]],
                 gains: dict[str, dict[str, dict[str, float]]], subject: str = "tailor") -> None:
    """A binary classifier's table (value [95% CI] per scorer × metric) and ``subject``'s
    relative gain over each reference (``Evaluation.gain(...).flat("gain")`` per metric)."""
    print(f"{'scorer':14s}" + "".join(f"{n:>26s}" for n in BINARY_METRICS))
    for scorer, m in metrics.items():
        print(f"{scorer:14s}" + "".join(
            f"{m[n]:>10.4f} [{m[n + '_ci_low']:.4f},{m[n + '_ci_high']:.4f}]"
            for n in BINARY_METRICS))
    for ref, by_metric in gains.items():
        print(f"{subject} vs {ref}: " + ", ".join(
            f"{n} {g['gain']:+.1%} [{g['gain_ci_low']:+.1%}, {g['gain_ci_high']:+.1%}]"
            for n, g in by_metric.items()))
