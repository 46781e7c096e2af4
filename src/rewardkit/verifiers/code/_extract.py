"""Code extraction from a model response: fenced blocks, the last one in the task's language."""

from __future__ import annotations

import re

from rewardkit.core.types import MAX_RESPONSE_CHARS

#: Fence tags accepted for each language (lower-cased, compared exactly).
LANGUAGE_TAGS: dict[str, frozenset[str]] = {
    "python": frozenset({"python", "python3", "py", "py3"}),
    "cpp": frozenset({"cpp", "c++", "cc", "cxx", "hpp"}),
    "javascript": frozenset({"javascript", "js", "node", "nodejs", "mjs", "cjs"}),
}

# A fence opens with 3+ backticks (or tildes) at the start of a line, optionally indented, with an
# info string; it closes with a run of the same character at least as long (CommonMark rule).
_OPEN = re.compile(r"^[ \t]{0,3}(`{3,}|~{3,})[ \t]*([^\n`]*)$", re.MULTILINE)


def fenced_blocks(text: str) -> list[tuple[str, str]]:
    """Every fenced block as ``(tag, code)`` in order; an unclosed last fence runs to the end.

    Args:
        text: the response (cut at :data:`MAX_RESPONSE_CHARS` first).
    """
    text = text[:MAX_RESPONSE_CHARS]
    blocks: list[tuple[str, str]] = []
    pos = 0
    while True:
        m = _OPEN.search(text, pos)
        if m is None:
            return blocks
        fence, info = m.group(1), m.group(2).strip()
        tag = info.split()[0].lower() if info else ""
        body_start = m.end() + 1
        close = re.compile(
            r"^[ \t]{0,3}" + re.escape(fence[0]) + "{" + str(len(fence)) + r",}[ \t]*$",
            re.MULTILINE,
        )
        c = close.search(text, body_start)
        if c is None:
            blocks.append((tag, text[body_start:]))
            return blocks
        blocks.append((tag, text[body_start : c.start()]))
        pos = c.end()


def detect_language(text: str) -> str | None:
    """The language named by the last fenced block whose tag is a known language, or ``None``."""
    for tag, code in reversed(fenced_blocks(text)):
        if code.strip():
            for language, tags in LANGUAGE_TAGS.items():
                if tag in tags:
                    return language
    return None


def extract_code(text: str, language: str) -> str | None:
    """The code to run: the last fenced block tagged with ``language``.

    When no block carries a tag of the language, the last untagged block is used; blocks tagged
    with another language are never taken. Returns ``None`` when there is no usable block.
    """
    tags = LANGUAGE_TAGS[language]
    blocks = fenced_blocks(text)
    for tag, code in reversed(blocks):
        if tag in tags and code.strip():
            return code
    for tag, code in reversed(blocks):
        if not tag and code.strip():
            return code
    return None
