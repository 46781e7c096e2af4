"""Engine overhead and parallel throughput, measured side by side in one run.

Prints, for N samples:
- a trivial verifier (string equality): per-sample overhead of ``rk.score`` against a plain
  Python loop calling the same scorer, inline (``workers=0``) and through the worker pool;
- a CPU-bound verifier (~1 ms of work per sample): throughput with 1 and 2 workers as ratios
  against the plain loop.

Ratios, not absolute times, are the result (machines here are noisy).

    python benchmarks/engine.py [--n 20000]
"""

from __future__ import annotations

import argparse
import time

import rewardkit as rk


@rk.verifier("bench.trivial", description="string equality (benchmark only)")
def _trivial():
    return lambda s: float(s.response == s.reference)


@rk.verifier("bench.cpu", description="about 1 ms of arithmetic (benchmark only)")
def _cpu():
    def run(s: rk.Sample) -> float:
        acc = 0
        for i in range(20_000):
            acc = (acc * 31 + i) % 1_000_003
        return float(acc >= 0 and s.response == s.reference)

    return run


def _plain(name: str, samples: list[rk.Sample]) -> float:
    from rewardkit.core.registry import get_verifier

    fn = get_verifier(name).build()
    start = time.perf_counter()
    for s in samples:
        fn(s)
    return time.perf_counter() - start


def _engine(name: str, samples: list[rk.Sample], workers: int) -> float:
    rk.score(samples[:50], spec=name, workers=workers)  # warm the pool
    start = time.perf_counter()
    results = rk.score(samples, spec=name, workers=workers)
    elapsed = time.perf_counter() - start
    assert all(r.status == "ok" for r in results)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=20_000, help="samples for the trivial verifier")
    parser.add_argument("--n-cpu", type=int, default=2_000, help="samples for the CPU-bound verifier")
    args = parser.parse_args()

    trivial = [rk.Sample(response=str(i), reference=str(i % 3)) for i in range(args.n)]
    loop = _plain("bench.trivial", trivial)
    print(f"trivial verifier, {args.n} distinct samples")
    print(f"  plain loop            {loop / args.n * 1e6:8.2f} us/sample")
    for workers in (0, 1, 2):
        t = _engine("bench.trivial", trivial, workers)
        label = "inline (workers=0)" if workers == 0 else f"pool workers={workers}"
        overhead = (t - loop) / args.n * 1e6
        print(
            f"  {label:<21} {t / args.n * 1e6:8.2f} us/sample  overhead {overhead:7.2f} us/sample  "
            f"time ratio vs loop {t / loop:6.1f}x"
        )

    cpu = [rk.Sample(response=str(i), reference=str(i % 3)) for i in range(args.n_cpu)]
    loop = _plain("bench.cpu", cpu)
    print(f"cpu-bound verifier (~{loop / args.n_cpu * 1e3:.2f} ms/sample), {args.n_cpu} samples")
    print(f"  plain loop            {args.n_cpu / loop:8.0f} samples/s  1.00x")
    rates = {}
    for workers in (1, 2):
        t = _engine("bench.cpu", cpu, workers)
        rates[workers] = args.n_cpu / t
        print(
            f"  pool workers={workers}        {rates[workers]:8.0f} samples/s  "
            f"{rates[workers] / (args.n_cpu / loop):.2f}x the plain loop"
        )
    print(f"  2 workers / 1 worker  {rates[2] / rates[1]:.2f}x")


if __name__ == "__main__":
    main()
