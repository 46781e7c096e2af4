"""The ``rewardkit`` command: one module per subcommand."""

from __future__ import annotations

import argparse
import sys

from rewardkit._version import __version__
from rewardkit.core.errors import SpecError


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser with every subcommand registered."""
    from rewardkit.cli import score, serve, verifiers

    parser = argparse.ArgumentParser(prog="rewardkit", description="reward engine for RL post-training")
    parser.add_argument("--version", action="version", version=f"rewardkit {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    score.add_parser(sub)
    serve.add_parser(sub)
    verifiers.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except SpecError as exc:
        print(f"rewardkit: invalid spec: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
