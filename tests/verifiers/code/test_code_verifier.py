"""The ``code`` verifier end to end through the real sandbox: languages, scoring, details."""

from __future__ import annotations

import json
import threading

import pytest

from rewardkit.core.registry import get_verifier, run_scorer
from rewardkit.core.types import Sample


def score(response, reference, **options):
    fn = get_verifier("code").build({"timeout_s": 3.0, **options})
    return run_scorer(fn, Sample(response=response, reference=reference))


def py(code):
    return f"```python\n{code}\n```"


SQUARE = {"inputs": ["3\n", "4\n", "5\n"], "outputs": ["9\n", "16\n", "25\n"]}


def test_registered_example_scores_one():
    info = get_verifier("code")
    example = dict(info.example)
    options = example.pop("options")
    result = run_scorer(info.build(options), Sample.from_dict(example))
    assert result.status == "ok" and result.value == 1.0, result


def test_no_code_is_zero_with_reason():
    result = score("I think the answer is n*n.", SQUARE)
    assert result.status == "ok" and result.value == 0.0
    assert result.reason == "no_code"


@pytest.mark.parametrize(
    "scoring,expected",
    [("fraction", 2 / 3), ("all_or_nothing", 0.0), ("weighted_sum", 0.1 * 2 / 3)],
)
def test_scoring_modes_partial(scoring, expected):
    code = py("n = int(input())\nprint(n * n if n != 5 else 0)")
    result = score(code, SQUARE, scoring=scoring)
    assert result.value == pytest.approx(expected)
    assert result.details["passed"] == 2 and result.details["total"] == 3


@pytest.mark.parametrize("scoring,expected", [("all_or_nothing", 1.0), ("weighted_sum", 1.1)])
def test_scoring_modes_all_pass(scoring, expected):
    result = score(py("n = int(input())\nprint(n * n)"), SQUARE, scoring=scoring)
    assert result.value == pytest.approx(expected)


def test_details_per_test_statuses():
    code = py(
        "import sys\nn = int(input())\n"
        "if n == 3: print(9)\n"
        "elif n == 4: raise ValueError('boom')\n"
        "else:\n    while True: pass"
    )
    result = score(code, SQUARE, timeout_s=1.0)
    statuses = [t["status"] for t in result.details["tests"]]
    assert statuses == ["passed", "runtime_error", "timeout"]
    assert "ValueError: boom" in result.details["tests"][1]["stderr"]
    assert result.reason == "runtime_error"


def test_stderr_is_truncated():
    code = py("import sys\nsys.stderr.write('e' * 100000)\nraise SystemExit(3)")
    result = score(code, {"inputs": [""], "outputs": ["x"]})
    test = result.details["tests"][0]
    assert test["status"] == "runtime_error"
    assert len(test["stderr"]) < 1100 and "truncated" in test["stderr"]


def test_fail_fast_skips_the_rest_but_keeps_denominator():
    code = py("print(0)")
    result = score(code, SQUARE, fail_fast=True)
    assert [t["status"] for t in result.details["tests"]] == ["wrong_answer", "skipped", "skipped"]
    assert result.value == 0.0 and result.details["total"] == 3


def test_function_call_exact_types():
    ref = {"fn_name": "f", "tests": [{"args": [2], "expected": 4}, {"args": [3], "expected": 9}]}
    assert score(py("def f(x):\n    return x * x"), ref).value == 1.0
    assert score(py("def f(x):\n    return float(x * x)"), ref).value == 0.0
    assert score(py("def f(x):\n    return x * x == x * x"), ref).value == 0.0


def test_solution_class_method():
    ref = {"fn_name": "twice", "tests": [{"args": [[1, 2]], "expected": [2, 4]}]}
    code = py("class Solution:\n    def twice(self, xs):\n        return [2 * x for x in xs]")
    assert score(code, ref).value == 1.0


def test_assert_style_with_setup_and_comparisons():
    ref = {
        "test_list": [
            "assert f(2) == 4",
            "assert f(3) != 10",
            "assert abs(f(0.5) - 0.25) < 1e-12",
            "assert f(1) in [1, 2]",
            "assert helper(f(2)) == 5",
            "assert f(2)",
        ],
        "test_setup_code": "def helper(v):\n    return v + 1",
    }
    assert score(py("def f(x):\n    return x * x"), ref).value == 1.0


def test_humaneval_check_and_raw_fallback():
    ref = {
        "test": (
            "def check(candidate):\n    for i in range(4):\n        assert candidate(i) == i * i\n"
        ),
        "entry_point": "sq",
    }
    assert score(py("def sq(x):\n    return x * x"), ref).value == 1.0
    assert score(py("def sq(x):\n    return x + x"), ref).value == 0.0


def test_livecodebench_json_string_layout():
    ref = {
        "input_output": json.dumps(
            {"inputs": ["[1, 2]\n3"], "outputs": ["[0, 1]"], "fn_name": "two"}
        )
    }
    code = py("def two(xs, t):\n    return (0, 1)")
    assert score(code, ref).value == 1.0  # JSON has no tuples: a tuple matches a list


