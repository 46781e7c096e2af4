"""Cutting a stream into batches without splitting a shaping group.

Group-aware shaping (``[[shaping]]`` in a spec, :mod:`rewardkit.shaping.stage`) computes its
statistics over every sample of a group, and :func:`rewardkit.score` only sees one batch. So
the streaming paths (``rk.score_iter`` and ``rewardkit score``) cut their input here: a batch
grows past ``batch_size`` until the current group ends, up to ``batch_size * max_batches``
items (a bound on memory when the input has no group boundaries). Groups are expected on
consecutive items; an item whose group already went out in an earlier batch is reported
through ``on_split`` (that group will be shaped in pieces).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")

#: With a group key, a batch grows past ``batch_size`` until the current group ends, at most
#: this many times ``batch_size``.
MAX_GROUP_BATCHES = 64


def _digest(group: str) -> bytes:
    return hashlib.blake2b(group.encode(), digest_size=16).digest()


def group_batches(
    items: Iterable[T],
    batch_size: int,
    key: Callable[[T], str | None] | None = None,
    *,
    max_batches: int = MAX_GROUP_BATCHES,
    on_split: Callable[[T], None] | None = None,
) -> Iterator[list[T]]:
    """Yield lists of consecutive items, never cutting between two items of one group.

    Args:
        items: the stream (read lazily).
        batch_size: items per batch when no group runs across the boundary (``>= 1``).
        key: the item's group (e.g. :func:`rewardkit.shaping.stage.group_key`); ``None`` from
            it (an unreadable item) means "same group as the item before". Without ``key``
            batches are exactly ``batch_size`` long (the last one shorter).
        max_batches: a batch is cut at ``batch_size * max_batches`` items even inside a group.
        on_split: called with each item whose group was already yielded in an earlier batch
            (the input's groups are not contiguous, or a group outgrew the cap).

    Raises:
        ValueError: ``batch_size`` or ``max_batches`` is below 1.
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    if max_batches < 1:
        raise ValueError(f"max_batches must be >= 1, got {max_batches}")
    cap = batch_size * max_batches
    batch: list[T] = []
    last_group: str | None = None
    flushed: set[bytes] = set()  # digests of groups already yielded (16 bytes per group)
    current: set[str] = set()
    for item in items:
        group = key(item) if key is not None else None
        if group is None:
            group = last_group
        if len(batch) >= batch_size and (key is None or group != last_group or len(batch) >= cap):
            flushed.update(_digest(g) for g in current)
            current.clear()
            yield batch
            batch = []
        if group is not None:
            if on_split is not None and flushed and _digest(group) in flushed:
                on_split(item)
            current.add(group)
        batch.append(item)
        last_group = group
    if batch:
        yield batch
