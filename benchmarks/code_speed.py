"""Speed of the ``code`` verifier against a naive ``subprocess.run`` per test case, in one run.

Both sides run the same small Python stdin/stdout problems and check the same outputs:

* naive: one fresh ``python3 -I`` per test case through ``subprocess.run`` (no sandbox at all);
* rewardkit: the ``code`` verifier, each test in a fresh sandboxed process forked from the warm
  bubblewrap runner of this process (the runner's one-off start is reported separately).

Printed: tests per second for each, the throughput ratio, and the per-test overhead of each
measured on a trivial program, as milliseconds and as a ratio. Target (issue 4): rewardkit at least
4x the naive throughput on small Python tests, with per-test overhead under 3 ms.

Usage: ``python benchmarks/code_speed.py [--problems N] [--tests M] [--repeat R]``
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src"))

from rewardkit.core.registry import get_verifier, run_scorer  # noqa: E402
from rewardkit.core.types import Sample  # noqa: E402
from rewardkit.verifiers.code._sandbox import default_python, shutdown_all  # noqa: E402

PROGRAMS = {
    "sum": ("print(sum(map(int, input().split())))", lambda xs: str(sum(xs))),
    "max": ("print(max(map(int, input().split())))", lambda xs: str(max(xs))),
    "sorted": (
        "xs = sorted(map(int, input().split()))\nprint(' '.join(map(str, xs)))",
        lambda xs: " ".join(map(str, sorted(xs))),
    ),
    "squares": (
        "import sys\nfor x in map(int, sys.stdin.read().split()):\n    print(x * x)",
        lambda xs: "\n".join(str(x * x) for x in xs),
    ),
}
TRIVIAL = ("pass", lambda xs: "")


def make_problems(n_problems: int, n_tests: int, trivial: bool = False) -> list[dict]:
    """``n_problems`` problems of ``n_tests`` stdin/stdout cases each."""
    names = sorted(PROGRAMS)
    problems = []
    for p in range(n_problems):
        code, solve = TRIVIAL if trivial else PROGRAMS[names[p % len(names)]]
        inputs, outputs = [], []
        for t in range(n_tests):
            xs = [(p * 31 + t * 17 + k * 7) % 101 - 50 for k in range(5 + t % 7)]
            inputs.append(" ".join(map(str, xs)) + "\n")
            outputs.append(solve(xs) + "\n")
        problems.append({"code": code, "inputs": inputs, "outputs": outputs})
    return problems


def run_naive(problems: list[dict], python: str) -> tuple[float, int, int]:
    """Seconds, tests run, tests passed with one ``subprocess.run`` per test."""
    passed = total = 0
    start = time.perf_counter()
    for prob in problems:
        for stdin, want in zip(prob["inputs"], prob["outputs"], strict=True):
            proc = subprocess.run(
                [python, "-I", "-c", prob["code"]],
                input=stdin,
                capture_output=True,
                text=True,
                timeout=10,
            )
            total += 1
            lines = [x.rstrip() for x in proc.stdout.rstrip().split("\n")]
            want_lines = [x.rstrip() for x in want.rstrip().split("\n")]
            passed += proc.returncode == 0 and lines == want_lines
    return time.perf_counter() - start, total, passed


def run_rewardkit(problems: list[dict]) -> tuple[float, int, int]:
    """Seconds, tests run, tests passed through the ``code`` verifier."""
    scorer = get_verifier("code").build({})
    samples = [
        Sample(
            response=f"```python\n{prob['code']}\n```",
            reference={"inputs": prob["inputs"], "outputs": prob["outputs"]},
        )
        for prob in problems
    ]
    passed = total = 0
    start = time.perf_counter()
    for sample in samples:
        result = run_scorer(scorer, sample)
        if result.status != "ok":
            raise SystemExit(f"rewardkit failed: {result.status} {result.reason}")
        total += result.details["total"]
        passed += result.details["passed"]
    return time.perf_counter() - start, total, passed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--problems", type=int, default=20)
    parser.add_argument("--tests", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    python = default_python()

    warm = time.perf_counter()
    run_rewardkit(make_problems(1, 1))  # starts this process's warm runner
    warm = time.perf_counter() - warm

    problems = make_problems(args.problems, args.tests)
    trivial = make_problems(args.problems, args.tests, trivial=True)
    best: dict[str, float] = {}
    for _ in range(args.repeat):
        for name, fn, probs in (
            ("naive", lambda p: run_naive(p, python), problems),
            ("rewardkit", run_rewardkit, problems),
            ("naive_trivial", lambda p: run_naive(p, python), trivial),
            ("rewardkit_trivial", run_rewardkit, trivial),
        ):
            seconds, total, passed = fn(probs)
            if passed != total:
                raise SystemExit(f"{name}: only {passed}/{total} tests passed")
            best[name] = min(best.get(name, float("inf")), seconds)
    n = args.problems * args.tests
    print(
        f"python: {python}; {args.problems} problems x {args.tests} tests = {n} tests; "
        f"best of {args.repeat}; runner start (once per worker): {warm * 1000:.0f} ms"
    )
    print(f"{'':22s}{'tests/s':>10s}{'ms/test':>10s}")
    for name in ("naive", "rewardkit", "naive_trivial", "rewardkit_trivial"):
        print(f"{name:22s}{n / best[name]:10.1f}{best[name] / n * 1000:10.2f}")
    ratio = best["naive"] / best["rewardkit"]
    overhead_rk = best["rewardkit_trivial"] / n * 1000
    overhead_naive = best["naive_trivial"] / n * 1000
    print(f"throughput ratio rewardkit/naive: {ratio:.1f}x (target >= 4x)")
    print(
        f"per-test overhead (trivial program): rewardkit {overhead_rk:.2f} ms, naive "
        f"{overhead_naive:.2f} ms, ratio naive/rewardkit {overhead_naive / overhead_rk:.1f}x "
        f"(target < 3 ms)"
    )
    shutdown_all()


if __name__ == "__main__":
    main()
