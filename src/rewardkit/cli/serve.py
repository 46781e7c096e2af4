"""``rewardkit serve [--spec SPEC] [--host H] [--port P] [--workers N] [--timeout S] ...``."""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Callable
from typing import Any

from rewardkit._extras import MissingExtraError, require
from rewardkit.core.engine import DEFAULT_MEMORY_MB
from rewardkit.core.errors import SpecError

LOG_LEVELS = ("critical", "error", "warning", "info", "debug", "trace")


def _number(kind: Callable[[str], Any], what: str, low: float, high: float = math.inf) -> Any:
    """An argparse type: ``kind(text)`` within ``[low, high]`` and finite, else a usage error (exit 2)."""

    def parse(text: str) -> Any:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not {what}") from None
        if not (math.isfinite(value) and low <= value <= high):
            raise argparse.ArgumentTypeError(f"{text!r} is not {what}")
        return value

    return parse


def _positive_seconds(text: str) -> float:
    value = _number(float, "a positive finite number of seconds", 0.0)(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive finite number of seconds")
    return float(value)


def _log_level(text: str) -> str:
    if text.lower() not in LOG_LEVELS:
        raise argparse.ArgumentTypeError(f"{text!r} is not one of {', '.join(LOG_LEVELS)}")
    return text.lower()


def add_parser(sub: Any) -> None:
    """Register the ``serve`` subcommand."""
    p = sub.add_parser("serve", help="run the HTTP reward server (needs rewardkit[server])")
    p.add_argument("--spec", default="math", help="default spec: built-in name or spec file (default: math)")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    p.add_argument(
        "--port", type=_number(int, "a port number (0-65535)", 0, 65535), default=8000,
        help="port to bind (default: 8000)",
    )
    p.add_argument(
        "--workers", type=_number(int, "a worker count >= 0", 0), default=None,
        help="worker processes (default: cores, at most 8)",
    )
    p.add_argument(
        "--timeout", type=_positive_seconds, default=None,
        help="per-sample deadline in seconds for every request; a spec sent with a request may ask "
        "for less, never more (default: the spec's, else 30)",
    )
    p.add_argument(
        "--memory-mb", type=_number(int, "a number of MiB >= 0", 0), default=DEFAULT_MEMORY_MB,
        help="per-worker memory cap (0: none)",
    )
    p.add_argument(
        "--max-samples", type=_number(int, "a count >= 1", 1), default=10_000,
        help="most samples in one request",
    )
    p.add_argument(
        "--max-body-mb", type=_number(float, "a positive number of MiB", 1e-3), default=64.0,
        help="largest request body in MiB",
    )
    p.add_argument(
        "--allow-client-paths", action="store_true",
        help="let clients name server files (sample db_path/db, spec tokenizer/db_root...); "
        "only for trusted clients",
    )
    p.add_argument(
        "--limit-concurrency", type=_number(int, "a count >= 1", 1), default=1024,
        help="most connections served at once; more get 503 (default: 1024)",
    )
    p.add_argument(
        "--keep-alive", type=_positive_seconds, default=5.0,
        help="seconds an idle keep-alive connection stays open (default: 5)",
    )
    p.add_argument(
        "--log-level", type=_log_level, default="warning",
        help=f"uvicorn log level: {', '.join(LOG_LEVELS)} (default: warning)",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Build the app and serve it with uvicorn until interrupted."""
    try:
        uvicorn = require("uvicorn", "server")
        from rewardkit.serve import ServeConfig, create_app

        config = ServeConfig(
            spec=args.spec,
            workers=args.workers,
            timeout=args.timeout,
            memory_mb=args.memory_mb or None,
            max_samples=args.max_samples,
            max_body_bytes=int(args.max_body_mb * 1024 * 1024),
            allow_client_paths=args.allow_client_paths,
            limit_concurrency=args.limit_concurrency,
            timeout_keep_alive=args.keep_alive,
        )
        app = create_app(config)
    except MissingExtraError as exc:
        print(f"rewardkit serve: {exc}", file=sys.stderr)
        return 2
    except SpecError:
        raise  # main() reports it as an invalid spec, exit code 2
    except ValueError as exc:
        print(f"rewardkit serve: {exc}", file=sys.stderr)
        return 2
    server = app.state.rewardkit
    print(
        f"rewardkit serve: spec {server.spec.name!r}, {server.workers} worker(s), "
        f"http://{args.host}:{args.port} (POST /v1/score, POST /get_reward, GET /health, GET /metrics)",
        file=sys.stderr,
        flush=True,
    )
    uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level, **config.uvicorn_options())
    return 0
