"""Comparison rules (issue 4 point 4) and loose-comparator exploits (REFERENCE.md 3, #5, #13)."""

import pytest

from rewardkit.verifiers.code._compare import (
    DecodeError,
    compare_stdout,
    decode_value,
    values_equal,
)

STDOUT = [
    # (got, want, tolerance, expected, what it guards)
    ("3\n", "3", None, True, "trailing newline"),
    ("3   \n4\t\n", "3\n4\n", None, True, "trailing whitespace per line"),
    ("3\r\n4\r\n", "3\n4", None, True, "CRLF"),
    ("3\n4\n", "3\n", None, False, "exploit 13: an extra line fails (open-r1 zip truncation)"),
    ("3\n", "3\n4\n", None, False, "exploit 13: a missing line fails"),
    (" 3\n", "3\n", None, False, "leading whitespace is kept"),
    ("4 3\n", "3 4\n", None, False, "exploit 13: token order matters (no token sets)"),
    ("Yes\n", "YES\n", None, False, "case matters (SandboxFusion lower-cases)"),
    ("0.3333333\n", "0.33333333\n", None, False, "no numeric tolerance unless asked"),
    ("0.3333333\n", "0.33333333\n", 1e-6, True, "explicit tolerance"),
    ("1.5 abc\n", "1.5000001 abc\n", 1e-6, True, "tolerance per token"),
    ("1.6\n", "1.5\n", 1e-6, False, "tolerance is tight"),
    ("nan\n", "nan\n", 1e-6, True, "identical tokens"),
    ("1 2\n", "1 2 3\n", 1e-6, False, "token count must match under tolerance"),
    ("", "", None, True, "empty output"),
    ("\n\n", "", None, True, "only blank lines"),
]


@pytest.mark.parametrize("got,want,tol,expected,why", STDOUT, ids=[s[4] for s in STDOUT])
def test_compare_stdout(got, want, tol, expected, why):
    assert compare_stdout(got, want, tol) is expected, why


VALUES = [
    (3, 3, False, True, "same int"),
    (True, 1, False, False, "exploit 5: bool is not int"),
    (1, 1.0, False, False, "int is not float"),
    ((1, 2), [1, 2], True, True, "JSON has no tuples"),
    ((1, 2), [1, 2], False, False, "tuples and lists differ for Python literals"),
    ([1, [2, 3]], [1, [2, 3]], False, True, "nested lists"),
    ({"a": 1}, {"a": 1}, False, True, "dicts"),
    ({1: "a"}, {True: "a"}, False, False, "dict key types"),
    ({1, 2}, {2, 1}, False, True, "sets"),
    ({1}, {True}, False, False, "set member types"),
    (float("nan"), float("nan"), False, True, "NaN equals NaN"),
    (0.1 + 0.2, 0.3, False, False, "floats exact by default"),
    ("a", "a", False, True, "strings"),
    (None, None, False, True, "None"),
]


@pytest.mark.parametrize("got,want,json_domain,expected,why", VALUES, ids=[v[4] for v in VALUES])
def test_values_equal(got, want, json_domain, expected, why):
    assert values_equal(got, want, json_domain=json_domain) is expected, why


def test_float_tolerance_is_explicit():
    assert values_equal(0.1 + 0.2, 0.3, float_tolerance=1e-9)
    assert not values_equal(0.31, 0.3, float_tolerance=1e-9)


def test_decode_round_trip_tags():
    tree = [
        "list",
        [
            ["int", "12"],
            ["float", "inf"],
            ["str", "c3a9"],
            ["tuple", [["bool", True], ["none", 0]]],
            ["dict", [[["str", "6b"], ["bytes", "00ff"]]]],
            ["frozenset", [["int", "1"]]],
            ["complex", ["1.0", "-2.0"]],
        ],
    ]
    assert decode_value(tree) == [
        12,
        float("inf"),
        "é",
        (True, None),
        {"k": b"\x00\xff"},
        frozenset({1}),
        complex(1, -2),
    ]


@pytest.mark.parametrize(
    "tree",
    [["list", [["set", [["list", []]]]]], ["int", "x"], ["evil", 1], "str", ["str", "zz"], None],
)
def test_decode_rejects_malformed(tree):
    with pytest.raises(DecodeError):
        decode_value(tree)
