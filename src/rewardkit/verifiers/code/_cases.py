"""Test-case layouts, read into one internal form.

Accepted as they are:

* LiveCodeBench / APPS ``input_output``: ``{"inputs": [...], "outputs": [...], "fn_name"?}``, as a
  dict or a JSON string. Standard-input problems give strings (APPS sometimes lists of lines);
  call-based problems give each input as a list of arguments (APPS) or as newline-separated JSON
  values, one per argument (LiveCodeBench); APPS wraps some expected values in a one-item list,
  which is accepted either way.
* LiveCodeBench ``public_test_cases`` / ``private_test_cases``: lists (or JSON strings) of
  ``{"input", "output", "testtype": "stdin" | "functional"}`` with ``metadata.func_name``.
* verl / SandboxFusion ``test_cases``: the same ``inputs``/``outputs``/``fn_name`` object.
* Native: ``{"tests": [{"input", "output"}]}`` or ``{"fn_name": ..., "tests": [{"args",
  "expected"}]}``.
* Assert-style test code (MBPP ``test_list``/``test_setup_code``, HumanEval ``test`` +
  ``entry_point``, or plain ``assert`` lines and pytest-style ``test_*`` functions).

Assert statements are split with :mod:`ast` (never evaluated here) so that every comparison is
made in the parent on serialised values: for ``assert f(x) == 3`` only ``f(x)`` is sent into the
sandbox and ``3`` stays in the parent (exploits 5 and 6 of REFERENCE.md section 3).
"""

from __future__ import annotations

import ast
import json
from dataclasses import dataclass, field
from typing import Any

from rewardkit.core.errors import InvalidInput

#: Largest reference (JSON or code) read, in characters.
MAX_REFERENCE_CHARS = 64_000_000
#: Most test cases run for one sample.
MAX_CASES = 10_000

_LANGUAGE_ALIASES = {
    "python": "python",
    "python3": "python",
    "py": "python",
    "py3": "python",
    "cpp": "cpp",
    "c++": "cpp",
    "cxx": "cpp",
    "cpp17": "cpp",
    "cpp20": "cpp",
    "gcc": "cpp",
    "javascript": "javascript",
    "js": "javascript",
    "node": "javascript",
    "nodejs": "javascript",
}
_COMPARE_OPS = {
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
    ast.In: "in",
    ast.NotIn: "not in",
    ast.Is: "is",
    ast.IsNot: "is not",
}
_NO_VALUE = object()


def normalise_language(name: Any) -> str | None:
    """Canonical language name (``python``, ``cpp``, ``javascript``) or ``None``."""
    if not isinstance(name, str):
        return None
    return _LANGUAGE_ALIASES.get(name.strip().lower())


@dataclass(frozen=True)
class StdioCase:
    """Feed ``stdin``, compare stdout with ``expected``."""

    stdin: str
    expected: str


@dataclass(frozen=True)
class CallCase:
    """Call ``fn(*args)``; compare the returned value with one of ``expected`` (exact types)."""

    fn: str
    args_json: str
    expected: tuple[Any, ...]
    json_domain: bool = True


@dataclass(frozen=True)
class ExprCase:
    """An assert: evaluate ``exprs`` in the sandbox, then check them in the parent.

    ``op`` is a comparison (``"=="``, ``"<"``, ...) between ``exprs[0]`` and either ``exprs[1]``
    or the literal ``literal``; ``"truthy"`` checks the single value's truth.
    """

    source: str
    op: str
    exprs: tuple[str, ...]
    literal: Any = None
    has_literal: bool = False


@dataclass(frozen=True)
class RawCase:
    """Statements that cannot be split (loops inside a checker): run them, expect completion."""

    source: str


Case = StdioCase | CallCase | ExprCase | RawCase


@dataclass
class TestSuite:
    """All test cases of one sample plus the setup code shared by assert-style cases."""

    cases: list[Case]
    language: str | None = None
    setup: str = ""
    layout: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def kinds(self) -> set[str]:
        """Kinds of cases present (``stdio``, ``call``, ``expr``, ``raw``)."""
        names = {StdioCase: "stdio", CallCase: "call", ExprCase: "expr", RawCase: "raw"}
        return {names[type(c)] for c in self.cases}


