"""Running one sample's test suite in the sandbox and judging each case in the parent."""

from __future__ import annotations

import json
import math
import secrets
import shutil
import signal
from dataclasses import dataclass
from typing import Any

from rewardkit.verifiers.code._cases import CallCase, Case, ExprCase, RawCase, StdioCase
from rewardkit.verifiers.code._compare import (
    DecodeError,
    compare_stdout,
    decode_value,
    values_equal,
)
from rewardkit.verifiers.code._sandbox import (
    SandboxConfig,
    SandboxFailure,
    SandboxUnavailable,
    decode_b64,
    get_zygote,
)

#: Extra seconds the worker waits for the zygote beyond a test's own limit before declaring the
#: sandbox broken (an infrastructure error, never a verdict).
_GUARD_S = 15.0
_STDERR_CHARS = 1000
_STDERR_TESTS = 20


@dataclass(frozen=True)
class RunLimits:
    """Per-test limits applied in the child (see ``CodeOptions`` for the meaning)."""

    timeout_s: float
    compile_timeout_s: float
    memory_mb: int
    max_processes: int
    max_file_mb: int
    max_output_mb: int
    stack_mb: int

    def rlimits(self, timeout_s: float, memory_mb: int | None = None) -> dict[str, int]:
        """The rlimits of a child that may run ``timeout_s`` seconds."""
        return {
            "cpu": math.ceil(timeout_s) + 1,  # the wall clock normally fires first
            "as": (memory_mb or self.memory_mb) << 20,
            "nproc": self.max_processes,
            "fsize": self.max_file_mb << 20,
            "stack": self.stack_mb << 20,
            "core": 0,
        }


@dataclass
class TestOutcome:
    """The verdict on one test case."""

    status: str  # passed | wrong_answer | timeout | runtime_error | compile_error | output_limit
    time_s: float = 0.0
    stderr: str = ""
    reason: str = ""

    def to_dict(self, index: int, with_stderr: bool) -> dict[str, Any]:
        out: dict[str, Any] = {
            "index": index,
            "status": self.status,
            "time_s": round(self.time_s, 4),
        }
        if self.reason:
            out["reason"] = self.reason
        if with_stderr and self.stderr:
            out["stderr"] = self.stderr
        return out


def _tail(text: str, truncated: bool) -> str:
    text = text.strip()
    if len(text) > _STDERR_CHARS or truncated:
        return "...[truncated]..." + text[-_STDERR_CHARS:]
    return text


def _parse_frame(raw: bytes, nonce: str) -> dict[str, Any] | None:
    """The child's report, or ``None`` when absent or not exactly one well-formed frame."""
    prefix = nonce.encode() + b" "
    if not raw.startswith(prefix):
        return None
    head, sep, body = raw[len(prefix) :].partition(b"\n")
    if not sep or not head.isdigit() or int(head) != len(body):
        return None
    try:
        report = json.loads(body)
    except ValueError:
        return None
    return report if isinstance(report, dict) else None


def _compare_op(op: str, got: Any, want: Any, case: CallCase | ExprCase, tol: float | None) -> bool:
    json_domain = isinstance(case, CallCase) and case.json_domain
    if op == "==":
        return values_equal(got, want, json_domain=json_domain, float_tolerance=tol)
    if op == "!=":
        return not values_equal(got, want, json_domain=json_domain, float_tolerance=tol)
    if op in ("is", "is not"):
        same = type(got) is type(want) and (want is None or isinstance(want, bool)) and got == want
        return same if op == "is" else not same
    try:
        if op == "<":
            return bool(got < want)
        if op == "<=":
            return bool(got <= want)
        if op == ">":
            return bool(got > want)
        if op == ">=":
            return bool(got >= want)
        if op == "in":
            return bool(got in want)
        if op == "not in":
            return bool(got not in want)
    except TypeError:
        return False
    return False


