"""Prometheus text-format metrics of the reward server, written by hand (no client library).

Exposition format: https://prometheus.io/docs/instrumenting/exposition_formats/ (text 0.0.4):
one ``# HELP`` and ``# TYPE`` line per family, then ``name{label="value"} number`` samples;
a histogram has cumulative ``_bucket{le=...}`` samples ending in ``le="+Inf"``, plus ``_sum``
and ``_count``.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterable

#: Upper bounds (seconds) of the request latency histogram buckets.
LATENCY_BUCKETS: tuple[float, ...] = (
    0.005,
    0.01,
    0.025,
    0.05,
    0.1,
    0.25,
    0.5,
    1.0,
    2.5,
    5.0,
    10.0,
    30.0,
    60.0,
    120.0,
    300.0,
)


def _escape(value: str) -> str:
    """A label value escaped as the text format requires (backslash, quote, newline)."""
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _labels(pairs: Iterable[tuple[str, str]]) -> str:
    inner = ",".join(f'{k}="{_escape(v)}"' for k, v in pairs)
    return "{" + inner + "}" if inner else ""


def _num(value: float) -> str:
    if value == float("inf"):
        return "+Inf"
    return repr(float(value)) if not float(value).is_integer() else str(int(value))


class Metrics:
    """Counters and a latency histogram, safe to update from any thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.started = time.time()
        self.requests: Counter[tuple[str, str]] = Counter()  # (endpoint, http status)
        self.samples: Counter[tuple[str, str]] = Counter()  # (endpoint, result status)
        self._buckets: dict[str, list[int]] = {}
        self._sum: dict[str, float] = {}
        self._count: Counter[str] = Counter()
        self.in_flight = 0

    def observe_request(self, endpoint: str, status: int, seconds: float) -> None:
        """Count one finished request and its latency."""
        with self._lock:
            self.requests[(endpoint, str(status))] += 1
            buckets = self._buckets.setdefault(endpoint, [0] * len(LATENCY_BUCKETS))
            for i, bound in enumerate(LATENCY_BUCKETS):
                if seconds <= bound:
                    buckets[i] += 1
            self._sum[endpoint] = self._sum.get(endpoint, 0.0) + seconds
            self._count[endpoint] += 1

    def observe_samples(self, endpoint: str, statuses: Iterable[str]) -> None:
        """Count scored samples by their result status."""
        with self._lock:
            for status in statuses:
                self.samples[(endpoint, status)] += 1

    def add_in_flight(self, delta: int) -> None:
        """Track requests being served right now."""
        with self._lock:
            self.in_flight += delta

    def render(self) -> str:
        """The metrics in Prometheus text format (ends with a newline)."""
        with self._lock:
            lines = [
                "# HELP rewardkit_requests_total HTTP requests served, by endpoint and HTTP status.",
                "# TYPE rewardkit_requests_total counter",
            ]
            for (endpoint, status), n in sorted(self.requests.items()):
                labels = _labels([("endpoint", endpoint), ("code", status)])
                lines.append(f"rewardkit_requests_total{labels} {n}")
            lines += [
                "# HELP rewardkit_samples_total Samples scored, by endpoint and result status.",
                "# TYPE rewardkit_samples_total counter",
            ]
            for (endpoint, status), n in sorted(self.samples.items()):
                lines.append(
                    f"rewardkit_samples_total{_labels([('endpoint', endpoint), ('status', status)])} {n}"
                )
            lines += [
                "# HELP rewardkit_request_duration_seconds Request latency, by endpoint.",
                "# TYPE rewardkit_request_duration_seconds histogram",
            ]
            for endpoint in sorted(self._buckets):
                for bound, n in zip(LATENCY_BUCKETS, self._buckets[endpoint], strict=True):
                    labels = _labels([("endpoint", endpoint), ("le", _num(bound))])
                    lines.append(f"rewardkit_request_duration_seconds_bucket{labels} {n}")
                labels = _labels([("endpoint", endpoint), ("le", "+Inf")])
                lines.append(f"rewardkit_request_duration_seconds_bucket{labels} {self._count[endpoint]}")
                ep = _labels([("endpoint", endpoint)])
                lines.append(f"rewardkit_request_duration_seconds_sum{ep} {self._sum[endpoint]!r}")
                lines.append(f"rewardkit_request_duration_seconds_count{ep} {self._count[endpoint]}")
            lines += [
                "# HELP rewardkit_requests_in_flight Requests being served now.",
                "# TYPE rewardkit_requests_in_flight gauge",
                f"rewardkit_requests_in_flight {self.in_flight}",
                "# HELP rewardkit_start_time_seconds Unix time the server started.",
                "# TYPE rewardkit_start_time_seconds gauge",
                f"rewardkit_start_time_seconds {self.started!r}",
            ]
        return "\n".join(lines) + "\n"
