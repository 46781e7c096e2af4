"""Shared helpers of the server tests: test verifiers, in-process clients, real servers."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
for extra in (ROOT / "tests", ROOT / "tests" / "core"):
    if str(extra) not in sys.path:
        sys.path.insert(0, str(extra))

import faulty_verifiers  # noqa: E402,F401  registers test.faulty / test.len
from fastapi.testclient import TestClient  # noqa: E402
from serve_helpers import make_client  # noqa: E402

#: Launcher that registers the test verifiers, then runs the CLI (as tests/cli does).
PLUGIN_LAUNCHER = "import faulty_verifiers\nfrom rewardkit.cli import main\nraise SystemExit(main())\n"




@pytest.fixture
def client() -> TestClient:
    return make_client()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class RunningServer:
    """A ``rewardkit serve`` subprocess; :meth:`stop` always kills it and its process group."""

    def __init__(self, args: list[str], with_test_verifiers: bool = False) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), str(ROOT / "tests" / "core")])
        prefix = ["-c", PLUGIN_LAUNCHER] if with_test_verifiers else ["-m", "rewardkit"]
        self.log = tempfile.TemporaryFile()  # stderr: a file, so a chatty server never blocks on a pipe
        self.proc = subprocess.Popen(
            [sys.executable, *prefix, "serve", "--port", str(self.port), *args],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=self.log,
            start_new_session=True,
        )

    def wait_ready(self, limit: float = 90.0) -> None:
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self.log.seek(0)
                err = self.log.read().decode(errors="replace")
                raise RuntimeError(f"server exited with {self.proc.returncode}: {err}")
            try:
                if httpx.get(self.url + "/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError("server did not answer /health in time")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.proc.wait(timeout=10)
        self.log.close()


def start_server(args: list[str], with_test_verifiers: bool = False) -> Iterator[RunningServer]:
    server = RunningServer(args, with_test_verifiers)
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def math_server() -> Iterator[RunningServer]:
    """``python -m rewardkit serve --workers 1`` (default spec math)."""
    yield from start_server(["--workers", "1", "--timeout", "60"])


@pytest.fixture(scope="module")
def faulty_server() -> Iterator[RunningServer]:
    """A server with the test verifiers registered, spec test.faulty, 2 s deadline."""
    yield from start_server(["--workers", "1", "--timeout", "2", "--spec", "test.faulty"], True)
