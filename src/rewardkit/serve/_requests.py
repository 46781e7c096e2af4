"""Reading request bodies: JSON -> validated samples, with errors that name the field.

Nothing here imports the web framework, so the rules are plain functions that tests (and other
front ends) can call directly.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from rewardkit.core.rows import strip_prompt
from rewardkit.core.types import MAX_NESTING, RewardResult, Sample, nesting_depth

_SAMPLE_FIELDS = ("prompt", "response", "reference", "task", "meta")
#: Keys of a sample's ``reference`` mapping or ``meta`` that name a file on the server (the sql
#: verifier opens them): refused unless the server allows client paths.
SAMPLE_PATH_KEYS = ("db_path", "db")
#: Options of a spec object (terms, shaping entries) that name server files or programs: sql
#: ``db_path``/``db_root``, ``tokenizer`` (shaping, ``length.cosine``), the code verifier's
#: ``python``/``node``/``cxx``/``bwrap`` executables.
SPEC_PATH_KEYS = frozenset({"db_path", "db_root", "tokenizer", "python", "node", "cxx", "bwrap"})
#: Deepest JSON body accepted at all (samples' fields are held to ``MAX_NESTING`` each).
MAX_BODY_NESTING = MAX_NESTING + 8
_MAX_REFERENCE_JSON = 50_000_000


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

    samples: list[Sample | RewardResult]


def parse_json(body: bytes) -> Any:
    """Decode a request body; invalid JSON (or JSON nested too deeply) is a 400."""
    try:
        data = json.loads(body)
    except RecursionError:
        raise RequestError("request body is nested too deeply", None, 400) from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise RequestError(f"request body is not valid JSON: {exc}", None, 400) from None
    if nesting_depth(data, MAX_BODY_NESTING) > MAX_BODY_NESTING:
        field = _deepest_field(data)
        raise RequestError(
            f"{field or 'request body'} is nested more than {MAX_NESTING} levels deep (this server's limit)",
            field,
            422 if field else 400,
        )
    return data


def _deepest_field(data: Any) -> str | None:
    """The field (``samples[3].reference``, ``labels[0]``, ``spec``...) holding the deepest value."""
    if not isinstance(data, dict):
        return None
    best: tuple[int, str | None] = (-1, None)
    for key, value in data.items():
        if isinstance(value, list) and key in ("samples", "query", "prompts", "labels"):
            for i, item in enumerate(value):
                where = f"{key}[{i}]"
                if isinstance(item, dict) and key == "samples":
                    for name, field_value in item.items():
                        best = max(best, (nesting_depth(field_value, MAX_BODY_NESTING), f"{where}.{name}"))
                else:
                    best = max(best, (nesting_depth(item, MAX_BODY_NESTING), where))
        else:
            best = max(best, (nesting_depth(value, MAX_BODY_NESTING), str(key)))
    return best[1]


def _check_depth(value: Any, where: str) -> None:
    if nesting_depth(value) > MAX_NESTING:
        raise RequestError(f"{where} is nested more than {MAX_NESTING} levels deep (the limit)", where)


def _refuse_path(where: str) -> RequestError:
    # never touches the filesystem: the answer is the same whether the path exists or not
    return RequestError(
        f"{where}: file paths from clients are refused; start the server with --allow-client-paths "
        "to allow them",
        where,
    )


def check_sample_paths(reference: Any, meta: dict[str, Any], where_reference: str, where_meta: str) -> None:
    """Refuse a sample whose ``reference`` mapping (or JSON-object string) or ``meta`` names a file.

    Raises:
        RequestError: 422 naming the field, e.g. ``samples[0].reference.db_path``.
    """
    mapping = reference
    if isinstance(reference, str):
        text = reference.strip()
        if text.startswith("{") and len(text) < _MAX_REFERENCE_JSON:  # the sql verifier reads it so
            try:
                mapping = json.loads(text)
            except (ValueError, RecursionError):
                mapping = None
    for where, value in ((where_reference, mapping), (where_meta, meta)):
        if isinstance(value, dict):
            for key in SAMPLE_PATH_KEYS:
                if isinstance(value.get(key), str) and value[key]:
                    raise _refuse_path(f"{where}.{key}")


def check_spec_paths(spec: Any, where: str = "spec") -> None:
    """Refuse a spec object with an option that names a server file or program (``tokenizer``...).

    Raises:
        RequestError: 422 naming the field, e.g. ``spec.shaping[0].tokenizer``.
    """
    stack: list[tuple[Any, str]] = [(spec, where)]
    while stack:
        value, at = stack.pop()
        if isinstance(value, dict):
            for key, child in value.items():
                if str(key) in SPEC_PATH_KEYS and child not in (None, ""):
                    raise _refuse_path(f"{at}.{key}")
                stack.append((child, f"{at}.{key}"))
        elif isinstance(value, list):
            stack.extend((child, f"{at}[{i}]") for i, child in enumerate(value))


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


def sample_from_json(item: Any, where: str, allow_paths: bool = False) -> Sample:
    """One sample object with :class:`Sample`'s field names; a wrong JSON type is a 422.

    A field nested more than :data:`MAX_NESTING` levels deep is a 422 naming it; so is a file
    path in ``reference``/``meta`` (``db_path``, ``db``) unless ``allow_paths``.
    """
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
    reference = item.get("reference")
    for name, value in (("prompt", prompt), ("reference", reference), ("meta", meta)):
        _check_depth(value, f"{where}.{name}")
    if not allow_paths:
        check_sample_paths(reference, meta, f"{where}.reference", f"{where}.meta")
    return Sample(prompt=prompt, response=response, reference=reference, task=task, meta=meta)


def parse_score_request(data: Any, max_samples: int, allow_paths: bool = False) -> ScoreRequest:
    """Validate a ``/v1/score`` body: ``{"samples": [...], "spec": optional}``.

    Without ``allow_paths``, file paths in samples and in a spec object are a 422 naming the field.
    """
    body = _object(data, {"samples", "spec"})
    items = _list(body, "samples", max_samples)
    assert items is not None
    samples = [sample_from_json(item, f"samples[{i}]", allow_paths) for i, item in enumerate(items)]
    spec = _spec_field(body.get("spec"))
    if isinstance(spec, dict):
        _check_depth(spec, "spec")
        if not allow_paths:
            check_spec_paths(spec)
    return ScoreRequest(samples=samples, spec=spec)


def parse_reward_request(data: Any, max_samples: int, allow_paths: bool = False) -> RewardRequest:
    """Validate an OpenRLHF body ``{"query": [...], "prompts": [...], "labels": [...]}``.

    ``prompts`` and ``labels`` are optional (older OpenRLHF clients send ``query`` alone); when
    given they must have one entry per query. Other keys OpenRLHF forks add (``metadata``...)
    are ignored. The response is cut from each query by :func:`rewardkit.core.rows.strip_prompt`
    (the OpenRLHF adapter's function: left padding, trailing ``<|im_end|><|endoftext|>``); a
    query that does not contain its prompt is an ``invalid_input`` result, not a sample.
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
    samples: list[Sample | RewardResult] = []
    for i, query in enumerate(queries):
        if not isinstance(query, str):
            raise RequestError(f"query[{i}] must be a string, got {_type(query)}", f"query[{i}]")
        prompt = "" if prompts is None else prompts[i]
        if prompt is None:
            prompt = ""
        if not isinstance(prompt, str):
            raise RequestError(f"prompts[{i}] must be a string, got {_type(prompt)}", f"prompts[{i}]")
        reference = None if labels is None else labels[i]
        _check_depth(reference, f"labels[{i}]")
        if not allow_paths:
            check_sample_paths(reference, {}, f"labels[{i}]", f"labels[{i}]")
        response = strip_prompt(query, prompt)
        if response is None:
            samples.append(
                RewardResult.fail("invalid_input", f"query[{i}] does not contain its prompt (prompts[{i}])")
            )
        else:
            samples.append(Sample(prompt=prompt, response=response, reference=reference))
    return RewardRequest(samples=samples)
