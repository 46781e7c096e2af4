"""Speed and agreement of the ``math`` verifier against Math-Verify 0.9.0, side by side in one run.

Both sides score the same responses of shared/data/math_responses.jsonl (MATH problems with 8
model responses each and a grader label per response; examples/math/samples.jsonl also works),
one process each, one response at a time:

* rewardkit: the ``math`` verifier's scoring callable (``get_verifier("math").build({})``), timed
  per response around the call; then the same responses through ``rk.score(..., workers=0)``
  (engine included) and, with ``--workers N``, through the worker pool.
* Math-Verify: ``verify(parse(gold), parse(response))`` with the gold boxed as verl does
  (``parse(reference)`` alone misreads mixed numbers and units: ``1\\frac{1}{4}`` becomes 1/4),
  timed per response around parse + parse + verify. It runs in a separate ``python`` process with
  a hard per-response deadline (``--mv-deadline``): Math-Verify can hang forever (its #65), and a
  response it does not finish in time is counted as a ``timeout`` at the deadline.

Printed: responses per second per core for each side and their ratio (time per response summed
over responses; warm-up excluded; each response's fastest of ``--repeat`` passes, rewardkit's
caches emptied before each pass), latency p50 / p99 / max per response, accuracy / precision /
recall against the data file's grader labels, and every response where the two verdicts differ
(id, reference, both extracted answers, both verdicts, the grader label). Issue 3 target: at least
3x Math-Verify's throughput per core, agreeing with every verdict where Math-Verify is right.
Absolute times depend on the (noisy, shared) machine; the ratio is measured in the same run.

    python benchmarks/math_speed.py [--data PATH] [--limit N] [--repeat R] [--workers N] [--json]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import selectors
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src"))

SHARED_DATA = Path("/work/shared/data/math_responses.jsonl")
EXAMPLE_DATA = Path(__file__).resolve().parent.parent / "examples" / "math" / "samples.jsonl"
#: The full data set where this machine has it, else the example subset shipped with the repo.
DEFAULT_DATA = SHARED_DATA if SHARED_DATA.exists() else EXAMPLE_DATA
#: The spec the engine rows use: the math verifier alone, default options.
SPEC: dict[str, Any] = {"terms": [{"verifier": "math", "options": {}}]}
#: Keys of ``RewardResult.details`` that may hold the extracted answer, in order of preference.
_ANSWER_KEYS = ("extracted", "answer", "extracted_answer", "pred", "prediction", "parsed")
#: (response, reference) pairs both sides score untimed before the run, so one-off lazy imports
#: (sympy, parser tables) are not counted as per-response time on either side.
WARM_UP: list[tuple[str, str]] = [
    ("\\boxed{1}", "1"),
    ("\\boxed{\\frac{1}{2}}", "0.5"),
    ("\\boxed{\\sqrt{2}}", "\\sqrt 2"),
    ("\\boxed{x^2+1}", "1+x^2"),
    ("\\boxed{(1, 2)}", "(1,2)"),
    ("\\boxed{\\dfrac{\\pi}{3}}", "\\frac{\\pi}{3}"),
    ("The answer is $3\\sqrt{5}$.", "3\\sqrt{5}"),
    ("\\boxed{[0, 1)}", "[0,1)"),
]
#: Startup budget of the Math-Verify process (imports and the warm-up call).
_MV_STARTUP_S = 120.0


def load_pairs(path: Path, limit: int | None) -> list[dict[str, Any]]:
    """One dict per (problem, response): id, reference, response, label; at most ``limit``.

    Reads the grouped layout of shared/data/math_responses.jsonl (``responses`` and
    ``grader_labels`` lists per problem) and the flat one of examples/math/samples.jsonl (one
    ``response`` per row, label in ``anchor_label``).
    """
    pairs: list[dict[str, Any]] = []
    with path.open() as fh:
        for n, line in enumerate(fh):
            if not line.strip():
                continue
            row = json.loads(line)
            if "responses" in row:
                rid = row.get("id", n)
                group = [
                    (f"{rid}/{k}", resp, label)
                    for k, (resp, label) in enumerate(
                        zip(row["responses"], row["grader_labels"], strict=True)
                    )
                ]
            else:
                group = [(str(row.get("id", n)), row["response"], row["anchor_label"])]
            for pid, resp, label in group:
                pairs.append(
                    {"id": pid, "reference": row["reference"], "response": resp, "label": bool(label)}
                )
                if limit is not None and len(pairs) >= limit:
                    return pairs
    return pairs


def latency_stats(seconds: list[float]) -> dict[str, float]:
    """p50 / p99 / max in milliseconds (nearest rank)."""
    if not seconds:
        return {"p50_ms": 0.0, "p99_ms": 0.0, "max_ms": 0.0}
    s = sorted(seconds)

    def rank(q: float) -> float:
        return s[min(len(s), max(1, math.ceil(q * len(s)))) - 1] * 1000

    return {"p50_ms": rank(0.50), "p99_ms": rank(0.99), "max_ms": s[-1] * 1000}


def agreement(verdicts: list[bool | None], labels: list[bool]) -> dict[str, float]:
    """Accuracy, precision and recall against the labels; ``None`` (no verdict) counts as False."""
    pred = [bool(v) for v in verdicts]
    tp = sum(p and g for p, g in zip(pred, labels, strict=True))
    fp = sum(p and not g for p, g in zip(pred, labels, strict=True))
    fn = sum(g and not p for p, g in zip(pred, labels, strict=True))
    n = max(len(labels), 1)
    return {
        "accuracy": sum(p == g for p, g in zip(pred, labels, strict=True)) / n,
        "precision": tp / max(tp + fp, 1),
        "recall": tp / max(tp + fn, 1),
    }


def _answer_of(details: dict[str, Any]) -> str | None:
    for key in _ANSWER_KEYS:
        if details.get(key) is not None:
            return str(details[key])
    return None


# --------------------------------------------------------------------------------------- rewardkit


def _clear_caches(package: str) -> None:
    """Empty every ``functools`` cache in ``package``'s modules, so each repeat starts cold (a
    second pass over the same responses must not be served from the first pass's cache)."""
    for name, module in list(sys.modules.items()):
        if module is None or not (name == package or name.startswith(package + ".")):
            continue
        for obj in list(vars(module).values()):
            if callable(getattr(obj, "cache_clear", None)):
                obj.cache_clear()


