"""``rewardkit verifiers``: list what is registered, one line each."""

from __future__ import annotations

import argparse
from typing import Any

from rewardkit.core.registry import verifier_infos
from rewardkit.core.spec import builtin_specs


def add_parser(sub: Any) -> None:
    """Register the ``verifiers`` subcommand."""
    p = sub.add_parser("verifiers", help="list registered verifiers and built-in specs")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Print every verifier with its description, then the built-in specs."""
    infos = verifier_infos()
    width = max((len(i.name) for i in infos), default=8) + 2
    for info in infos:
        print(f"{info.name:<{width}}{info.description}")
    print(f"\nbuilt-in specs: {', '.join(builtin_specs())}")
    return 0
