"""Every accepted test-case layout is read as it is (issue 4 point 1)."""

import json

import pytest

from rewardkit.core.errors import InvalidInput
from rewardkit.verifiers.code._cases import (
    CallCase,
    ExprCase,
    RawCase,
    StdioCase,
    parse_assert_code,
    parse_reference,
)


def test_apps_input_output_stdio_json_string():
    ref = {"input_output": json.dumps({"inputs": ["1 2\n"], "outputs": ["3\n"]})}
    suite = parse_reference(ref)
    assert suite.layout == "apps"
    assert suite.cases == [StdioCase("1 2\n", "3\n")]


def test_apps_lines_lists_are_joined():
    suite = parse_reference({"input_output": {"inputs": [["1", "2"]], "outputs": [["3", "4"]]}})
    assert suite.cases == [StdioCase("1\n2", "3\n4")]


def test_apps_call_based_unwraps_single_item_list():
    ref = {"input_output": {"inputs": [[2, 3]], "outputs": [[5]], "fn_name": "add"}}
    (case,) = parse_reference(ref).cases
    assert isinstance(case, CallCase)
    assert case.fn == "add" and json.loads(case.args_json) == [2, 3]
    assert case.expected == ([5], 5)


def test_livecodebench_functional_and_stdin():
    ref = {
        "public_test_cases": json.dumps(
            [{"input": "[1, 2]\n3", "output": "[0, 1]", "testtype": "functional"}]
        ),
        "private_test_cases": [{"input": "5\n", "output": "25\n", "testtype": "stdin"}],
        "metadata": json.dumps({"func_name": "twoSum"}),
    }
    suite = parse_reference(ref)
    call, stdio = suite.cases
    assert isinstance(call, CallCase) and json.loads(call.args_json) == [[1, 2], 3]
    assert call.expected == ([0, 1],)
    assert stdio == StdioCase("5\n", "25\n")


def test_verl_sandboxfusion_test_cases():
    ref = {"test_cases": json.dumps({"inputs": ["4\n"], "outputs": ["16\n"]})}
    suite = parse_reference(ref)
    assert suite.layout == "sandboxfusion" and suite.cases == [StdioCase("4\n", "16\n")]


def test_verl_fn_name_with_json_lines():
    ref = {"test_cases": {"inputs": ['"ab"\n2'], "outputs": ['"abab"'], "fn_name": "rep"}}
    (case,) = parse_reference(ref).cases
    assert json.loads(case.args_json) == ["ab", 2] and case.expected == ("abab",)


def test_native_tests_and_language():
    ref = {"language": "c++", "tests": [{"input": "1\n", "output": "1\n"}]}
    suite = parse_reference(ref)
    assert suite.language == "cpp" and suite.cases == [StdioCase("1\n", "1\n")]
    ref = {"fn_name": "f", "tests": [{"args": [1], "expected": [1, 2]}]}
    (case,) = parse_reference(ref).cases
    assert case.fn == "f" and case.expected == ([1, 2],)


def test_json_string_reference():
    suite = parse_reference(json.dumps({"inputs": ["a"], "outputs": ["b"]}))
    assert suite.cases == [StdioCase("a", "b")]


def test_mbpp_test_list_keeps_literal_in_parent():
    """Exploit 6: for `assert f(x) == 3` only `f(x)` enters the sandbox; 3 stays here."""
    ref = {"test_list": ["assert f(2) == 4", "assert f(3) == 9"], "test_setup_code": "import math"}
    suite = parse_reference(ref)
    first = suite.cases[0]
    assert isinstance(first, ExprCase) and first.op == "==" and first.has_literal
    assert first.literal == 4
    assert all("4" not in src for src in first.exprs)
    assert "import math" in suite.setup


def test_humaneval_check_is_inlined_with_entry_point():
    ref = {
        "test": (
            "def check(candidate):\n    assert candidate(1) == (1, 'a')\n    assert candidate(2)\n"
        ),
        "entry_point": "g",
    }
    suite = parse_reference(ref)
    eq, truthy = suite.cases
    assert eq.literal == (1, "a") and "g(1)" in eq.exprs[0] and "candidate" not in eq.exprs[0]
    assert truthy.op == "truthy"


def test_check_with_loop_falls_back_to_raw():
    code = "def check(candidate):\n    for i in range(3):\n        assert candidate(i) == i\n"
    suite = parse_assert_code(code, entry_point="f")
    assert suite.cases == [RawCase("check(f)")]
    assert "def check" in suite.setup


def test_pytest_style_functions_become_raw_cases():
    suite = parse_assert_code(
        "def helper():\n    return 1\n\ndef test_a():\n    assert helper() == 1\n"
    )
    assert suite.cases == [RawCase("test_a()")]


def test_comparisons_split_both_sides_when_no_literal():
    (case,) = parse_assert_code("assert f(1) < g(2)").cases
    assert case.op == "<" and len(case.exprs) == 2 and not case.has_literal


def test_calls_are_wrapped_for_builtin_check():
    (case,) = parse_assert_code("assert abs(f(1) - 0.5) < 1e-9").cases
    assert case.exprs[0].count("__rk_check__") == 2


@pytest.mark.parametrize(
    "reference",
    [
        None,
        "",
        {"bogus": 1},
        {"inputs": ["1"], "outputs": []},
        {"input_output": "{not json"},
        "def f(:\n",
        {"test_list": ["x = 1"]},
        {"language": "cobol", "inputs": ["1"], "outputs": ["1"]},
        42,
    ],
)
def test_unreadable_reference_is_invalid_input(reference):
    """An unreadable reference is an error of the input, never a reward (REFERENCE.md 2/3)."""
    with pytest.raises(InvalidInput):
        parse_reference(reference)
