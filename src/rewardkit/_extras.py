"""Lazy imports of optional back-ends with an error that names the install line."""

from __future__ import annotations

import importlib
from types import ModuleType


class MissingExtraError(ImportError):
    """Raised when an optional back-end is used but its extra is not installed."""


def require(module: str, extra: str) -> ModuleType:
    """Import ``module`` or raise an error naming ``pip install 'rewardkit[extra]'``.

    Args:
        module: dotted module name to import.
        extra: the rewardkit extra that provides it.
    """
    try:
        return importlib.import_module(module)
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise MissingExtraError(
            f"{module!r} is needed for this feature: pip install 'rewardkit[{extra}]'"
        ) from exc
