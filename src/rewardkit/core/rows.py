"""Input rows (JSONL / JSON / Parquet / HTTP) -> :class:`Sample`, and results -> output rows.

Field names follow the trainers' conventions: ``prompt``; ``response`` (aliases: verl's
``solution_str``, TRL's ``completion``); ``reference`` (aliases: verl's
``reward_model.ground_truth``, ``ground_truth``, ``answer``); ``task`` (alias ``data_source``);
``meta`` (verl's ``extra_info`` and a ``group_id`` column are folded into it).
"""

from __future__ import annotations

from typing import Any

from rewardkit.core.types import MAX_RESPONSE_CHARS, RewardResult, Sample

RESPONSE_FIELDS = ("response", "solution_str", "completion")
REFERENCE_FIELDS = ("reference", "ground_truth", "answer")
PROMPT_FIELDS = ("prompt", "question", "problem", "query")
RESULT_FIELDS = ("reward", "status", "components", "details")


def _text_of(value: Any, field: str) -> str:
    """A response given as a string or as a chat list (the last assistant message's content)."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        for message in reversed(value):
            if isinstance(message, dict) and message.get("role", "assistant") == "assistant":
                content = message.get("content")
                if isinstance(content, str):
                    return content
        raise ValueError(f"field {field!r}: chat list has no assistant message with text content")
    raise ValueError(f"field {field!r} must be a string or a chat list, got {type(value).__name__}")


def row_to_sample(row: Any) -> Sample:
    """Map one input row to a :class:`Sample`.

    Raises:
        ValueError: the row is not an object, has no response field, or a field has the wrong
            type; the message names the field.
    """
    if not isinstance(row, dict):
        raise ValueError(f"row must be a JSON object, got {type(row).__name__}")
    response_field = next((f for f in RESPONSE_FIELDS if row.get(f) is not None), None)
    if response_field is None:
        raise ValueError(f"row has no response (expected one of: {', '.join(RESPONSE_FIELDS)})")
    response = _text_of(row[response_field], response_field)
    if len(response) > MAX_RESPONSE_CHARS:
        response = response[:MAX_RESPONSE_CHARS]

    reference: Any = None
    for f in REFERENCE_FIELDS:
        if row.get(f) is not None:
            reference = row[f]
            break
    else:
        rm = row.get("reward_model")
        if isinstance(rm, dict) and rm.get("ground_truth") is not None:
            reference = rm["ground_truth"]

    prompt: Any = ""
    for f in PROMPT_FIELDS:
        if row.get(f) is not None:
            prompt = row[f]
            if not isinstance(prompt, (str, list)):
                raise ValueError(f"field {f!r} must be a string or a chat list, got {type(prompt).__name__}")
            break
    if isinstance(prompt, list):
        prompt = [m if isinstance(m, dict) else {"role": "user", "content": str(m)} for m in prompt]

    task = row.get("task", row.get("data_source"))
    if task is not None and not isinstance(task, str):
        raise ValueError(f"field 'task' must be a string, got {type(task).__name__}")

    meta = row.get("meta") or {}
    if not isinstance(meta, dict):
        raise ValueError(f"field 'meta' must be an object, got {type(meta).__name__}")
    meta = dict(meta)
    extra = row.get("extra_info")
    if isinstance(extra, dict):
        meta.setdefault("extra_info", extra)
        for k in ("group_id", "uid", "index"):
            if k in extra:
                meta.setdefault(k, extra[k])
    for k in ("group_id", "uid", "id"):
        if k in row and row[k] is not None:
            meta.setdefault(k, row[k])
    return Sample(prompt=prompt, response=response, reference=reference, task=task, meta=meta)


def result_to_row(row: dict[str, Any], result: RewardResult) -> dict[str, Any]:
    """The input row plus ``reward``, ``status``, ``components`` and ``details``."""
    out = dict(row)
    out["reward"] = result.value
    out["status"] = result.status
    out["components"] = result.components
    out["details"] = result.details
    return out


#: End-of-turn / end-of-text tokens removed from the end of a response (queries keep special
#: tokens): Qwen/ChatML, Llama 3, Llama 2/Mistral, GPT-2/Qwen base, Gemma, Phi-3, DeepSeek.
END_TOKENS = (
    "<|im_end|>",
    "<|endoftext|>",
    "<|eot_id|>",
    "<|end_of_text|>",
    "</s>",
    "<end_of_turn>",
    "<eos>",
    "<|end|>",
    "<｜end▁of▁sentence｜>",
)


def strip_prompt(query: str, prompt: str) -> str | None:
    """The response part of an OpenRLHF ``query`` (prompt + response); ``None``: no prompt in it.

    The one implementation shared by the OpenRLHF adapter (``reward_func``) and the server's
    ``POST /get_reward``: queries are decoded with special tokens kept, so they carry left
    padding before the prompt and ``<|im_end|><|endoftext|>``-style tokens after the response.

    Tries, in order: ``query`` starts with ``prompt``; ``prompt`` occurs in ``query`` (its first
    occurrence); ``query`` starts with ``prompt`` when whitespace is ignored (a tokenizer
    round trip may add or drop spaces). Trailing end-of-turn tokens (:data:`END_TOKENS`) and the
    padding before them are removed from the response.
    """
    if query.startswith(prompt):
        rest: str | None = query[len(prompt) :]
    elif prompt and prompt in query:
        rest = query[query.index(prompt) + len(prompt) :]
    else:
        rest = _strip_loose(query, prompt)
    if rest is None:
        return None
    changed = True
    while changed:
        changed = False
        trimmed = rest.rstrip()
        for token in END_TOKENS:
            if trimmed.endswith(token):
                rest = trimmed[: -len(token)]
                changed = True
                break
    return rest


def _strip_loose(query: str, prompt: str) -> str | None:
    qi = 0
    for ch in prompt:
        if ch.isspace():
            continue
        while qi < len(query) and query[qi].isspace():
            qi += 1
        if qi >= len(query) or query[qi] != ch:
            return None
        qi += 1
    return query[qi:]
