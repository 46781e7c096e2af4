"""The reward server against calling ``rk.score`` in process, side by side in one run.

Same batches of real math responses (``examples/math/samples.jsonl``), same worker count, same
spec; the server is the real ``rewardkit serve`` in a subprocess, called over HTTP with httpx.

Scenarios:
- sequential: one client sends batches of B samples one after another;
- concurrent: C client threads each send their share of the batches at once (the server merges
  requests that wait together into one engine call; in process, C threads call ``rk.score``).

Prints requests/s and samples/s for both and the ratio server / in-process. Ratios, not absolute
times, are the result (machines here are noisy).

    python benchmarks/serve.py [--workers 1] [--requests 200] [--batch 8 64] [--clients 8]
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _load(batch: int, n_requests: int) -> list[list[dict]]:
    from rewardkit.core.rows import row_to_sample

    rows = [
        json.loads(line) for line in (ROOT / "examples/math/samples.jsonl").read_text().splitlines() if line
    ]
    samples = [row_to_sample(r).to_dict() for r in rows]
    batches = []
    for i in range(n_requests):
        start = (i * batch) % len(samples)
        # meta "request" makes every request's samples distinct work: merged requests get no
        # de-duplication advantage over separate in-process calls
        batches.append(
            [{**samples[(start + k) % len(samples)], "meta": {"request": i}} for k in range(batch)]
        )
    return batches


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class _Server:
    def __init__(self, workers: int) -> None:
        import httpx

        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
        self.log = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "rewardkit", "serve", "--port", str(self.port), "--workers", str(workers)],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=self.log,
            start_new_session=True,
        )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("server exited early")
            try:
                if httpx.get(self.url + "/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("server did not start")

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


def _timed(run: Callable[[list[list[dict]]], None], batches: list[list[dict]], clients: int) -> float:
    shares = [batches[i::clients] for i in range(clients)]
    start = time.perf_counter()
    if clients == 1:
        run(batches)
    else:
        with concurrent.futures.ThreadPoolExecutor(clients) as pool:
            list(pool.map(run, shares))
    return time.perf_counter() - start


def main() -> None:
    import httpx

    import rewardkit as rk

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--batch", type=int, nargs="+", default=[8, 64])
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()

    server = _Server(args.workers)
    try:
        print(f"rewardkit serve vs in-process rk.score: spec math, {args.workers} worker(s), MATH responses")
        print(
            f"{'scenario':<28}{'server req/s':>14}{'in-proc req/s':>15}{'server smp/s':>14}"
            f"{'in-proc smp/s':>15}{'ratio':>8}"
        )

        def via_http(share: list[list[dict]]) -> None:
            with httpx.Client(base_url=server.url, timeout=300) as c:
                for b in share:
                    r = c.post("/v1/score", json={"samples": b})
                    r.raise_for_status()

        def in_process(share: list[list[dict]]) -> None:
            for b in share:
                rk.score(b, "math", workers=args.workers)

        warm = _load(8, 4)
        via_http(warm)
        in_process(warm)
        for batch in args.batch:
            n = max(4, args.requests if batch <= 16 else args.requests // 4)
            batches = _load(batch, n)
            for clients in (1, args.clients):
                t_http = _timed(via_http, batches, clients)
                t_proc = _timed(in_process, batches, clients)
                label = f"batch {batch}, {clients} client(s)"
                print(
                    f"{label:<28}{n / t_http:>14.1f}{n / t_proc:>15.1f}{n * batch / t_http:>14.1f}"
                    f"{n * batch / t_proc:>15.1f}{t_proc / t_http:>8.2f}"
                )
        print("ratio = server throughput / in-process throughput (same batches, same run)")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
