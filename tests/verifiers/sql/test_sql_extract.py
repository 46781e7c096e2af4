"""SQL extraction from responses: fenced blocks first, else the last statement."""

from __future__ import annotations

import pytest

from rewardkit.verifiers.sql._extract import extract_sql

CASES = [
    # (response, expected sql, expected source) -- what each row guards in the id
    pytest.param("```sql\nSELECT a FROM t;\n```", "SELECT a FROM t;", "fenced", id="fenced"),
    pytest.param(
        "draft:\n```sql\nSELECT 1\n```\nfinal:\n```SQL\nSELECT a FROM t\n```",
        "SELECT a FROM t", "fenced", id="last-fenced-wins-hedging",
    ),
    pytest.param(
        "```python\nprint('SELECT x FROM y')\n```\n```sql\nSELECT b FROM u\n```",
        "SELECT b FROM u", "fenced", id="other-language-fence-ignored",
    ),
    pytest.param("```\nselect a from t\n```", "select a from t", "fenced-untagged",
                 id="untagged-fence"),
    pytest.param("```sql\nSELECT a\nFROM t", "SELECT a\nFROM t", "fenced", id="unclosed-fence"),
    pytest.param("The answer is: SELECT name FROM city WHERE pop > 5; done.",
                 "SELECT name FROM city WHERE pop > 5", "statement", id="inline-statement"),
    pytest.param("First SELECT a FROM t; then better SELECT b FROM t;", "SELECT b FROM t",
                 "statement", id="last-statement-wins"),
    pytest.param("SELECT a FROM (SELECT b FROM t) x", "SELECT a FROM (SELECT b FROM t) x",
                 "statement", id="subquery-not-split"),
    pytest.param("Use `select name from t` here", "select name from t", "statement",
                 id="inline-backticks"),
    pytest.param("SELECT name FROM t WHERE s = 'a;b'", "SELECT name FROM t WHERE s = 'a;b'",
                 "statement", id="semicolon-in-string"),
    pytest.param("SELECT a FROM t\n\nThis selects all rows.", "SELECT a FROM t", "statement",
                 id="prose-after-blank-line"),
    pytest.param("WITH x AS (SELECT 1) SELECT * FROM x", "WITH x AS (SELECT 1) SELECT * FROM x",
                 "statement", id="cte"),
    pytest.param("<think>maybe ```sql\nSELECT 1\n```</think>\n```sql\nSELECT 2\n```",
                 "SELECT 2", "fenced", id="thinking-ignored"),
]


@pytest.mark.parametrize(("response", "sql", "source"), CASES)
def test_extract(response: str, sql: str, source: str) -> None:
    got = extract_sql(response)
    assert (got.sql, got.source) == (sql, source)


@pytest.mark.parametrize(
    ("response", "reason"),
    [
        ("", "no_sql"),
        ("I don't know.", "no_sql"),
        ("we select the best rows", "no_sql"),  # lower-case prose mid-line is not a statement
        ("<think>SELECT a FROM t", "unfinished_thinking"),  # reward before thinking finished
        ("```sql\n\n```", "no_sql"),
    ],
)
def test_nothing_extracted(response: str, reason: str) -> None:
    got = extract_sql(response)
    assert got.sql is None and got.reason == reason


def test_huge_response_is_capped() -> None:
    # Guards "cap input sizes before parsing": a multi-megabyte response is cut, not scanned whole.
    response = "x " * 2_000_000 + "SELECT a FROM t"
    assert extract_sql(response).sql is None