def test_cpp_compile_error_reported_as_such():
    ref = {"language": "cpp", "inputs": ["1\n", "2\n"], "outputs": ["1\n", "2\n"]}
    result = score("```cpp\nint main() { return undefined_name; }\n```", ref)
    assert result.status == "ok" and result.value == 0.0
    assert result.reason == "compile_error"
    assert [t["status"] for t in result.details["tests"]] == ["compile_error"] * 2
    assert "undefined_name" in result.details["tests"][0]["stderr"]


def test_cpp_and_javascript_run():
    ref = {"inputs": ["2 3\n"], "outputs": ["5\n"]}
    cpp = (
        "```cpp\n#include <cstdio>\n"
        'int main(){int a,b;scanf("%d %d",&a,&b);printf("%d\\n",a+b);}\n```'
    )
    assert score(cpp, {**ref, "language": "cpp"}).value == 1.0
    js = (
        "```javascript\nconst [a, b] = require('fs').readFileSync(0, 'utf8').split(' ')"
        ".map(Number);\nconsole.log(a + b);\n```"
    )
    assert score(js, {**ref, "language": "javascript"}).value == 1.0
    assert score(js, ref, language="javascript").value == 1.0
    # audit: with no language anywhere, a stdin/stdout answer runs in its fence's language
    # (it used to be read as Python only and scored 0.0 "no_code")
    assert score(cpp, ref).value == 1.0
    assert score(js, ref).value == 1.0
    assert score(cpp, ref).details["language"] == "cpp"


def test_non_python_function_tests_are_invalid_input():
    ref = {"language": "cpp", "fn_name": "f", "tests": [{"args": [1], "expected": 1}]}
    result = score("```cpp\nint f(int x){return x;}\n```", ref)
    assert result.status == "invalid_input"


def test_output_limit():
    result = score(
        py("print('x' * 3_000_000)"), {"inputs": [""], "outputs": ["x"]}, max_output_mb=1
    )
    assert result.details["tests"][0]["status"] == "output_limit"
    assert result.value == 0.0


def test_memory_limit_is_a_runtime_error():
    result = score(
        py("x = bytearray(900 * 2**20)\nprint(1)"),
        {"inputs": [""], "outputs": ["1"]},
        memory_mb=256,
    )
    assert result.details["tests"][0]["status"] == "runtime_error"


def test_float_tolerance_option():
    ref = {"inputs": [""], "outputs": ["0.3333333333\n"]}
    code = py("print(1 / 3)")
    assert score(code, ref).value == 0.0
    assert score(code, ref, float_tolerance=1e-6).value == 1.0


def test_max_tests_limits_the_run():
    result = score(py("n = int(input())\nprint(n * n)"), SQUARE, max_tests=2)
    assert result.details["total"] == 2 and result.value == 1.0


@pytest.mark.parametrize(
    "options",
    [
        {"timeout_s": 0},
        {"memory_mb": -1},
        {"scoring": "best"},
        {"float_tolerance": 2.0},
        {"language": "cobol"},
        {"max_tests": -1},
    ],
)
def test_bad_options_name_the_field(options):
    name = next(iter(options))
    with pytest.raises(ValueError, match=name):
        get_verifier("code").build(options)


def test_works_from_worker_threads_concurrently():
    results = []

    def run():
        results.append(score(py("n = int(input())\nprint(n * n)"), SQUARE))

    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert [r.value for r in results] == [1.0, 1.0, 1.0]


def test_runner_survives_the_thread_that_started_it():
    """bwrap --die-with-parent follows the forking *thread*: the spawner thread owns it."""
    from rewardkit.verifiers.code._sandbox import shutdown_all

    shutdown_all()
    t = threading.Thread(target=lambda: score(py("print(1)"), {"inputs": [""], "outputs": ["1"]}))
    t.start()
    t.join(60)
    result = score(py("print(1)"), {"inputs": [""], "outputs": ["1"]})
    assert result.status == "ok" and result.value == 1.0


def test_whole_stdlib_is_importable_in_the_sandbox():
    """Guards the bind of the interpreter prefix (its parents must be traversable)."""
    code = py("import socket, xml.dom.minidom, importlib.util, sqlite3, json\nprint('ok')")
    assert score(code, {"inputs": [""], "outputs": ["ok"]}).value == 1.0


def test_children_get_their_own_rlimit_as_not_the_workers(tmp_path):
    """The engine's worker may cap its own RLIMIT_AS; sandbox children get ``memory_mb``."""
    import subprocess
    import sys
    from pathlib import Path

    src = Path(__file__).resolve().parents[3] / "src"
    script = tmp_path / "capped.py"
    script.write_text(
        "import resource, sys\n"
        f"sys.path.insert(0, {str(src)!r})\n"
        "resource.setrlimit(resource.RLIMIT_AS, (400 << 20, resource.RLIM_INFINITY))\n"
        "from rewardkit.core.registry import get_verifier, run_scorer\n"
        "from rewardkit.core.types import Sample\n"
        "fn = get_verifier('code').build({'memory_mb': 1536})\n"
        "code = '```python\\nx = bytearray(600 * 2**20)\\nprint(len(x) >> 20)\\n```'\n"
        "ref = {'inputs': [''], 'outputs': ['600']}\n"
        "r = run_scorer(fn, Sample(response=code, reference=ref))\n"
        "print(r.status, r.value)\n"
    )
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)
    assert out.stdout.split() == ["ok", "1.0"], out.stdout + out.stderr


