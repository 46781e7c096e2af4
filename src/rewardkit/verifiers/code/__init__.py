"""``code``: execution reward for code answers, run in a bubblewrap sandbox.

The response's code (the last fenced block in the task's language) runs against the reference's
test cases, each in a fresh sandboxed process forked from a warm per-worker runner; outputs and
return values are compared in the worker, never inside the sandbox. See ``_cases`` for the accepted
test layouts, ``_compare`` for the comparison rules, ``_sandbox``/``_zygote`` for the isolation.

Scores (REFERENCE.md section 3): ``fraction`` = passed / total (partial credit); ``all_or_nothing``
= 1 only when every test passes; ``weighted_sum`` = all-pass + 0.1 x fraction (the
Codeforces-style reward of open-r1's code rewards), so its maximum is 1.1.

Trust model. Expected outputs and expected return values never enter the sandbox; stdout is
compared in the worker; return values cross as exact builtin data; Python children must end with
the run's nonce (exit codes are never trusted alone); a sandbox failure is status ``error``, never
0 and never a pass. Assert statements are split so that each comparison is made in the worker;
what cannot be split (an ``assert`` inside a loop of a ``check`` function, a bare truth test, two
computed sides) is judged from values computed in the candidate's process. There, an audit hook
closes frames, ``gc`` and ``ctypes`` so the nonce stays out of reach of ordinary code; a Python
signal handler still receives a frame (``f_back`` is not audited), so a deliberately adversarial
program could in principle forge the completion report of such unsplittable asserts. Stdin/stdout
and function-call tests do not depend on that secret.

Languages. Python runs in the warm forked interpreter; C++ is compiled once per sample (a
compile error fails every test with ``compile_error``); JavaScript runs under ``node``. C++ and
JavaScript take stdin/stdout tests only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from rewardkit.core.errors import InvalidInput
from rewardkit.core.registry import verifier
from rewardkit.core.types import RewardResult, Sample

__all__ = ["CodeOptions", "score_code"]


@dataclass(frozen=True)
class CodeOptions:
    """Options of the ``code`` verifier.

    Attributes:
        language: ``auto`` takes the reference's ``language``; without one, stdin/stdout suites
            run in the language of the response's last fenced block tagged with a known
            language (``cpp``, ``js``, ...) and other suites in Python.
        scoring: ``fraction``, ``all_or_nothing`` or ``weighted_sum`` (see the module docstring).
        timeout_s: wall-clock limit per test case, enforced by the sandbox's parent with SIGKILL;
            RLIMIT_CPU is set to the same number of seconds (rounded up).
        compile_timeout_s: wall-clock limit for compiling C++.
        memory_mb: RLIMIT_AS of each test process (compiles get at least 2048).
        max_processes: RLIMIT_NPROC of the sandbox uid (threads count).
        max_file_mb: RLIMIT_FSIZE (largest file the program may write).
        max_output_mb: stdout beyond this fails the test (``output_limit``).
        stack_mb: RLIMIT_STACK of each test process (JavaScript gets at most 8; glibc also
            sizes thread stacks from it, so keep it well below ``memory_mb``).
        tmp_mb: size of the sandbox's private ``/tmp`` (run directories live there).
        float_tolerance: when set, numbers in outputs and floats in return values may differ by
            ``tol * max(1, |expected|)``; by default comparison is exact.
        fail_fast: stop at the first failing test (the rest count as failed, ``skipped``).
        max_tests: run at most this many test cases (0: all); the rest are not counted.
        think: only text after ``</think>`` counts and an unclosed ``<think>`` scores 0 (reason
            ``think_unclosed``), as in the other verifiers: code still being drafted in the
            reasoning is not an answer.
        bwrap: the bubblewrap binary.
        python: interpreter for Python code (default: the base interpreter of this Python; it
            must live under ``/usr`` or in its own prefix, which is bound read-only).
        node: the Node.js binary (must live under ``/usr``).
        cxx: the C++ compiler (must live under ``/usr``).
        cxx_flags: flags passed to the compiler before ``-o main main.cpp``.
    """

    language: Literal["auto", "python", "cpp", "javascript"] = "auto"
    scoring: Literal["fraction", "all_or_nothing", "weighted_sum"] = "fraction"
    timeout_s: float = 4.0
    compile_timeout_s: float = 30.0
    memory_mb: int = 1024
    max_processes: int = 64
    max_file_mb: int = 64
    max_output_mb: int = 16
    stack_mb: int = 64
    tmp_mb: int = 256
    float_tolerance: float | None = None
    fail_fast: bool = False
    max_tests: int = 0
    think: bool = True
    bwrap: str = "bwrap"
    python: str | None = None
    node: str = "node"
    cxx: str = "g++"
    cxx_flags: tuple[str, ...] = ("-std=gnu++17", "-O2", "-pipe")

    def __post_init__(self) -> None:
        for name in ("timeout_s", "compile_timeout_s"):
            value = getattr(self, name)
            if not 0 < value <= 600:
                raise ValueError(f"option {name!r} must be in (0, 600] seconds, got {value!r}")
        for name in (
            "memory_mb",
            "max_processes",
            "max_file_mb",
            "max_output_mb",
            "stack_mb",
            "tmp_mb",
        ):
            value = getattr(self, name)
            if value <= 0:
                raise ValueError(f"option {name!r} must be positive, got {value!r}")
        if self.max_tests < 0:
            raise ValueError(f"option 'max_tests' must be >= 0, got {self.max_tests!r}")
        if self.float_tolerance is not None and not 0 <= self.float_tolerance < 1:
            raise ValueError(f"option 'float_tolerance' must be in [0, 1), got {self.float_tolerance!r}")


def _combine(scoring: str, passed: int, total: int) -> float:
    """Turn pass counts into the reward (REFERENCE.md section 3, partial credit and
    Codeforces-style ``weighted_sum`` = all-pass + 0.1 x fraction)."""
    fraction = passed / total if total else 0.0
    all_pass = 1.0 if total and passed == total else 0.0
    if scoring == "all_or_nothing":
        return all_pass
    if scoring == "weighted_sum":
        return all_pass + 0.1 * fraction
    return fraction


def score_code(sample: Sample, opts: CodeOptions) -> RewardResult:
    """Score one sample; see :class:`CodeOptions`.

    Raises:
        InvalidInput: the reference cannot be read or asks for something unsupported.
    """
    from rewardkit.verifiers._extract import strip_think
    from rewardkit.verifiers.code._cases import normalise_language, parse_reference
    from rewardkit.verifiers.code._extract import detect_language, extract_code
    from rewardkit.verifiers.code._run import RunLimits, SuiteRunner
    from rewardkit.verifiers.code._sandbox import (
        SandboxFailure,
        SandboxUnavailable,
        default_python,
    )

    suite = parse_reference(sample.reference)
    language = opts.language if opts.language != "auto" else suite.language
    response = sample.response
    if opts.think:
        response, closed = strip_think(response)
        if not closed:
            base_lang = normalise_language(language) or "python"
            return RewardResult.ok(0.0, reason="think_unclosed", passed=0, language=base_lang)
    if language is None and not suite.kinds - {"stdio"}:
        language = detect_language(response)  # a C++ answer to a stdin/stdout problem
    language = normalise_language(language) or "python"
    if language != "python" and suite.kinds - {"stdio"}:
        raise InvalidInput(
            f"{language} supports stdin/stdout tests only; function-call and assert tests need python"
        )
    cases = suite.cases[: opts.max_tests] if opts.max_tests else suite.cases
    base = {"language": language, "layout": suite.layout, "total": len(cases)}
    code = extract_code(response, language)
    if code is None:
        return RewardResult.ok(0.0, reason="no_code", passed=0, **base)
    # Lone surrogates cannot be written as UTF-8; the program sees U+FFFD instead (a candidate
    # must never be able to turn its own failure into an infrastructure error).
    code = code.encode("utf-8", "replace").decode("utf-8")
    limits = RunLimits(
        timeout_s=opts.timeout_s,
        compile_timeout_s=opts.compile_timeout_s,
        memory_mb=opts.memory_mb,
        max_processes=opts.max_processes,
        max_file_mb=opts.max_file_mb,
        max_output_mb=opts.max_output_mb,
        stack_mb=opts.stack_mb,
    )
    try:
        runner = SuiteRunner(
            language,
            limits,
            bwrap=opts.bwrap,
            python=opts.python or default_python(),
            tmp_mb=opts.tmp_mb,
            node=opts.node,
            cxx=opts.cxx,
            cxx_flags=tuple(opts.cxx_flags),
            float_tolerance=opts.float_tolerance,
        )
        outcomes = runner.run(code, cases, suite.setup, opts.fail_fast)
    except SandboxUnavailable as exc:
        return RewardResult.fail("error", f"sandbox_unavailable: {exc}", **base)
    except SandboxFailure as exc:
        return RewardResult.fail("error", f"sandbox_failure: {exc}", **base)
    passed = sum(1 for o in outcomes if o.status == "passed")
    shown = 0
    tests = []
    for i, outcome in enumerate(outcomes):
        with_stderr = outcome.status != "passed" and shown < 20
        shown += with_stderr
        tests.append(outcome.to_dict(i, with_stderr))
    details = {**base, "passed": passed, "tests": tests}
    if passed < len(outcomes):
        first = next(o for o in outcomes if o.status != "passed")
        details["reason"] = first.status
    return RewardResult.ok(_combine(opts.scoring, passed, len(outcomes)), **details)


_EXAMPLE = {
    "prompt": "Read an integer n and print n squared.",
    "response": "```python\nn = int(input())\nprint(n * n)\n```",
    "reference": {"inputs": ["3\n", "12\n"], "outputs": ["9\n", "144\n"]},
    "options": {},
}


@verifier(
    "code",
    options=CodeOptions,
    description="run the response's code against test cases in a bubblewrap sandbox",
    example=_EXAMPLE,
)
def code_verifier(opts: CodeOptions) -> Callable[[Sample], RewardResult]:
    """Build the ``code`` scorer (see :func:`score_code`)."""

    def score(sample: Sample) -> RewardResult:
        return score_code(sample, opts)

    return score
