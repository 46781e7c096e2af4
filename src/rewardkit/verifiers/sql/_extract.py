"""Find the SQL query in a model response.

Rules, in order (the first that finds something wins):

1. Text inside ``<think>...</think>`` is ignored; a ``<think>`` that is never closed means the
   model has not answered yet, so nothing is extracted (REFERENCE.md section 2: rewards given
   before thinking finished).
2. The last fenced block tagged ``sql`` (also ``sqlite``, ``duckdb``); an unclosed last fence
   runs to the end of the text.
3. The last untagged fenced block whose content starts with ``SELECT``, ``WITH`` or ``(``.
4. The last statement in plain text: a ``SELECT``/``WITH`` keyword (upper case anywhere, any
   case at the start of a line, after ``:`` or after a backtick) up to the next ``;`` outside
   quotes, a closing backtick, a blank line or the end.

Only one query is ever returned: a response that lists several candidates is scored on its last.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rewardkit.core.types import MAX_RESPONSE_CHARS

#: Longest SQL text that is parsed or executed; longer extractions are refused unparsed.
MAX_SQL_CHARS = 20_000

_SQL_TAGS = frozenset({"sql", "sqlite", "sqlite3", "duckdb"})
_FENCE_OPEN = re.compile(r"^[ \t]*```[ \t]*([A-Za-z0-9_+.-]*)[^\n]*$", re.M)
_FENCE_CLOSE = re.compile(r"^[ \t]*```[ \t]*$", re.M)
_BLANK_LINE = re.compile(r"\n[ \t\r]*\n")
_THINK_OPEN = re.compile(r"<think>", re.I)
_THINK_CLOSE = re.compile(r"</think>", re.I)
# A statement start: SELECT/WITH in upper case anywhere, or any case after a line start, ':'
# or a backtick.
_START = re.compile(
    r"(?:(?<![A-Za-z0-9_])(?:SELECT|WITH)(?![A-Za-z0-9_]))"
    r"|(?:(?:^|(?<=[:`]))[ \t]*(?i:select|with)(?![A-Za-z0-9_]))",
    re.M,
)


@dataclass(frozen=True)
class Extraction:
    """What :func:`extract_sql` found.

    Attributes:
        sql: the query text (stripped), or ``None``.
        source: ``"fenced"``, ``"fenced-untagged"``, ``"statement"`` or ``None``.
        reason: why nothing was found (``"no_sql"``, ``"unfinished_thinking"``) or ``None``.
    """

    sql: str | None
    source: str | None = None
    reason: str | None = None


def _answer_text(response: str) -> str | None:
    """The response with reasoning removed; ``None`` when thinking never finished."""
    closes = list(_THINK_CLOSE.finditer(response))
    if closes:
        return response[closes[-1].end() :]
    if _THINK_OPEN.search(response):
        return None
    return response


def _fenced_blocks(text: str) -> list[tuple[str, str]]:
    """``(tag, content)`` for every fenced block, in order; an unclosed last one runs to the end."""
    blocks: list[tuple[str, str]] = []
    pos = 0
    while True:
        opening = _FENCE_OPEN.search(text, pos)
        if opening is None:
            return blocks
        start = opening.end() + 1
        closing = _FENCE_CLOSE.search(text, start)
        if closing is None:
            blocks.append((opening.group(1).lower(), text[start:]))
            return blocks
        blocks.append((opening.group(1).lower(), text[start : closing.start()]))
        pos = closing.end()


def _statement_end(text: str, start: int, after_backtick: bool) -> int:
    """Index where the statement starting at ``start`` ends (exclusive)."""
    quote: str | None = None
    i = start
    n = len(text)
    while i < n:
        ch = text[i]
        if quote is not None:
            if ch == quote:
                quote = None
        elif ch in ("'", '"'):
            quote = ch
        elif ch == ";":
            return i
        elif ch == "`" and after_backtick:
            return i
        elif ch == "\n" and _BLANK_LINE.match(text, i):
            return i
        i += 1
    return n


def _last_statement(text: str) -> str | None:
    last: str | None = None
    pos = 0
    while True:
        match = _START.search(text, pos)
        if match is None:
            return last
        begin = match.start()
        while begin < len(text) and text[begin] in " \t":
            begin += 1
        after_backtick = begin > 0 and text[match.start() - 1 : match.start()] == "`"
        end = _statement_end(text, begin, after_backtick)
        candidate = text[begin:end].strip()
        if candidate:
            last = candidate
        pos = max(end, match.end())


def extract_sql(response: str) -> Extraction:
    """Return the query a response gives as its answer (see the module docstring for the rules).

    Args:
        response: the model's response; only its first ``MAX_RESPONSE_CHARS`` are read.
    """
    text = _answer_text(response[:MAX_RESPONSE_CHARS])
    if text is None:
        return Extraction(None, reason="unfinished_thinking")
    blocks = _fenced_blocks(text)
    tagged = [body for tag, body in blocks if tag in _SQL_TAGS and body.strip()]
    if tagged:
        return Extraction(tagged[-1].strip(), "fenced")
    untagged = [
        body.strip() for tag, body in blocks if not tag and re.match(r"\s*(?:select|with|\()", body, re.I)
    ]
    if untagged:
        return Extraction(untagged[-1], "fenced-untagged")
    statement = _last_statement(text)
    if statement:
        return Extraction(statement, "statement")
    return Extraction(None, reason="no_sql")
