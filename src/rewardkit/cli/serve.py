"""``rewardkit serve [--spec SPEC] [--host H] [--port P] [--workers N] [--timeout S]``."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from rewardkit._extras import MissingExtraError, require
from rewardkit.core.engine import DEFAULT_MEMORY_MB
from rewardkit.core.errors import SpecError


def add_parser(sub: Any) -> None:
    """Register the ``serve`` subcommand."""
    p = sub.add_parser("serve", help="run the HTTP reward server (needs rewardkit[server])")
    p.add_argument("--spec", default="math", help="default spec: built-in name or spec file (default: math)")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port to bind (default: 8000)")
    p.add_argument("--workers", type=int, default=None, help="worker processes (default: cores, at most 8)")
    p.add_argument("--timeout", type=float, default=None, help="per-sample deadline in seconds")
    p.add_argument("--memory-mb", type=int, default=DEFAULT_MEMORY_MB, help="per-worker memory cap")
    p.add_argument("--max-samples", type=int, default=10_000, help="most samples in one request")
    p.add_argument("--max-body-mb", type=float, default=64.0, help="largest request body in MiB")
    p.add_argument("--log-level", default="warning", help="uvicorn log level (default: warning)")
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
    uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level)
    return 0
