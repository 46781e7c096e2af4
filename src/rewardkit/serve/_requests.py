"""Reading request bodies: JSON -> validated samples, with errors that name the field.

Nothing here imports the web framework, so the rules are plain functions that tests (and other
front ends) can call directly.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from rewardkit.core.types import Sample

_SAMPLE_FIELDS = ("prompt", "response", "reference", "task", "meta")


class RequestError(ValueError):
    """A malformed request: ``status`` is the HTTP status, ``field`` the offending field."""

    def __init__(self, message: str, field: str | None = None, status: int = 422) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.status = status

    def to_dict(self) -> dict[str, Any]:
        """The JSON error body: ``{"error": message, "field": field}``."""
        return {"error": self.message, "field": self.field}


@dataclass(frozen=True)
class ScoreRequest:
    """A validated ``POST /v1/score`` body."""

    samples: list[Sample]
    spec: str | dict[str, Any] | None


@dataclass(frozen=True)
class RewardRequest:
    """A validated OpenRLHF ``POST /get_reward`` body, already turned into samples."""

    samples: list[Sample]


def parse_json(body: bytes) -> Any:
    """Decode a request body; invalid JSON (or JSON nested too deeply) is a 400."""
    try:
        return json.loads(body)
    except RecursionError:
        raise RequestError("request body is nested too deeply", None, 400) from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise RequestError(f"request body is not valid JSON: {exc}", None, 400) from None


def _type(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def _object(data: Any, allowed: set[str], where: str = "request body") -> dict[str, Any]:
    if not isinstance(data, dict):
        raise RequestError(f"{where} must be a JSON object, got {_type(data)}", None)
    unknown = sorted(set(data) - allowed)
    if unknown:
        expected = ", ".join(sorted(allowed))
        raise RequestError(f"unknown field {unknown[0]!r} (expected: {expected})", unknown[0])
    return data


def _list(data: dict[str, Any], key: str, max_items: int, required: bool = True) -> list[Any] | None:
    value = data.get(key)
    if value is None:
        if required:
            raise RequestError(f"{key} is required (a non-empty list)", key)
        return None
    if not isinstance(value, list):
        raise RequestError(f"{key} must be a list, got {_type(value)}", key)
    if required and not value:
        raise RequestError(f"{key} must not be empty", key)
    if len(value) > max_items:
        raise RequestError(
            f"{key} has {len(value)} items, more than this server's limit of {max_items}; split the batch",
            key,
            413,
        )
    return value


def _spec_field(value: Any) -> str | dict[str, Any] | None:
    if value is None or isinstance(value, dict):
        return value
    if isinstance(value, str):
        if not value or "/" in value or "\\" in value or value.endswith((".toml", ".yaml", ".yml")):
            raise RequestError(
                f"spec must be a built-in spec name, a registered verifier name or a spec object, "
                f"got {value!r} (spec files are read only from the server's own --spec)",
                "spec",
            )
        return value
    raise RequestError(f"spec must be a string or an object, got {_type(value)}", "spec")


def sample_from_json(item: Any, where: str) -> Sample:
    """One sample object with :class:`Sample`'s field names; a wrong JSON type is a 422."""
    if not isinstance(item, dict):
        raise RequestError(f"{where} must be an object, got {_type(item)}", where)
    unknown = sorted(set(item) - set(_SAMPLE_FIELDS))
    if unknown:
        raise RequestError(
            f"{where}.{unknown[0]} is not a sample field (expected: {', '.join(_SAMPLE_FIELDS)})",
            f"{where}.{unknown[0]}",
        )
    response = item.get("response")
    if not isinstance(response, str):
        raise RequestError(f"{where}.response must be a string, got {_type(response)}", f"{where}.response")
    prompt = item.get("prompt")
    if prompt is None:
        prompt = ""
    if isinstance(prompt, list):
        for j, message in enumerate(prompt):
            if not isinstance(message, dict):
                raise RequestError(
                    f"{where}.prompt[{j}] must be a chat message object, got {_type(message)}",
                    f"{where}.prompt[{j}]",
                )
    elif not isinstance(prompt, str):
        raise RequestError(
            f"{where}.prompt must be a string or a chat list, got {_type(prompt)}", f"{where}.prompt"
        )
    task = item.get("task")
    if task is not None and not isinstance(task, str):
        raise RequestError(f"{where}.task must be a string, got {_type(task)}", f"{where}.task")
    meta = item.get("meta")
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise RequestError(f"{where}.meta must be an object, got {_type(meta)}", f"{where}.meta")
    return Sample(prompt=prompt, response=response, reference=item.get("reference"), task=task, meta=meta)


def parse_score_request(data: Any, max_samples: int) -> ScoreRequest:
    """Validate a ``/v1/score`` body: ``{"samples": [...], "spec": optional}``."""
    body = _object(data, {"samples", "spec"})
    items = _list(body, "samples", max_samples)
    assert items is not None
    samples = [sample_from_json(item, f"samples[{i}]") for i, item in enumerate(items)]
    return ScoreRequest(samples=samples, spec=_spec_field(body.get("spec")))


def response_of(query: str, prompt: str) -> str:
    """OpenRLHF's ``query`` is prompt + response: drop the prompt when it is a prefix."""
    if prompt and query.startswith(prompt):
        return query[len(prompt) :]
    return query


def parse_reward_request(data: Any, max_samples: int) -> RewardRequest:
    """Validate an OpenRLHF body ``{"query": [...], "prompts": [...], "labels": [...]}``.

    ``prompts`` and ``labels`` are optional (older OpenRLHF clients send ``query`` alone); when
    given they must have one entry per query. Other keys OpenRLHF forks add (``metadata``...)
    are ignored.
    """
    if not isinstance(data, dict):
        raise RequestError(f"request body must be a JSON object, got {_type(data)}", None)
    queries = _list(data, "query", max_samples)
    assert queries is not None
    prompts = _list(data, "prompts", max_samples, required=False)
    labels = _list(data, "labels", max_samples, required=False)
    for key, values in (("prompts", prompts), ("labels", labels)):
        if values is not None and len(values) != len(queries):
            raise RequestError(
                f"{key} has {len(values)} items but query has {len(queries)}; give one per query", key
            )
    samples = []
    for i, query in enumerate(queries):
        if not isinstance(query, str):
            raise RequestError(f"query[{i}] must be a string, got {_type(query)}", f"query[{i}]")
        prompt = "" if prompts is None else prompts[i]
        if prompt is None:
            prompt = ""
        if not isinstance(prompt, str):
            raise RequestError(f"prompts[{i}] must be a string, got {_type(prompt)}", f"prompts[{i}]")
        reference = None if labels is None else labels[i]
        samples.append(Sample(prompt=prompt, response=response_of(query, prompt), reference=reference))
    return RewardRequest(samples=samples)
