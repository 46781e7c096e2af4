"""Helpers shared by the server tests (a uniquely named module: test files import it, never
``conftest``, so running tests/serve with other test folders cannot pick another conftest)."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
for extra in (ROOT / "tests" / "core",):
    if str(extra) not in sys.path:
        sys.path.insert(0, str(extra))

from fastapi.testclient import TestClient  # noqa: E402

from rewardkit.serve import ServeConfig, create_app  # noqa: E402


def make_client(**config: object) -> TestClient:
    """A TestClient on a fresh app; ``workers`` defaults to 0 (inline, fast)."""
    config.setdefault("workers", 0)
    return TestClient(create_app(ServeConfig(**config)))  # type: ignore[arg-type]
