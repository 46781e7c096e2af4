"""Math answer accuracy: rewardkit's ``math`` verifier and Math-Verify on a labelled set, in one run.

The set is ``tests/verifiers/math/data/math_labelled.jsonl`` (issue 3 point 5; its README gives the
labelling policy). Every case has a human label: does the response's final answer equal the
reference? Each system predicts true/false and is scored against the labels:

* rewardkit: ``rk.score`` with the spec ``{"terms": [{"verifier": "math"}]}``; a prediction is true
  when the status is ``ok`` and the value is 1.0. Any other status (``invalid_input``, ``error``,
  ``timeout``) counts as predicting false and is also counted on its own.
* Math-Verify (the anchor, 0.9.0): ``verify(parse(gold), parse(response))`` with the gold wrapped in
  ``$...$`` unless it already carries LaTeX delimiters or a ``\\boxed``: ``parse`` only extracts
  LaTeX from delimited or boxed text, so a bare ``\\frac{1}{9}`` or ``10{,}000`` is misread.
  Math-Verify can hang (its issue #65) and times out with ``signal.alarm``, so it runs in spawned
  worker processes; a case that passes ``--timeout`` seconds has its worker killed and replaced and
  counts as a wrong answer, ``timeout``. An exception counts as predicting false, ``error``.

Prints precision, recall and F1 (positive class: label true), TP/FP/FN/TN, errors and timeouts,
failures per category and the list of cases each system gets wrong; ``--json`` prints the same as
one JSON object instead.

Usage:
    python benchmarks/math_accuracy.py [--data PATH] [--workers N] [--timeout S]
        [--skip-math-verify] [--skip-rewardkit] [--limit N] [--json]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import sys
import time
from collections import deque
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from typing import Any

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
DEFAULT_DATA = os.path.join(ROOT, "tests", "verifiers", "math", "data", "math_labelled.jsonl")
SPEC = {"terms": [{"verifier": "math"}]}
TAIL = 90


@dataclass
class Outcome:
    """One system's verdict on one case: ``predicted`` plus what happened (ok/error/timeout...)."""

    predicted: bool
    status: str = "ok"
    info: str = ""


@dataclass
class Report:
    name: str
    outcomes: list[Outcome] = field(default_factory=list)
    seconds: float = 0.0


# ----------------------------------------------------------------------------- data


def load_cases(path: str, limit: int | None = None) -> list[dict[str, Any]]:
    cases = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            row = json.loads(line)
            for key in ("id", "category", "response", "reference", "label"):
                if key not in row:
                    raise SystemExit(f"{path}:{number}: missing field {key!r}")
            cases.append(row)
    return cases[:limit] if limit else cases


# ----------------------------------------------------------------------------- Math-Verify


def gold_text(reference: str) -> str:
    """The reference as Math-Verify's ``parse`` expects gold: delimited LaTeX."""
    ref = reference.strip()
    if ref.startswith("$") or "\\(" in ref or "\\[" in ref or "\\boxed" in ref:
        return ref
    return f"${ref}$"


def _mv_worker(conn: Connection) -> None:
    """Spawned worker: receive (index, reference, response), send (index, status, verdict, info)."""
    from math_verify import parse, verify

    while True:
        try:
            job = conn.recv()
        except EOFError:
            return
        if job is None:
            return
        index, reference, response = job
        try:
            gold = parse(gold_text(reference))
            pred = parse(response)
            verdict = bool(verify(gold, pred))
            info = f"gold={_short(gold)} pred={_short(pred)}"
            if not gold:
                info = "gold unparsed; " + info
            conn.send((index, "ok", verdict, info))
        except BaseException as exc:  # noqa: BLE001 - any failure is one case's error
            conn.send((index, "error", False, f"{type(exc).__name__}: {exc}"[:200]))


def _short(parsed: Any) -> str:
    return str([str(p) for p in parsed])[:80]


class _Slot:
    """One worker process and the case it is running."""

    def __init__(self, ctx: Any) -> None:
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_mv_worker, args=(child,), daemon=True)
        self.proc.start()
        child.close()
        self.job: int | None = None
        self.started = 0.0

    def kill(self) -> None:
        self.proc.kill()
        self.proc.join(5)
        self.conn.close()

    def stop(self) -> None:
        try:
            self.conn.send(None)
        except OSError:
            pass
        self.proc.join(2)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join(2)
        self.conn.close()