def _loads(text: str, what: str) -> Any:
    if len(text) > MAX_REFERENCE_CHARS:
        raise InvalidInput(f"{what} is larger than {MAX_REFERENCE_CHARS} characters")
    try:
        return json.loads(text)
    except ValueError as exc:
        raise InvalidInput(f"{what} is not valid JSON: {exc}") from exc


def _as_text(value: Any, what: str) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return "\n".join(value)  # APPS sometimes stores lines
    raise InvalidInput(f"{what} must be a string (or a list of lines), got {type(value).__name__}")


def _call_args(value: Any, what: str) -> tuple[str, bool]:
    """JSON text of the argument list, and whether it came from a list (APPS) or lines (LCB)."""
    if isinstance(value, list):
        return json.dumps(value), True
    if isinstance(value, str):
        args = [_loads(line, what) for line in value.split("\n") if line.strip()]
        return json.dumps(args), False
    raise InvalidInput(f"{what} must be a list of arguments or JSON lines")


def _expected_values(value: Any, from_list: bool, what: str) -> tuple[Any, ...]:
    if isinstance(value, str) and not from_list:
        return (_loads(value, what),)
    if from_list and isinstance(value, list) and len(value) == 1:
        return (value, value[0])  # APPS wraps the expected value in a one-item list
    return (value,)


def _inputs_outputs(obj: dict[str, Any], layout: str) -> TestSuite:
    inputs, outputs = obj.get("inputs"), obj.get("outputs")
    if not isinstance(inputs, list) or not isinstance(outputs, list):
        raise InvalidInput(f"{layout}: 'inputs' and 'outputs' must be lists")
    if len(inputs) != len(outputs):
        raise InvalidInput(f"{layout}: {len(inputs)} inputs but {len(outputs)} outputs")
    fn = obj.get("fn_name") or obj.get("func_name")
    cases: list[Case] = []
    for i, (inp, out) in enumerate(zip(inputs, outputs, strict=True)):
        where = f"{layout} case {i}"
        if fn:
            args_json, from_list = _call_args(inp, f"{where} input")
            cases.append(CallCase(str(fn), args_json, _expected_values(out, from_list, where)))
        else:
            cases.append(StdioCase(_as_text(inp, f"{where} input"), _as_text(out, where)))
    return TestSuite(cases, layout=layout)


def _lcb_cases(obj: dict[str, Any]) -> TestSuite:
    fn = None
    meta = obj.get("metadata")
    if isinstance(meta, str) and meta.strip():
        meta = _loads(meta, "metadata")
    if isinstance(meta, dict):
        fn = meta.get("func_name") or meta.get("fn_name")
    fn = fn or obj.get("fn_name") or obj.get("func_name")
    cases: list[Case] = []
    for key in ("public_test_cases", "private_test_cases"):
        raw = obj.get(key)
        if raw is None or raw == "":
            continue
        rows = _loads(raw, key) if isinstance(raw, str) else raw
        if not isinstance(rows, list):
            raise InvalidInput(f"{key} must be a list of test cases")
        for i, row in enumerate(rows):
            cases.append(_row_case(row, fn, f"{key}[{i}]"))
    return TestSuite(cases, layout="livecodebench")


def _row_case(row: Any, fn: Any, where: str) -> Case:
    if not isinstance(row, dict):
        raise InvalidInput(f"{where} must be an object")
    testtype = row.get("testtype")
    if "args" in row or "arguments" in row:
        args = row.get("args", row.get("arguments"))
        if not isinstance(args, list):
            raise InvalidInput(f"{where}: 'args' must be a list")
        name = row.get("fn_name") or fn
        if not name:
            raise InvalidInput(f"{where}: a function-call case needs 'fn_name'")
        if "expected" not in row and "output" not in row:
            raise InvalidInput(f"{where}: missing 'expected'")
        expected = row["expected"] if "expected" in row else row["output"]
        return CallCase(str(name), json.dumps(args), (expected,))
    inp = row.get("input", row.get("stdin"))
    out = row.get("output", row.get("expected_output", row.get("stdout")))
    if inp is None or out is None:
        raise InvalidInput(f"{where}: needs 'input' and 'output'")
    if testtype == "functional" or (row.get("fn_name") or (fn and testtype != "stdin")):
        name = row.get("fn_name") or fn
        if not name:
            raise InvalidInput(f"{where}: a functional case needs a function name")
        args_json, from_list = _call_args(inp, f"{where} input")
        return CallCase(str(name), args_json, _expected_values(out, from_list, where))
    return StdioCase(_as_text(inp, f"{where} input"), _as_text(out, where))