class SuiteRunner:
    """Runs the cases of one sample through this process's warm runner for the language."""

    def __init__(
        self,
        language: str,
        limits: RunLimits,
        *,
        bwrap: str,
        python: str,
        tmp_mb: int,
        node: str,
        cxx: str,
        cxx_flags: tuple[str, ...],
        float_tolerance: float | None,
    ) -> None:
        self.language = language
        self.limits = limits
        self.float_tolerance = float_tolerance
        self.node = node
        self.cxx = cxx
        self.cxx_flags = cxx_flags
        self.zygote = get_zygote(SandboxConfig(bwrap, python, tmp_mb, language))

    def _tool(self, name: str) -> str:
        path = shutil.which(name) if "/" not in name else name
        if not path or not path.startswith("/usr/"):
            raise SandboxUnavailable(f"{name!r} not found under /usr (the only tree the sandbox mounts)")
        return path

    def run(self, code: str, cases: list[Case], setup: str, fail_fast: bool) -> list[TestOutcome]:
        """Run every case; raises :class:`SandboxFailure`/:class:`SandboxUnavailable` on infra
        errors (which must never be counted as a pass or dropped)."""
        nonce = secrets.token_hex(16)
        files: dict[str, str] = {}
        if self.language == "cpp":
            files["main.cpp"] = code
        elif self.language == "javascript":
            files["main.js"] = code
        with self.zygote.run_lock:
            return self._run_locked(code, cases, setup, fail_fast, nonce, files)

    def _run_locked(
        self,
        code: str,
        cases: list[Case],
        setup: str,
        fail_fast: bool,
        nonce: str,
        files: dict[str, str],
    ) -> list[TestOutcome]:
        guard = self.limits.timeout_s + _GUARD_S
        self.zygote.request({"op": "begin", "files": files, "code": code}, guard)
        try:
            argv = self._prepare(cases)
            if isinstance(argv, TestOutcome):  # compile error: every case fails with it
                return [argv] + [TestOutcome("compile_error", reason="compile_error") for _ in cases[1:]]
            outcomes: list[TestOutcome] = []
            for case in cases:
                if fail_fast and outcomes and outcomes[-1].status != "passed":
                    outcomes.append(TestOutcome("skipped", reason="an earlier test failed"))
                    continue
                outcomes.append(self._run_case(case, argv, setup, nonce))
            return outcomes
        finally:
            if self.zygote.alive():  # a broken sandbox was killed: the next run starts afresh
                self.zygote.request({"op": "end"}, guard)

    def _prepare(self, cases: list[Case]) -> list[str] | TestOutcome | None:
        if self.language == "python":
            return None
        if self.language == "javascript":
            return [self._tool(self.node), "main.js"]
        cxx = self._tool(self.cxx)
        reply = self.zygote.request(
            {
                "op": "exec",
                "mode": "argv",
                "argv": [cxx, *self.cxx_flags, "-o", "main", "main.cpp"],
                "stdin": "",
                "timeout": self.limits.compile_timeout_s,
                "max_output": 1 << 20,
                "limits": self.limits.rlimits(
                    self.limits.compile_timeout_s, max(self.limits.memory_mb, 2048)
                ),
                "nonce": "",
                "case": {"kind": "stdio"},
            },
            self.limits.compile_timeout_s + _GUARD_S,
        )
        self._check_setup(reply)
        if reply.get("timed_out") or reply.get("exit") != 0:
            why = "compile timeout" if reply.get("timed_out") else "compile error"
            return TestOutcome(
                "compile_error",
                time_s=float(reply.get("wall") or 0.0),
                stderr=_tail(str(reply.get("stderr") or ""), bool(reply.get("stderr_truncated"))),
                reason=why,
            )
        return ["./main"]

    @staticmethod
    def _check_setup(reply: dict[str, Any]) -> None:
        setup = reply.get("setup")
        if setup != "K":
            raise SandboxFailure(f"sandbox child setup failed: {str(setup)[1:300] or 'no report'}")

    def _message(self, case: Case, argv: list[str] | None, setup: str, nonce: str) -> dict[str, Any]:
        limits = self.limits.rlimits(self.limits.timeout_s)
        if self.language == "javascript":
            # glibc sizes every thread stack from RLIMIT_STACK; V8's threads would exhaust
            # RLIMIT_AS with a large one (node then hangs), and V8 keeps its own stack limit.
            limits["stack"] = min(limits["stack"], 8 << 20)
        msg: dict[str, Any] = {
            "op": "exec",
            "nonce": nonce,
            "timeout": self.limits.timeout_s,
            "max_output": self.limits.max_output_mb << 20,
            "limits": limits,
            "stdin": "",
        }
        if argv is not None:
            msg.update(mode="argv", argv=argv, case={"kind": "stdio"})
        else:
            msg["mode"] = "python"
        if isinstance(case, StdioCase):
            msg["stdin"] = case.stdin
            msg.setdefault("case", {"kind": "stdio"})
        elif isinstance(case, CallCase):
            msg["case"] = {"kind": "call", "fn": case.fn, "args_json": case.args_json}
        elif isinstance(case, ExprCase):
            msg["case"] = {"kind": "expr", "exprs": list(case.exprs), "setup": setup}
        elif isinstance(case, RawCase):
            msg["case"] = {"kind": "raw", "setup": setup + "\n" + case.source}
        return msg

    def _run_case(self, case: Case, argv: list[str] | None, setup: str, nonce: str) -> TestOutcome:
        reply = self.zygote.request(self._message(case, argv, setup, nonce), self.limits.timeout_s + _GUARD_S)
        self._check_setup(reply)
        wall = float(reply.get("wall") or 0.0)
        stderr = _tail(str(reply.get("stderr") or ""), bool(reply.get("stderr_truncated")))
        if reply.get("timed_out") or reply.get("exit") == -signal.SIGXCPU:
            return TestOutcome("timeout", wall, stderr, f"over {self.limits.timeout_s:g} s")
        if reply.get("output_limit"):
            return TestOutcome(
                "output_limit", wall, stderr, f"over {self.limits.max_output_mb} MiB of output"
            )
        exit_code = reply.get("exit")
        frame = None if argv is not None else _parse_frame(decode_b64(reply.get("result")), nonce)
        if frame is None and argv is None:
            # Python reports completion with the run's nonce; exit codes alone are never trusted
            # (sys.exit/os._exit/atexit tricks, REFERENCE.md section 3 exploits 1-4).
            return TestOutcome(
                "runtime_error",
                wall,
                stderr,
                f"no completion report from the test harness (exit status {exit_code})",
            )
        if isinstance(case, StdioCase):
            code = frame.get("exit") if frame is not None else exit_code
            if code != 0:
                return TestOutcome("runtime_error", wall, stderr, f"exit status {code}")
            out = decode_b64(reply.get("stdout")).decode("utf-8", "replace")
            if compare_stdout(out, case.expected, self.float_tolerance):
                return TestOutcome("passed", wall, stderr)
            return TestOutcome("wrong_answer", wall, stderr)
        if frame is None:
            return TestOutcome("runtime_error", wall, stderr, "no completion report")
        outcome = frame.get("outcome")
        if not isinstance(outcome, dict):
            return TestOutcome("runtime_error", wall, stderr, "malformed report")
        if "error" in outcome:
            return TestOutcome("runtime_error", wall, stderr, str(outcome["error"])[:300])
        if "unserialisable" in outcome:
            reason = "returned a value that is not plain builtin data: "
            return TestOutcome("wrong_answer", wall, stderr, reason + str(outcome["unserialisable"]))
        try:
            passed = self._judge(case, outcome)
        except DecodeError as exc:
            return TestOutcome("wrong_answer", wall, stderr, f"unreadable value: {exc}")
        return TestOutcome("passed" if passed else "wrong_answer", wall, stderr)

    def _judge(self, case: Case, outcome: dict[str, Any]) -> bool:
        tol = self.float_tolerance
        if isinstance(case, RawCase):
            return outcome.get("done") is True
        if isinstance(case, CallCase):
            if "value" not in outcome:
                raise DecodeError("no value")
            got = decode_value(outcome["value"])
            return any(_compare_op("==", got, want, case, tol) for want in case.expected)
        assert isinstance(case, ExprCase)
        values = outcome.get("values")
        if not isinstance(values, list) or len(values) != len(case.exprs):
            raise DecodeError("wrong number of values")
        decoded = [decode_value(v) for v in values]
        if case.op == "truthy":
            return bool(decoded[0])
        want = case.literal if case.has_literal else decoded[1]
        return _compare_op(case.op, decoded[0], want, case, tol)
