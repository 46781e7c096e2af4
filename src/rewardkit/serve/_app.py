"""The reward server's application: ``create_app(config)`` builds a FastAPI app.

Endpoints (DESIGN.md, "HTTP"):

- ``POST /v1/score``: ``{"samples": [Sample...], "spec": optional}`` ->
  ``{"results": [RewardResult...]}`` in input order.
- ``POST /get_reward``: OpenRLHF's remote reward model protocol, ``{"query", "prompts",
  "labels"}`` -> ``{"rewards", "scores", "extra_logs"}``.
- ``GET /health`` and ``GET /metrics`` (Prometheus text format).

Malformed requests get a 4xx with ``{"error": message, "field": name}``; scoring runs in a
thread pool (never on the event loop), so ``/health`` answers while a batch is scored.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import json
import math
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rewardkit._extras import require
from rewardkit._version import __version__
from rewardkit.core.engine import DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT, default_workers, score
from rewardkit.core.errors import RewardError, SpecError
from rewardkit.core.registry import verifiers
from rewardkit.core.spec import Spec, builtin_specs, load_spec
from rewardkit.core.types import STATUSES, RewardResult, Sample
from rewardkit.serve._batcher import Batcher
from rewardkit.serve._metrics import Metrics
from rewardkit.serve._requests import (
    RequestError,
    parse_json,
    parse_reward_request,
    parse_score_request,
)

#: Bodies larger than this are parsed in a thread, not on the event loop.
_PARSE_INLINE_BYTES = 256 * 1024
_ENDPOINTS = ("/v1/score", "/get_reward", "/health", "/metrics")
#: Status recorded in /metrics for a request whose client disconnected (nginx's convention).
CLIENT_CLOSED = 499


@dataclass(frozen=True)
class ServeConfig:
    """Settings of one server.

    Attributes:
        spec: the default spec (built-in name, verifier name, file path, dict or :class:`Spec`),
            used when a request names none.
        workers: worker processes (``None``: one per core, at most 8; ``0``: score in the server's
            threads with no hard deadline, for debugging only).
        timeout: per-sample deadline in seconds for every request (``None``: the default spec's,
            else 30 s; a spec sent with a request may ask for less, never for more than
            ``max_request_timeout``).
        max_samples: most samples (or queries) in one request; more is a 413.
        max_body_bytes: largest request body; larger is a 413.
        max_batch: most samples merged into one engine call from concurrent requests.
        max_request_timeout: cap on the deadline a spec sent with a request may ask for
            (``None``: the server's own deadline, i.e. ``timeout``, else the default spec's,
            else 30 s), so one client cannot hold the engine for minutes per sample.
        memory_mb: address-space cap of each worker process (``None``: no cap).
        threads: threads that wait for scoring (bounds the requests scored at once).
        allow_client_paths: accept file paths sent by clients (a sample's ``reference``/``meta``
            ``db_path``/``db``, a spec object's ``tokenizer``, ``db_root``, ``db_path``, code
            executables). Off by default: a client must not make the server open its files.
            Only for trusted clients.
        limit_concurrency: most connections uvicorn serves at once; more get a 503
            (``None``: no limit).
        timeout_keep_alive: seconds uvicorn keeps an idle keep-alive connection open.
        h11_max_incomplete_event_size: largest request line plus headers, in bytes.
        docs: serve ``/docs``, ``/redoc`` and ``/openapi.json`` (off by default).
    """

    spec: str | Path | dict[str, Any] | Spec = "math"
    workers: int | None = None
    timeout: float | None = None
    max_samples: int = 10_000
    max_body_bytes: int = 64 * 1024 * 1024
    max_batch: int = 4096
    max_request_timeout: float | None = None
    memory_mb: int | None = DEFAULT_MEMORY_MB
    threads: int = 64
    allow_client_paths: bool = False
    limit_concurrency: int | None = 1024
    timeout_keep_alive: float = 5.0
    h11_max_incomplete_event_size: int = 64 * 1024
    docs: bool = False

    def __post_init__(self) -> None:
        for name in ("max_samples", "max_body_bytes", "max_batch", "threads"):
            if getattr(self, name) < 1:
                raise ValueError(f"ServeConfig.{name} must be >= 1, got {getattr(self, name)}")
        if self.workers is not None and self.workers < 0:
            raise ValueError(f"ServeConfig.workers must be >= 0, got {self.workers}")
        for name in ("timeout", "max_request_timeout"):
            value = getattr(self, name)
            if value is not None and not (isinstance(value, (int, float)) and 0 < value < math.inf):
                raise ValueError(f"ServeConfig.{name} must be a positive finite number, got {value}")
        if self.limit_concurrency is not None and self.limit_concurrency < 1:
            raise ValueError(f"ServeConfig.limit_concurrency must be >= 1, got {self.limit_concurrency}")
        if not (0 < self.timeout_keep_alive < math.inf):
            raise ValueError(f"ServeConfig.timeout_keep_alive must be > 0, got {self.timeout_keep_alive}")
        if self.h11_max_incomplete_event_size < 1024:
            raise ValueError(
                "ServeConfig.h11_max_incomplete_event_size must be >= 1024, "
                f"got {self.h11_max_incomplete_event_size}"
            )

    def uvicorn_options(self) -> dict[str, Any]:
        """Keyword arguments for ``uvicorn.run`` that bound slow or numerous clients."""
        return {
            "limit_concurrency": self.limit_concurrency,
            "timeout_keep_alive": self.timeout_keep_alive,
            "h11_max_incomplete_event_size": self.h11_max_incomplete_event_size,
        }


def _finite(value: Any) -> Any:
    """``value`` with non-finite floats replaced by their names (JSON has no NaN or Infinity)."""
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)
    if isinstance(value, dict):
        return {str(k): _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


def dumps(payload: Any) -> bytes:
    """Strict JSON: non-finite numbers become strings, unknown objects their ``repr``.

    Lone surrogates (``"\\ud800"`` in a response or a key a client sent) cannot be encoded as
    UTF-8: the text is then written with ``\\uXXXX`` escapes (``ensure_ascii``), still valid JSON.
    """
    try:
        text = json.dumps(payload, ensure_ascii=False, allow_nan=False, default=repr)
    except ValueError:
        payload = _finite(payload)
        text = json.dumps(payload, ensure_ascii=False, allow_nan=False, default=repr)
    try:
        return text.encode()
    except UnicodeEncodeError:
        return json.dumps(payload, ensure_ascii=True, allow_nan=False, default=repr).encode()


class _Server:
    """State shared by the endpoints of one app: spec, batcher, metrics, thread pool."""

    def __init__(self, config: ServeConfig) -> None:
        self.config = config
        self.spec = load_spec(config.spec)
        self.workers = default_workers() if config.workers is None else config.workers
        self.metrics = Metrics()
        self.executor = concurrent.futures.ThreadPoolExecutor(
            max_workers=config.threads, thread_name_prefix="rewardkit-serve"
        )
        self.batcher = Batcher(self._score, config.max_batch)
        self._named: dict[str, Spec] = {}

    def _score(self, samples: list[Sample], spec: Spec, timeout: float) -> list[RewardResult]:
        return score(samples, spec, workers=self.workers, timeout=timeout, memory_mb=self.config.memory_mb)

    def resolve(self, spec: str | dict[str, Any] | None) -> tuple[Spec, float]:
        """The spec a request asked for and its deadline; a bad spec is a 422 naming it."""
        if spec is None:
            chosen = self.spec
        elif isinstance(spec, str) and spec in self._named:
            chosen = self._named[spec]
        else:
            if isinstance(spec, str) and spec not in builtin_specs() and spec not in verifiers():
                # a bare word that is neither is never looked up as a file in the server's directory
                raise RequestError(
                    f"unknown spec {spec!r}: not a built-in spec ({', '.join(builtin_specs())}) "
                    "and not a registered verifier",
                    "spec",
                )
            try:
                chosen = load_spec(spec)
            except SpecError as exc:
                raise RequestError(f"invalid spec: {exc}", "spec") from None
            except (TypeError, ValueError, RecursionError) as exc:
                raise RequestError(f"invalid spec: {exc!r}", "spec") from None
            if isinstance(spec, str):
                self._named[spec] = chosen
        own = self.config.timeout or self.spec.timeout or DEFAULT_TIMEOUT
        if chosen is self.spec or self.config.timeout is not None:
            return chosen, own
        cap = self.config.max_request_timeout or own
        return chosen, min(chosen.timeout or DEFAULT_TIMEOUT, cap)

    async def score(self, samples: list[Sample], spec: Spec, timeout: float) -> list[RewardResult]:
        """Score off the event loop, merged with concurrent requests of the same spec."""
        future = self.batcher.submit(samples, spec, timeout)
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self.executor, self.batcher.drain, future)
        return future.result()

    async def read_json(self, receive: Callable[[], Awaitable[bytes | None]], declared: str | None) -> Any:
        """Read the body (at most ``max_body_bytes``) and decode it."""
        limit = self.config.max_body_bytes
        if declared is not None:
            try:
                size = int(declared)
            except ValueError:
                raise RequestError("Content-Length is not a number", None, 400) from None
            if size > limit:
                raise RequestError(f"request body of {size} bytes exceeds the limit of {limit}", None, 413)
        chunks: list[bytes] = []
        total = 0
        while True:
            chunk = await receive()
            if chunk is None:
                break
            total += len(chunk)
            if total > limit:
                raise RequestError(f"request body exceeds the limit of {limit} bytes", None, 413)
            chunks.append(chunk)
        body = b"".join(chunks)
        if not body:
            raise RequestError("request body is empty; send a JSON object", None, 400)
        if len(body) <= _PARSE_INLINE_BYTES:
            return parse_json(body)
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.executor, parse_json, body)


def _openrlhf_response(results: list[RewardResult], spec: Spec) -> dict[str, Any]:
    """OpenRLHF's reply: ``rewards``/``scores`` floats (a failure is 0.0), per-sample logs.

    ``extra_logs`` values are per-sample lists (one number per query, as OpenRLHF's own
    ``reward_func`` examples return tensors): ``rewardkit/failed`` and one indicator per failure
    status (their sums are the counts), and each term's raw value under ``rewardkit/<term>``
    (0.0 when the term failed).
    """
    rewards = [float(r.value) if r.status == "ok" and r.value is not None else 0.0 for r in results]
    logs: dict[str, list[float]] = {"rewardkit/failed": [float(r.status != "ok") for r in results]}
    for status in STATUSES:
        if status != "ok":
            logs[f"rewardkit/{status}"] = [float(r.status == status) for r in results]
    for term in spec.terms:
        logs[f"rewardkit/{term.name}"] = [float(r.components.get(term.name, 0.0)) for r in results]
    return {"rewards": rewards, "scores": list(rewards), "extra_logs": logs}


def create_app(config: ServeConfig | None = None) -> Any:
    """Build the reward server's FastAPI application.

    Args:
        config: server settings; default :class:`ServeConfig()` (the ``math`` spec).

    Returns:
        A ``fastapi.FastAPI`` app (run it with uvicorn, or test it with ``TestClient``).

    Raises:
        MissingExtraError: FastAPI is not installed (``pip install 'rewardkit[server]'``).
        SpecError: the default spec is invalid.
    """
    fastapi = require("fastapi", "server")
    responses = require("fastapi.responses", "server")
    from starlette.exceptions import HTTPException as StarletteHTTPException
    from starlette.requests import ClientDisconnect

    Request = fastapi.Request
    Response = responses.Response

    server = _Server(config or ServeConfig())

    @contextlib.asynccontextmanager
    async def lifespan(_app: Any) -> AsyncIterator[None]:
        yield
        server.executor.shutdown(wait=False, cancel_futures=True)

    docs = server.config.docs
    app = fastapi.FastAPI(
        title="rewardkit",
        version=__version__,
        description="Reward server for RL post-training (rewardkit serve).",
        lifespan=lifespan,
        docs_url="/docs" if docs else None,
        redoc_url="/redoc" if docs else None,
        openapi_url="/openapi.json" if docs else None,
    )
    app.state.rewardkit = server

    def json_response(payload: Any, status: int = 200) -> Any:
        return Response(content=dumps(payload), status_code=status, media_type="application/json")

    async def count(request: Any, call_next: Callable[[Any], Awaitable[Any]]) -> Any:
        path = request.url.path
        endpoint = path if path in _ENDPOINTS else "other"
        start = time.perf_counter()
        server.metrics.add_in_flight(1)
        status = 500
        try:
            response = await call_next(request)
            status = response.status_code
            return response
        except asyncio.CancelledError:  # the client went away: not a server error
            status = CLIENT_CLOSED
            raise
        finally:
            server.metrics.add_in_flight(-1)
            server.metrics.observe_request(endpoint, status, time.perf_counter() - start)

    app.middleware("http")(count)

    async def body_of(request: Any) -> Any:
        stream = request.stream().__aiter__()

        async def receive() -> bytes | None:
            try:
                chunk: bytes = await stream.__anext__()
            except StopAsyncIteration:
                return None
            return chunk

        return await server.read_json(receive, request.headers.get("content-length"))

    async def guarded(endpoint: str, handle: Callable[[], Awaitable[Any]]) -> Any:
        try:
            return json_response(await handle())
        except ClientDisconnect:  # nobody reads this answer; counted as 499 in /metrics
            return Response(status_code=CLIENT_CLOSED)
        except RequestError as exc:
            return json_response(exc.to_dict(), exc.status)
        except RewardError as exc:
            field = f"samples[{exc.index}]" if endpoint == "/v1/score" else f"query[{exc.index}]"
            message = f"the spec says on_error = 'raise' and {field} failed: {exc.status}: {exc.reason}"
            return json_response({"error": message, "field": field}, 422)
        except Exception as exc:  # the engine failed as a whole (e.g. workers cannot start)
            return json_response({"error": f"internal error while scoring: {exc!r}", "field": None}, 500)

    async def score_endpoint(request: Any) -> Any:
        """Score samples: ``{"samples": [...], "spec": optional}`` -> ``{"results": [...]}``."""

        async def handle() -> dict[str, Any]:
            parsed = parse_score_request(
                await body_of(request), server.config.max_samples, server.config.allow_client_paths
            )
            spec, timeout = server.resolve(parsed.spec)
            results = await server.score(parsed.samples, spec, timeout)
            server.metrics.observe_samples("/v1/score", (r.status for r in results))
            return {"results": [r.to_dict() for r in results]}

        return await guarded("/v1/score", handle)

    # FastAPI finds the Request parameter by its annotation, which must be the class itself.
    score_endpoint.__annotations__["request"] = Request
    app.post("/v1/score")(score_endpoint)

    async def get_reward(request: Any) -> Any:
        """OpenRLHF remote reward model: ``{"query", "prompts", "labels"}`` -> rewards."""

        async def handle() -> dict[str, Any]:
            parsed = parse_reward_request(
                await body_of(request), server.config.max_samples, server.config.allow_client_paths
            )
            spec, timeout = server.resolve(None)
            todo = [s for s in parsed.samples if isinstance(s, Sample)]
            scored = iter(await server.score(todo, spec, timeout) if todo else [])
            results = [next(scored) if isinstance(s, Sample) else s for s in parsed.samples]
            server.metrics.observe_samples("/get_reward", (r.status for r in results))
            return _openrlhf_response(results, spec)

        return await guarded("/get_reward", handle)

    get_reward.__annotations__["request"] = Request
    app.post("/get_reward")(get_reward)

    async def health() -> Any:
        """Liveness: ``{"status": "ok", "version", "spec", "workers"}``."""
        return json_response(
            {"status": "ok", "version": __version__, "spec": server.spec.name, "workers": server.workers}
        )

    async def metrics() -> Any:
        """Prometheus text format."""
        return Response(
            content=server.metrics.render(), media_type="text/plain; version=0.0.4; charset=utf-8"
        )

    app.get("/health")(health)
    app.get("/metrics")(metrics)

    async def http_error(_request: Any, exc: Any) -> Any:
        """404, 405... as ``{"error", "field"}`` like every other error."""
        detail = exc.detail if isinstance(exc.detail, str) else "HTTP error"
        if exc.status_code == 404:
            detail = f"no such endpoint; this server has {', '.join(_ENDPOINTS)}"
        elif exc.status_code == 405:
            detail = f"method not allowed here: {detail}"
        response = json_response({"error": detail, "field": None}, exc.status_code)
        for key, value in (getattr(exc, "headers", None) or {}).items():
            response.headers[key] = value
        return response

    async def internal_error(_request: Any, exc: Exception) -> Any:
        """Anything unexpected is still a JSON body."""
        return json_response({"error": f"internal error: {exc!r}", "field": None}, 500)

    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(Exception, internal_error)
    return app
