"""Exceptions shared across rewardkit."""

from __future__ import annotations


class RewardkitError(Exception):
    """Base class of rewardkit's own errors."""


class InvalidInput(RewardkitError):
    """Raised by a verifier when the sample cannot be read (e.g. unparseable reference).

    The engine turns it into ``status="invalid_input"`` with the message as reason.
    """


class SpecError(RewardkitError, ValueError):
    """A reward spec is malformed; the message names the file, the term and the field."""


class RewardError(RewardkitError):
    """Raised by ``rk.score`` when a spec with ``on_error = "raise"`` meets a failed sample."""

    def __init__(self, index: int, status: str, reason: str) -> None:
        super().__init__(f"sample {index}: {status}: {reason}")
        self.index = index
        self.status = status
        self.reason = reason
