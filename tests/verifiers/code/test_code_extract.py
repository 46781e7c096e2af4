"""Code extraction golden table: the last block in the task's language; no code means ``None``."""

import pytest

from rewardkit.verifiers.code._extract import detect_language, extract_code, fenced_blocks

CASES = [
    # (response, language, expected code or None, what it guards)
    ("```python\nprint(1)\n```", "python", "print(1)\n", "plain python block"),
    ("```py\nA\n```\ntext\n```python\nB\n```", "python", "B\n", "last block wins"),
    ("```python\nA\n```\n```cpp\nB\n```", "python", "A\n", "last block *in the language*"),
    ("```cpp\nint main(){}\n```", "python", None, "another language is never taken"),
    ("```\nprint(2)\n```", "python", "print(2)\n", "untagged block as fallback"),
    ("```python\nX\n```\n```\nY\n```", "python", "X\n", "tagged beats a later untagged block"),
    ("no code at all", "python", None, "no fence -> no_code"),
    ("```python\n   \n```", "python", None, "empty block is no code"),
    ("```python\nunclosed\nstill code", "python", "unclosed\nstill code", "unclosed fence"),
    ("````python\na\n```\nb\n````", "python", "a\n```\nb\n", "longer fence contains a shorter"),
    ("```C++\nint main(){}\n```", "cpp", "int main(){}\n", "tag case-insensitive"),
    ("```js\nconsole.log(1)\n```", "javascript", "console.log(1)\n", "js alias"),
    ("~~~python\nT\n~~~", "python", "T\n", "tilde fences"),
    ("```python title=x\nZ\n```", "python", "Z\n", "info string after the tag"),
]


@pytest.mark.parametrize("response,language,expected,why", CASES, ids=[c[3] for c in CASES])
def test_extract_golden(response, language, expected, why):
    assert extract_code(response, language) == expected, why


def test_blocks_in_order():
    text = "a\n```x\n1\n```\nb\n```y\n2\n```\n"
    assert fenced_blocks(text) == [("x", "1\n"), ("y", "2\n")]


def test_huge_response_is_capped_not_crashing():
    text = "```python\n" + "x = 1\n" * 300_000
    code = extract_code(text, "python")
    assert code is not None and len(code) <= 1_000_000


def test_detect_language_from_the_last_tagged_block():
    assert detect_language("```python\nA\n```\n```cpp\nB\n```") == "cpp"
    assert detect_language("```js\nx\n```\n```\nuntagged\n```") == "javascript"
    assert detect_language("```\nprint(1)\n```") is None
    assert detect_language("no code") is None