def run_math_verify(cases: list[dict[str, Any]], workers: int, timeout: float) -> Report:
    """Math-Verify on every case in ``workers`` spawned processes with a hard per-case deadline."""
    ctx = mp.get_context("spawn")
    start = time.perf_counter()
    outcomes: list[Outcome | None] = [None] * len(cases)
    todo = deque(range(len(cases)))
    slots = [_Slot(ctx) for _ in range(max(1, min(workers, len(cases))))]
    # A fresh spawn imports sympy and the ANTLR parser (seconds); the deadline starts once the
    # worker is ready, which its first job would otherwise pay for. Warm each one up first.
    for slot in slots:
        slot.conn.send((-1, "1", "$1$"))
    for slot in slots:
        slot.conn.recv()
    try:
        while todo or any(s.job is not None for s in slots):
            for slot in slots:
                if slot.job is None and todo:
                    slot.job = todo.popleft()
                    case = cases[slot.job]
                    slot.started = time.monotonic()
                    slot.conn.send((slot.job, str(case["reference"]), str(case["response"])))
            busy = {s.conn: s for s in slots if s.job is not None}
            now = time.monotonic()
            wait_for = max(0.0, min(s.started + timeout for s in busy.values()) - now)
            for conn in wait(list(busy), timeout=wait_for):
                slot = busy[conn]  # type: ignore[index]
                try:
                    index, status, verdict, info = slot.conn.recv()
                except (EOFError, OSError):
                    outcomes[slot.job] = Outcome(False, "error", "worker died")  # type: ignore[index]
                    slots[slots.index(slot)] = _replace(slot, ctx)
                    continue
                outcomes[index] = Outcome(verdict, status, info)
                slot.job = None
            now = time.monotonic()
            for i, slot in enumerate(slots):
                if slot.job is not None and now - slot.started > timeout:
                    outcomes[slot.job] = Outcome(False, "timeout", f"killed after {timeout:g} s")
                    slot.job = None
                    slots[i] = _replace(slot, ctx)
    finally:
        for slot in slots:
            slot.stop()
    report = Report("math_verify", [o or Outcome(False, "error", "no result") for o in outcomes])
    report.seconds = time.perf_counter() - start
    return report


def _replace(slot: _Slot, ctx: Any) -> _Slot:
    slot.kill()
    fresh = _Slot(ctx)
    fresh.conn.send((-1, "1", "$1$"))
    fresh.conn.recv()
    return fresh


# ----------------------------------------------------------------------------- rewardkit


def run_rewardkit(cases: list[dict[str, Any]], workers: int, timeout: float) -> Report:
    sys.path.insert(0, os.path.join(ROOT, "src"))
    import rewardkit as rk

    if "math" not in rk.verifiers():
        raise SystemExit("rewardkit has no 'math' verifier registered; use --skip-rewardkit")
    samples = [rk.Sample(prompt="", response=str(c["response"]), reference=c["reference"]) for c in cases]
    start = time.perf_counter()
    results = rk.score(samples, spec=SPEC, workers=workers, timeout=timeout)
    seconds = time.perf_counter() - start
    outcomes = []
    for result in results:
        details = result.details or {}
        info = ", ".join(
            f"{k}={str(details[k])[:60]!r}" for k in ("reason", "extracted", "source") if k in details
        )
        ok = result.status == "ok"
        outcomes.append(Outcome(bool(ok and result.value is not None and result.value > 0.5),
                                result.status, info))
    return Report("rewardkit", outcomes, seconds)


# ----------------------------------------------------------------------------- metrics