def run_rewardkit(pairs: list[dict[str, Any]]) -> dict[str, Any]:
    """Score every pair with the math verifier's callable; per-response times and verdicts."""
    from rewardkit.core.registry import get_verifier, run_scorer
    from rewardkit.core.types import Sample

    _clear_caches("rewardkit.verifiers.math")
    fn = get_verifier("math").build({})
    samples = [Sample(response=p["response"], reference=p["reference"]) for p in pairs]
    for response, reference in WARM_UP:
        run_scorer(fn, Sample(response=response, reference=reference))
    times: list[float] = []
    verdicts: list[bool | None] = []
    statuses: list[str] = []
    answers: list[str | None] = []
    reasons: list[str | None] = []
    for sample in samples:
        start = time.perf_counter()
        result = run_scorer(fn, sample)
        times.append(time.perf_counter() - start)
        statuses.append(result.status)
        verdicts.append(None if result.value is None else result.value >= 1.0)
        answers.append(_answer_of(result.details))
        reasons.append(result.reason)
    return {
        "times": times,
        "verdicts": verdicts,
        "statuses": statuses,
        "answers": answers,
        "reasons": reasons,
    }


def best_of(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The first run's verdicts with each response's fastest time over all runs (machine noise
    only ever adds time)."""
    best = dict(runs[0])
    best["times"] = [min(ts) for ts in zip(*(r["times"] for r in runs), strict=True)]
    return best


def run_engine(pairs: list[dict[str, Any]], workers: int, timeout: float) -> dict[str, Any]:
    """Wall time of ``rk.score`` on every pair (after a small warm-up call)."""
    import rewardkit as rk

    samples = [rk.Sample(response=p["response"], reference=p["reference"]) for p in pairs]
    warm = [  # distinct meta: the engine would merge identical copies
        rk.Sample(response=r, reference=g, meta={"warm": k})
        for k in range(max(1, workers))
        for r, g in WARM_UP
    ]
    rk.score(warm, spec=SPEC, workers=workers, timeout=timeout)  # start and warm the pool
    start = time.perf_counter()
    results = rk.score(samples, spec=SPEC, workers=workers, timeout=timeout)
    wall = time.perf_counter() - start
    counts: dict[str, int] = {}
    for r in results:
        counts[r.status] = counts.get(r.status, 0) + 1
    return {"workers": workers, "wall_s": wall, "per_s": len(samples) / max(wall, 1e-9), "statuses": counts}


# ------------------------------------------------------------------------------------- Math-Verify


def _mv_worker(path: str, start: int) -> None:
    """Child process: score pairs ``start..`` of the JSON file, one JSON line per response."""
    out = os.fdopen(os.dup(1), "w")  # the protocol channel; anything Math-Verify prints goes to stderr
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    from math_verify import parse, verify

    with open(path) as fh:
        pairs = json.load(fh)

    def one(reference: str, response: str) -> tuple[bool, str | None, str | None]:
        gold = parse("\\boxed{" + reference + "}")
        pred = parse(response)
        ok = bool(verify(gold, pred))
        return ok, (str(pred[-1]) if pred else None), None

    for response, reference in WARM_UP:  # imports and grammar set-up
        one(reference, response)
    print(json.dumps({"ready": True}), file=out, flush=True)
    for i in range(start, len(pairs)):
        t0 = time.perf_counter()
        try:
            ok, answer, error = one(pairs[i]["reference"], pairs[i]["response"])
        except Exception as exc:  # Math-Verify raised: no verdict, reported as an error
            ok, answer, error = False, None, f"{type(exc).__name__}: {exc}"
        dt = time.perf_counter() - t0
        print(json.dumps({"i": i, "ok": ok, "answer": answer, "error": error, "t": dt}), file=out, flush=True)


class _LineReader:
    """Lines from a pipe with a deadline per line (unbuffered: a line already received is never
    left waiting in a buffer while the deadline runs)."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.buf = b""
        self.sel = selectors.DefaultSelector()
        self.sel.register(fd, selectors.EVENT_READ)

    def readline(self, timeout: float) -> bytes | None:
        """The next line; ``b""`` at end of file; ``None`` when none came within ``timeout``."""
        end = time.monotonic() + timeout
        while b"\n" not in self.buf:
            left = end - time.monotonic()
            if left <= 0 or not self.sel.select(timeout=left):
                return None
            chunk = os.read(self.fd, 1 << 16)
            if not chunk:
                return b""
            self.buf += chunk
        line, _, self.buf = self.buf.partition(b"\n")
        return line + b"\n"

    def close(self) -> None:
        self.sel.close()


def run_math_verify(pairs: list[dict[str, Any]], deadline: float) -> dict[str, Any]:
    """Score every pair with Math-Verify in a child process with a hard per-response deadline.

    A response still running at the deadline is counted as ``timeout`` (at the deadline), one that
    kills the process as ``error``; a fresh process then takes the rest.
    """
    n = len(pairs)
    times: list[float] = [0.0] * n
    verdicts: list[bool | None] = [None] * n
    statuses: list[str] = ["error"] * n
    answers: list[str | None] = [None] * n
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "pairs.json")
        with open(path, "w") as fh:
            json.dump([{"reference": p["reference"], "response": p["response"]} for p in pairs], fh)
        nxt = 0
        while nxt < n:
            proc = subprocess.Popen(
                [sys.executable, os.path.abspath(__file__), "--_mv-worker", path, str(nxt)],
                stdout=subprocess.PIPE,
                stdin=subprocess.DEVNULL,
            )
            assert proc.stdout is not None
            reader = _LineReader(proc.stdout.fileno())
            ready = False
            try:
                while nxt < n:
                    line = reader.readline(deadline if ready else _MV_STARTUP_S)
                    if not line:  # hung past the deadline (None) or died (b""): a fresh process
                        if not ready:
                            raise SystemExit(f"Math-Verify process failed to start: {line!r}")
                        times[nxt], statuses[nxt] = deadline, "timeout" if line is None else "error"
                        nxt += 1
                        break
                    msg = json.loads(line)
                    if msg.get("ready"):
                        ready = True
                        continue
                    i = msg["i"]
                    times[i], answers[i] = msg["t"], msg["answer"]
                    statuses[i] = "error" if msg["error"] else "ok"
                    verdicts[i] = None if msg["error"] else msg["ok"]
                    nxt = i + 1
            finally:
                reader.close()
                proc.kill()
                proc.wait()
                proc.stdout.close()
    return {"times": times, "verdicts": verdicts, "statuses": statuses, "answers": answers}