def test_reading_stdin_to_eof_in_every_test():
    """Guards the pre-forked spare: it must not keep the running child's stdin pipe open."""
    ref = {"inputs": [f"{i} {i}\n" for i in range(6)], "outputs": [f"{2 * i}\n" for i in range(6)]}
    code = py("import sys\nprint(sum(map(int, sys.stdin.read().split())))")
    result = score(code, ref, timeout_s=2.0)
    assert result.value == 1.0, result.details


@pytest.mark.parametrize("language", ["python", "cpp", "javascript"])
def test_candidate_cannot_cause_an_infrastructure_error(language):
    """Exploit 14 the other way round: odd bytes in the code are the candidate's failure."""
    tag = {"python": "python", "cpp": "cpp", "javascript": "js"}[language]
    for body in ("x = '\ud800'\nprint(1)", "\x00\x01", "\udcff" * 10):
        result = score(
            f"```{tag}\n{body}\n```", {"language": language, "inputs": [""], "outputs": ["2"]}
        )
        assert result.status == "ok" and result.value == 0.0, (language, body, result)


def test_stdlib_helpers_that_peek_at_frames_still_work():
    """The audit hook refuses frames with ValueError, which these stdlib helpers tolerate."""
    code = py(
        "import collections, typing, enum, logging\n"
        "P = collections.namedtuple('P', 'x y')\n"
        "class Q(typing.NamedTuple):\n    a: int\n"
        "Color = enum.Enum('Color', 'RED GREEN')\n"
        "logging.basicConfig(level=logging.INFO)\nlogging.info('hello')\n"
        "print(P(1, 2).x + Q(3).a + Color.GREEN.value)"
    )
    assert score(code, {"inputs": [""], "outputs": ["6"]}).value == 1.0


# ---------------------------------------------------------------- red-team audit, 2026-12-02
# Tests ran in the candidate's own namespace, so a wrong function passed by shadowing a builtin,
# patching a module or rebinding a setup variable that the test's other side uses.
SHADOWING = [
    pytest.param(
        {"test_list": ["assert set(similar_elements((3,4,5,6),(5,7,4,10))) == set((4, 5))"]},
        "def similar_elements(a, b):\n    return None\nset = lambda *a: 0",
        "def similar_elements(a, b):\n    return tuple(set(a) & set(b))",
        id="builtin_set_shadowed",
    ),
    pytest.param(
        {
            "test": "def check(candidate):\n    assert abs(candidate([1.0, 2.0, 3.0]) - 2.0/3.0) < 1e-6\n",
            "entry_point": "mad",
        },
        "def mad(xs):\n    return 123.0\nabs = lambda v: 0",
        "def mad(xs):\n    m = sum(xs) / len(xs)\n    return sum(abs(x - m) for x in xs) / len(xs)",
        id="builtin_abs_shadowed",
    ),
    pytest.param(
        {"test_list": ["import math\nassert math.isclose(area(2), 12.566, rel_tol=0.001)"]},
        "import math\nmath.isclose = lambda *a, **k: True\ndef area(r):\n    return 0",
        "import math\ndef area(r):\n    return math.pi * r * r",
        id="module_function_patched",
    ),
    pytest.param(
        {"test_list": ["assert largest([]) == float('-inf')"]},
        "def largest(xs):\n    return 0\nfloat = lambda *a: 0",
        "def largest(xs):\n    return max(xs, default=float('-inf'))",
        id="builtin_float_shadowed",
    ),
    pytest.param(
        {"test_list": ["assert sort_it([3, 1, 2]) == expected"], "test_setup_code": "expected = [1, 2, 3]"},
        "def sort_it(x):\n    global expected\n    expected = 'junk'\n    return 'junk'",
        "def sort_it(x):\n    return sorted(x)",
        id="setup_variable_rebound",
    ),
]


@pytest.mark.parametrize(("reference", "cheat", "honest"), SHADOWING)
def test_tests_run_in_their_own_namespace(reference, cheat, honest):
    assert score(py(cheat), reference).value == 0.0
    assert score(py(honest), reference).value == 1.0


def test_code_in_an_unclosed_think_block_is_not_run():
    """Audit: code inside ``<think>`` was run and scored even when thinking never closed (the
    other verifiers score 0 there, verifiers PR #213)."""
    ref = {"inputs": ["3\n"], "outputs": ["9\n"]}
    code = "```python\nn = int(input())\nprint(n * n)\n```"
    assert score("<think>\n" + code, ref).value == 0.0
    assert score("<think>" + code + "</think>\nI cannot answer.", ref).value == 0.0
    assert score("<think>plan</think>\n" + code, ref).value == 1.0