def summarize(report: Report, cases: list[dict[str, Any]]) -> dict[str, Any]:
    tp = fp = fn = tn = 0
    statuses: dict[str, int] = {}
    per_category: dict[str, dict[str, int]] = {}
    wrong = []
    for case, outcome in zip(cases, report.outcomes, strict=True):
        label = bool(case["label"])
        statuses[outcome.status] = statuses.get(outcome.status, 0) + 1
        cat = per_category.setdefault(case["category"], {"n": 0, "wrong": 0, "fp": 0, "fn": 0})
        cat["n"] += 1
        if outcome.predicted and label:
            tp += 1
        elif outcome.predicted:
            fp += 1
        elif label:
            fn += 1
        else:
            tn += 1
        if outcome.predicted != label:
            cat["wrong"] += 1
            cat["fp" if outcome.predicted else "fn"] += 1
            wrong.append({
                "id": case["id"], "category": case["category"], "label": label,
                "predicted": outcome.predicted, "status": outcome.status, "info": outcome.info,
                "reference": case["reference"], "response_tail": str(case["response"])[-TAIL:],
            })
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    n = len(cases)
    return {
        "n": n, "tp": tp, "fp": fp, "fn": fn, "tn": tn,
        "precision": precision, "recall": recall, "f1": f1,
        "accuracy": (tp + tn) / n if n else 0.0,
        "statuses": statuses,
        "errors": sum(v for k, v in statuses.items() if k not in ("ok", "timeout")),
        "timeouts": statuses.get("timeout", 0),
        "seconds": round(report.seconds, 3),
        "per_category": {k: per_category[k] for k in sorted(per_category)},
        "wrong": wrong,
    }


def print_text(out: dict[str, Any]) -> None:
    systems = out["systems"]
    print(f"{out['n']} labelled cases ({out['positives']} true) from {out['data']}\n")
    names = list(systems)
    header = f"{'':12}" + "".join(f"{n:>14}" for n in names)
    print(header)
    for key, fmt in [("precision", "{:.4f}"), ("recall", "{:.4f}"), ("f1", "{:.4f}"),
                     ("accuracy", "{:.4f}"), ("tp", "{}"), ("fp", "{}"), ("fn", "{}"), ("tn", "{}"),
                     ("errors", "{}"), ("timeouts", "{}"), ("seconds", "{:.2f}")]:
        print(f"{key:12}" + "".join(f"{fmt.format(systems[n][key]):>14}" for n in names))
    print("\nwrong per category (fp/fn):")
    cats = sorted({c for n in names for c in systems[n]["per_category"]})
    print(f"{'':18}{'n':>5}" + "".join(f"{n:>14}" for n in names))
    for cat in cats:
        row = f"{cat:18}"
        count = next(systems[n]["per_category"][cat]["n"] for n in names if cat in systems[n]["per_category"])
        row += f"{count:>5}"
        for n in names:
            c = systems[n]["per_category"].get(cat, {"wrong": 0, "fp": 0, "fn": 0})
            row += f"{str(c['wrong']) + ' (' + str(c['fp']) + '/' + str(c['fn']) + ')':>14}"
        print(row)
    for n in names:
        print(f"\n{n}: {len(systems[n]['wrong'])} wrong")
        for w in systems[n]["wrong"]:
            kind = "FP" if w["predicted"] else "FN"
            print(f"  {kind} {w['id']:24} ref={w['reference']!r:28} [{w['status']}] {w['info'][:110]}")
            print(f"       ...{w['response_tail'][-70:]!r}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--data", default=DEFAULT_DATA, help="labelled JSONL file")
    parser.add_argument("--workers", type=int, default=4,
                        help="worker processes for each system (rewardkit: 0 = in-process)")
    parser.add_argument("--timeout", type=float, default=10.0, help="per-case deadline in seconds")
    parser.add_argument("--limit", type=int, default=None, help="score only the first N cases")
    parser.add_argument("--skip-math-verify", action="store_true")
    parser.add_argument("--skip-rewardkit", action="store_true")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    if args.workers < 0 or args.timeout <= 0:
        parser.error("--workers must be >= 0 and --timeout > 0")

    cases = load_cases(args.data, args.limit)
    reports = []
    if not args.skip_rewardkit:
        reports.append(run_rewardkit(cases, args.workers, args.timeout))
    if not args.skip_math_verify:
        reports.append(run_math_verify(cases, max(1, args.workers), args.timeout))
    out = {
        "data": args.data,
        "n": len(cases),
        "positives": sum(bool(c["label"]) for c in cases),
        "systems": {r.name: summarize(r, cases) for r in reports},
    }
    if args.json:
        print(json.dumps(out, indent=1, ensure_ascii=False))
    else:
        print_text(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