# ------------------------------------------------------------------------------------------ report


def _counts(statuses: list[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for s in statuses:
        out[s] = out.get(s, 0) + 1
    return out


def build_report(
    pairs: list[dict[str, Any]],
    rk_run: dict[str, Any],
    mv_run: dict[str, Any],
    engine_runs: list[dict[str, Any]],
) -> dict[str, Any]:
    """Everything the benchmark prints, as one JSON-ready dict."""
    labels = [p["label"] for p in pairs]
    n = len(pairs)
    sides: dict[str, dict[str, Any]] = {}
    for name, run in (("rewardkit", rk_run), ("math_verify", mv_run)):
        total = sum(run["times"])
        sides[name] = {
            "per_core_per_s": n / total if total > 0 else 0.0,
            "seconds": total,
            **latency_stats(run["times"]),
            **agreement(run["verdicts"], labels),
            "statuses": _counts(run["statuses"]),
        }
    rk_t, mv_t = sides["rewardkit"]["seconds"], sides["math_verify"]["seconds"]
    disagreements = []
    rk_wrong_where_mv_right = 0
    for i, p in enumerate(pairs):
        rk_v, mv_v = bool(rk_run["verdicts"][i]), bool(mv_run["verdicts"][i])
        if mv_v == p["label"] and rk_v != p["label"]:
            rk_wrong_where_mv_right += 1
        if rk_v == mv_v and rk_run["statuses"][i] == mv_run["statuses"][i]:
            continue
        disagreements.append(
            {
                "id": p["id"],
                "reference": p["reference"],
                "rewardkit_answer": rk_run["answers"][i],
                "math_verify_answer": mv_run["answers"][i],
                "rewardkit": rk_run["verdicts"][i],
                "rewardkit_status": rk_run["statuses"][i],
                "rewardkit_reason": rk_run["reasons"][i],
                "math_verify": mv_run["verdicts"][i],
                "math_verify_status": mv_run["statuses"][i],
                "label": p["label"],
            }
        )
    return {
        "n": n,
        "rewardkit": sides["rewardkit"],
        "math_verify": sides["math_verify"],
        "ratio": mv_t / rk_t if rk_t > 0 else 0.0,
        "target_ratio": 3.0,
        "rewardkit_wrong_where_math_verify_right": rk_wrong_where_mv_right,
        "engine": engine_runs,
        "disagreements": disagreements,
    }


def print_report(rep: dict[str, Any]) -> None:
    """Human-readable tables of :func:`build_report`'s dict."""
    print(f"== math verifier vs Math-Verify 0.9.0 on {rep['n']} responses (one core each) ==")
    head = f"{'':20}{'resp/s/core':>12}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}"
    print(head + f"{'accuracy':>10}{'precision':>10}{'recall':>8}  statuses")
    for name, label in (("rewardkit", "rewardkit math"), ("math_verify", "Math-Verify 0.9.0")):
        s = rep[name]
        print(
            f"{label:20}{s['per_core_per_s']:12.0f}{s['p50_ms']:9.2f}{s['p99_ms']:9.2f}"
            f"{s['max_ms']:9.1f}{s['accuracy']:10.3f}{s['precision']:10.3f}{s['recall']:8.3f}"
            f"  {s['statuses']}"
        )
    print(
        f"throughput ratio rewardkit / Math-Verify: {rep['ratio']:.1f}x "
        f"(target >= {rep['target_ratio']:.0f}x)"
    )
    print(
        "responses where Math-Verify matches the grader label and rewardkit does not: "
        f"{rep['rewardkit_wrong_where_math_verify_right']} (target 0)"
    )
    for e in rep["engine"]:
        mode = "inline (workers=0)" if e["workers"] == 0 else f"pool workers={e['workers']}"
        per_core = e["per_s"] / max(e["workers"], 1)
        print(
            f"rk.score {mode:20} {e['per_s']:8.0f} resp/s  ({per_core:.0f}/core, "
            f"engine and de-duplication included)  {e['statuses']}"
        )
    print(f"\n== {len(rep['disagreements'])} responses where the verdicts differ ==")
    for d in rep["disagreements"]:
        rk_v = d["rewardkit"] if d["rewardkit_status"] == "ok" else d["rewardkit_status"]
        mv_v = d["math_verify"] if d["math_verify_status"] == "ok" else d["math_verify_status"]
        print(
            f"{d['id']:>7}  ref={d['reference']!r}  rk={d['rewardkit_answer']!r} -> {rk_v}  "
            f"mv={d['math_verify_answer']!r} -> {mv_v}  label={d['label']}"
        )
        if d["rewardkit_reason"]:
            print(f"         rewardkit reason: {d['rewardkit_reason']}")


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--_mv-worker"]:
        _mv_worker(argv[1], int(argv[2]))
        return
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--limit", type=int, default=None, help="score only the first N responses")
    ap.add_argument("--repeat", type=int, default=3, help="passes per side; fastest time per response")
    ap.add_argument("--workers", type=int, default=0, help="also time rk.score with N workers")
    ap.add_argument("--timeout", type=float, default=30.0, help="rk.score deadline per response")
    ap.add_argument("--mv-deadline", type=float, default=30.0, help="Math-Verify deadline per response")
    ap.add_argument("--json", action="store_true", help="print one JSON object instead of tables")
    args = ap.parse_args(argv)
    pairs = load_pairs(args.data, args.limit)
    if not pairs:
        raise SystemExit(f"no responses in {args.data}")
    rk_runs, mv_runs = [], []
    for _ in range(max(1, args.repeat)):  # alternate the sides, so load on the machine hits both
        mv_runs.append(run_math_verify(pairs, args.mv_deadline))
        rk_runs.append(run_rewardkit(pairs))
    rk_run, mv_run = best_of(rk_runs), best_of(mv_runs)
    engine_runs = [run_engine(pairs, 0, args.timeout)]
    if args.workers > 0:
        engine_runs.append(run_engine(pairs, args.workers, args.timeout))
    rep = build_report(pairs, rk_run, mv_run, engine_runs)
    if args.json:
        print(json.dumps(rep, indent=1))
    else:
        print_report(rep)


if __name__ == "__main__":
    main()
