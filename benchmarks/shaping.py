"""Shaping stage cost and what it reports on real data, side by side in one run.

Uses /work/shared/data/math_responses.jsonl (or ``--data``): prompts with 8 graded responses
each (``grader_labels``, ``rm_scores``). Prints:
- the per-sample cost of ``[[shaping]]`` (cosine, Kimi, repetition, soft overlong, tag count,
  group stats) as a ratio against composition alone, inline (``workers=0``);
- group statistics of the real data: DAPO all-equal groups, pass@1 / pass@8;
- the open-r1 cosine defect: how many correct responses longer than ``max_len`` the unclipped
  formula pays more than a response of exactly ``max_len``.

Ratios, not absolute times, are the result (machines here are noisy).

    python benchmarks/shaping.py [--data PATH] [--repeat 8]
"""

from __future__ import annotations

import argparse
import json
import math
import time
from pathlib import Path

import rewardkit as rk
from rewardkit.shaping.length import cosine_length_reward

DATA = Path("/work/shared/data/math_responses.jsonl")


@rk.verifier("bench.label", description="the grader's label from meta (benchmark only)")
def _label():
    return lambda s: float(bool(s.meta["label"]))


def _samples(path: Path, repeat: int) -> list[rk.Sample]:
    out = []
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    for k in range(repeat):
        for row in rows:
            for resp, label in zip(row["responses"], row["grader_labels"], strict=True):
                meta = {"label": bool(label), "group_id": f"{row['id']}/{k}"}
                ref = row["reference"]
                out.append(rk.Sample(prompt=row["question"], response=resp, reference=ref, meta=meta))
    return out


BASE = {"name": "base", "terms": [{"verifier": "bench.label", "name": "acc"}]}
SHAPED = {
    **BASE,
    "name": "shaped",
    "shaping": [
        {"kind": "length.cosine", "max_len": 4096},
        {"kind": "length.kimi", "weight": 0.5},
        {"kind": "repetition", "weight": 0.5},
        {"kind": "length.soft_overlong", "max_len": 4096, "cache": 1024},
        {"kind": "format.tag_count", "weight": 0.1},
        {"kind": "group.stats", "ks": [1, 4, 8]},
    ],
}


def _best(fn, runs: int = 3) -> float:
    best = math.inf
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--repeat", type=int, default=8, help="copies of the data set (as distinct groups)")
    args = ap.parse_args()
    samples = _samples(args.data, args.repeat)
    n = len(samples)
    base = _best(lambda: rk.score(samples, BASE, workers=0))
    shaped = _best(lambda: rk.score(samples, SHAPED, workers=0))
    print(f"samples: {n} in groups of 8")
    print(f"compose only      : {base / n * 1e6:8.1f} us/sample")
    print(f"compose + shaping : {shaped / n * 1e6:8.1f} us/sample  (ratio {shaped / base:.2f}x)")
    print(f"shaping alone     : {(shaped - base) / n * 1e6:8.1f} us/sample (6 entries)")

    one = _samples(args.data, 1)
    results = rk.score(one, SHAPED, workers=0)
    groups: dict[str, dict] = {}
    for r in results:
        groups[r.details["group"]["id"]] = r.details["group"]
    g = list(groups.values())
    all_eq = sum(1 for x in g if x["all_correct_equal"])
    print(f"groups: {len(g)}; all-correct or all-wrong (DAPO would drop): {all_eq} ({all_eq / len(g):.0%})")
    p1 = sum(x["pass@1"] for x in g) / len(g)
    p8 = sum(x["pass@8"] for x in g) / len(g)
    print(f"mean pass@1 {p1:.3f}   mean pass@8 {p8:.3f}")

    max_len = 1000  # open-r1's default, in characters
    at_max = cosine_length_reward(max_len, True, max_len)
    long_correct = [s for s in one if s.meta["label"] and len(s.response) > max_len]
    overpaid = sum(
        1
        for s in long_correct
        if 0.5 + 0.25 * (1 + math.cos(math.pi * len(s.response) / max_len)) > at_max + 1e-12
    )
    print(
        f"cosine, max_len {max_len} chars: {len(long_correct)} correct responses are longer; "
        f"unclipped (open-r1) pays {overpaid} of them more than a response of exactly max_len, clipped pays 0"
    )


if __name__ == "__main__":
    main()
