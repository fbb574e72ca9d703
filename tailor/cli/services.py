"""The shape every long-lived helper's command shares: ``tailor NAME start|stop|status
[--json]`` (``spark``, ``host``, ``cluster``, ``postgres``); each adds its own options."""
from __future__ import annotations

import argparse
from typing import Callable


def service_parser(subparsers: argparse._SubParsersAction, name: str, help: str,
                   description: str, run: Callable[[argparse.Namespace], int],
                   more_actions: tuple[str, ...] = ()) -> argparse.ArgumentParser:
    p = subparsers.add_parser(name, help=help, description=description,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("action", choices=("start", "stop", "status", *more_actions))
    p.add_argument("--json", action="store_true", help="status as one JSON object")
    p.set_defaults(func=run)
    return p