# --------------------------------------------------------------------------- assert-style code


class _Rename(ast.NodeTransformer):
    def __init__(self, old: str, new: str) -> None:
        self.old, self.new = old, new

    def visit_Name(self, node: ast.Name) -> ast.AST:
        if node.id == self.old:
            return ast.copy_location(ast.Name(id=self.new, ctx=node.ctx), node)
        return node


class _WrapCalls(ast.NodeTransformer):
    """``f(x)`` -> ``__rk_check__(f(x))``: every call result must be made of builtin types."""

    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)
        return ast.copy_location(
            ast.Call(func=ast.Name(id="__rk_check__", ctx=ast.Load()), args=[node], keywords=[]),
            node,
        )


def _expr_source(node: ast.expr) -> str:
    wrapped = _WrapCalls().visit(ast.Expression(body=node))
    ast.fix_missing_locations(wrapped)
    return ast.unparse(wrapped)


def _literal(node: ast.expr) -> Any:
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return _NO_VALUE


def _assert_case(node: ast.Assert) -> ExprCase:
    test = node.test
    source = ast.unparse(node)
    if isinstance(test, ast.Compare) and len(test.ops) == 1 and type(test.ops[0]) in _COMPARE_OPS:
        op = _COMPARE_OPS[type(test.ops[0])]
        left, right = test.left, test.comparators[0]
        value = _literal(right)
        if value is not _NO_VALUE:
            return ExprCase(source, op, (_expr_source(left),), value, True)
        return ExprCase(source, op, (_expr_source(left), _expr_source(right)))
    return ExprCase(source, "truthy", (_expr_source(test),))


def _inline_check(func: ast.FunctionDef, entry_point: str) -> list[ExprCase] | None:
    """The asserts of a HumanEval ``check(candidate)``, or ``None`` when it does more."""
    params = [a.arg for a in func.args.args]
    if len(params) != 1:
        return None
    rename = _Rename(params[0], entry_point)
    cases = []
    for stmt in func.body:
        if isinstance(stmt, ast.Assert):
            cases.append(_assert_case(rename.visit(stmt)))
        elif isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
            continue  # a docstring or a bare constant
        elif isinstance(stmt, ast.Pass):
            continue
        else:
            return None
    return cases


def parse_assert_code(code: str, entry_point: str | None = None, setup: str = "") -> TestSuite:
    """Split assert-style test code into parent-checked cases.

    Args:
        code: the test code (top-level asserts, a HumanEval ``check`` function, ``test_*``
            functions, plus helper definitions and imports).
        entry_point: the solution's function name, used for ``check(candidate)``.
        setup: extra code run before the tests (MBPP ``test_setup_code``).
    """
    if len(code) > MAX_REFERENCE_CHARS:
        raise InvalidInput("test code too large")
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError, MemoryError, RecursionError) as exc:
        raise InvalidInput(f"test code does not parse: {exc}") from exc
    setup_nodes: list[ast.stmt] = []
    cases: list[Case] = []
    inlined_check = False
    for node in tree.body:
        if isinstance(node, ast.Assert):
            cases.append(_assert_case(node))
        elif isinstance(node, ast.FunctionDef) and node.name == "check" and entry_point:
            inlined = _inline_check(node, entry_point)
            if inlined is None:
                setup_nodes.append(node)
                cases.append(RawCase(f"check({entry_point})"))
            else:
                cases.extend(inlined)
            inlined_check = True
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test"):
            setup_nodes.append(node)
            cases.append(RawCase(f"{node.name}()"))
        elif (
            inlined_check
            and isinstance(node, ast.Expr)
            and isinstance(node.value, ast.Call)
            and isinstance(node.value.func, ast.Name)
            and node.value.func.id == "check"
        ):
            continue  # ``check(entry_point)`` after an inlined checker
        else:
            setup_nodes.append(node)
    if not cases:
        raise InvalidInput("test code contains no assert and no test function")
    parts = [setup] if setup.strip() else []
    if setup_nodes:
        parts.append(ast.unparse(ast.Module(body=setup_nodes, type_ignores=[])))
    return TestSuite(cases, setup="\n".join(parts), layout="assert")


