"""exact, choice and format.think against their anchors, side by side in one run.

Prints:
- ``exact`` (boxed answer, normalised string match) and Math-Verify 0.9.0 (``parse`` +
  ``verify``) on shared/data/math_responses.jsonl: pairs per second, and precision / recall
  against the data set's grader labels. ``exact`` is not a math verifier; the row shows what
  plain string matching keeps and loses next to the anchor.
- ``choice`` and Math-Verify on a generated multiple-choice set (every answer format of
  Math-Verify #16, hedges of verifiers PR #1028, the article trap): accuracy per format.
- ``format.think`` strict and tag_count: microseconds per response on the same 800 responses.

Ratios and accuracies are the result; absolute times depend on the (noisy, shared) machine.

    python benchmarks/basic_verifiers.py [--data PATH] [--no-anchor]
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rewardkit.core.registry import get_verifier, run_scorer
from rewardkit.core.types import Sample

DEFAULT_DATA = Path("/work/shared/data/math_responses.jsonl")

OPTIONS = {"A": "Lyon", "B": "Paris", "C": "Nice", "D": "Lille"}
#: (format name, response template, expected score when the gold letter is {L})
MC_FORMATS: list[tuple[str, str, float]] = [
    ("boxed", "Paris is the capital, so \\boxed{{{L}}}", 1.0),
    ("paren_period", "({L}).", 1.0),
    ("answer_colon_lower", "Answer: {l}", 1.0),
    ("answer_is", "Checking each option... The answer is {L}.", 1.0),
    ("bold", "**{L}**", 1.0),
    ("option_text", "The answer is {T}.", 1.0),
    ("think_then_letter", "<think>Maybe {W}?</think>\n{L}", 1.0),
    ("wrong_letter", "The answer is {W}.", 0.0),
    ("hedge_or", "{L} or {W}", 0.0),
    ("hedge_boxes", "\\boxed{{{W}}} or maybe \\boxed{{{L}}}", 0.0),
    ("hedge_list", "A, B, C, D", 0.0),
]


def _rows(path: Path) -> list[dict[str, Any]]:
    with path.open() as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _timed(fn: Callable[[], list[float]]) -> tuple[list[float], float]:
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def _prec_rec(pred: list[bool], gold: list[bool]) -> tuple[float, float]:
    tp = sum(p and g for p, g in zip(pred, gold, strict=True))
    fp = sum(p and not g for p, g in zip(pred, gold, strict=True))
    fn = sum(g and not p for p, g in zip(pred, gold, strict=True))
    return tp / max(tp + fp, 1), tp / max(tp + fn, 1)


def _math_verify() -> Callable[[str, str], float] | None:
    try:
        from math_verify import parse, verify
    except ImportError:
        return None

    def run(gold: str, response: str) -> float:
        try:
            return float(verify(parse(gold), parse(response)))
        except Exception:
            return 0.0

    return run


def bench_exact(rows: list[dict[str, Any]], anchor: bool) -> None:
    pairs = [
        (r["reference"], resp, bool(lab))
        for r in rows
        for resp, lab in zip(r["responses"], r["grader_labels"], strict=True)
    ]
    labels = [lab for _, _, lab in pairs]
    fn = get_verifier("exact").build({"answer": "boxed"})
    samples = [Sample(response=resp, reference=ref) for ref, resp, _ in pairs]
    ours, t_ours = _timed(lambda: [run_scorer(fn, s).value or 0.0 for s in samples])
    p, r = _prec_rec([v == 1.0 for v in ours], labels)
    print(f"\n== exact vs Math-Verify on {len(pairs)} math responses (grader labels) ==")
    print(f"{'verifier':24}{'pairs/s':>10}{'precision':>11}{'recall':>9}")
    print(f"{'rewardkit exact':24}{len(pairs) / t_ours:10.0f}{p:11.3f}{r:9.3f}")
    mv = _math_verify() if anchor else None
    if mv is not None:
        theirs, t_mv = _timed(lambda: [mv(ref, resp) for ref, resp, _ in pairs])
        p, r = _prec_rec([v == 1.0 for v in theirs], labels)
        print(f"{'Math-Verify 0.9.0':24}{len(pairs) / t_mv:10.0f}{p:11.3f}{r:9.3f}")
        print(f"speed ratio exact / Math-Verify: {t_mv / t_ours:.1f}x")


def bench_choice(anchor: bool) -> None:
    letters = "ABCD"
    cases: list[tuple[str, str, float, str]] = []
    for gold in letters:
        wrong = letters[(letters.index(gold) + 1) % 4]
        for name, tmpl, expected in MC_FORMATS:
            text = tmpl.format(L=gold, l=gold.lower(), W=wrong, T=OPTIONS[gold])
            cases.append((name, text, expected, gold))
    cases.append(("article_trap", "The answer is a cat.", 0.0, "A"))
    fn = get_verifier("choice").build({})
    ref = {"options": OPTIONS}
    ours, t_ours = _timed(
        lambda: [
            run_scorer(fn, Sample(response=t, reference={**ref, "answer": g})).value or 0.0
            for _, t, _, g in cases
        ]
    )
    mv = _math_verify() if anchor else None
    # the gold letter in math mode (``$B$``): a bare ``B`` does not parse at all in Math-Verify
    theirs = [mv(f"${g}$", t) for _, t, _, g in cases] if mv is not None else None
    print(f"\n== choice vs Math-Verify on {len(cases)} multiple-choice responses ==")
    print(f"{'format':22}{'n':>4}{'rewardkit':>11}{'Math-Verify':>13}")
    names = list(dict.fromkeys(c[0] for c in cases))
    for name in names:
        idx = [i for i, c in enumerate(cases) if c[0] == name]
        ok = sum(ours[i] == cases[i][2] for i in idx) / len(idx)
        mv_ok = (
            f"{sum(theirs[i] == cases[i][2] for i in idx) / len(idx):13.2f}"
            if theirs is not None
            else f"{'-':>13}"
        )
        print(f"{name:22}{len(idx):4d}{ok:11.2f}{mv_ok}")
    total = sum(o == c[2] for o, c in zip(ours, cases, strict=True)) / len(cases)
    line = f"{'all':22}{len(cases):4d}{total:11.2f}"
    if theirs is not None:
        mv_total = sum(o == c[2] for o, c in zip(theirs, cases, strict=True)) / len(cases)
        line += f"{mv_total:13.2f}"
    print(line)
    print(f"choice: {len(cases) / t_ours:.0f} responses/s")


def bench_format(rows: list[dict[str, Any]]) -> None:
    texts = [
        f"<think>\n{resp}\n</think>\nThe answer is {r['reference']}."
        for r in rows
        for resp in r["responses"]
    ]
    print(f"\n== format.think on {len(texts)} responses ==")
    for mode in ("strict", "tag_count"):
        fn = get_verifier("format.think").build({"mode": mode})
        samples = [Sample(response=t) for t in texts]
        start = time.perf_counter()
        values = [run_scorer(fn, s).value or 0.0 for s in samples]
        per = 1e6 * (time.perf_counter() - start) / len(texts)
        mean = sum(values) / len(values)
        print(f"{mode:10} {per:8.1f} us/response  mean score {mean:.2f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--no-anchor", action="store_true", help="skip Math-Verify")
    args = ap.parse_args()
    rows = _rows(args.data) if args.data.exists() else []
    if rows:
        bench_exact(rows, anchor=not args.no_anchor)
    else:
        print(f"(no data at {args.data}: skipping the exact and format rows)")
    bench_choice(anchor=not args.no_anchor)
    if rows:
        bench_format(rows)


if __name__ == "__main__":
    main()