# --------------------------------------------------------------------------- entry point


def parse_reference(reference: Any) -> TestSuite:
    """Read any accepted layout into a :class:`TestSuite`.

    Raises:
        InvalidInput: the reference is missing, unreadable or holds no test case.
    """
    if reference is None:
        raise InvalidInput("no reference test cases")
    if isinstance(reference, (bytes, bytearray)):
        reference = bytes(reference).decode("utf-8", "replace")
    if isinstance(reference, str):
        text = reference.strip()
        if text.startswith("{") or text.startswith("["):
            return parse_reference(_loads(text, "reference"))
        return parse_assert_code(reference)
    if isinstance(reference, list):
        if all(isinstance(item, str) for item in reference):
            return parse_assert_code("\n".join(reference))
        return _check(
            TestSuite([_row_case(r, None, f"test {i}") for i, r in enumerate(reference)], layout="tests")
        )
    if not isinstance(reference, dict):
        raise InvalidInput(f"reference must be test cases, got {type(reference).__name__}")
    language = reference.get("language")
    suite = _dispatch(reference)
    lang = normalise_language(language) if language is not None else None
    if language is not None and lang is None:
        raise InvalidInput(f"unsupported language {language!r}; use python, cpp or javascript")
    suite.language = lang
    return _check(suite)


def _dispatch(ref: dict[str, Any]) -> TestSuite:
    for key, layout in (("input_output", "apps"), ("test_cases", "sandboxfusion")):
        if key in ref:
            inner = ref[key]
            if isinstance(inner, str):
                inner = _loads(inner, key)
            if not isinstance(inner, dict):
                raise InvalidInput(f"{key} must be an object with inputs and outputs")
            if "fn_name" not in inner and ref.get("fn_name"):
                inner = {**inner, "fn_name": ref["fn_name"]}
            return _inputs_outputs(inner, layout)
    if "inputs" in ref and "outputs" in ref:
        return _inputs_outputs(ref, "inputs_outputs")
    if "public_test_cases" in ref or "private_test_cases" in ref:
        return _lcb_cases(ref)
    if (
        "tests" in ref
        and isinstance(ref["tests"], list)
        and ref["tests"]
        and all(isinstance(t, dict) for t in ref["tests"])
    ):
        fn = ref.get("fn_name") or ref.get("entry_point")
        return TestSuite(
            [_row_case(row, fn, f"tests[{i}]") for i, row in enumerate(ref["tests"])],
            layout="tests",
        )
    setup = ref.get("test_setup_code") or ""
    imports = ref.get("test_imports") or []
    if isinstance(imports, list) and imports:
        setup = "\n".join([*map(str, imports), setup])
    for key in ("test_list", "assert", "asserts", "tests"):
        value = ref.get(key)
        if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
            return parse_assert_code("\n".join(value), ref.get("entry_point"), setup)
    for key in ("test", "test_code"):
        value = ref.get(key)
        if isinstance(value, str) and value.strip():
            return parse_assert_code(value, ref.get("entry_point"), setup)
    raise InvalidInput(
        "reference holds no test cases (expected input_output, test_cases, inputs/outputs, "
        "tests, public_test_cases, test_list or test)"
    )


def _check(suite: TestSuite) -> TestSuite:
    if not suite.cases:
        raise InvalidInput("reference holds no test cases")
    if len(suite.cases) > MAX_CASES:
        raise InvalidInput(f"more than {MAX_CASES} test cases")
    return suite
