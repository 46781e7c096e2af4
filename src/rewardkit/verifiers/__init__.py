"""Built-in verifiers, one module (or package) per family; importing this registers them.

Each module keeps heavy third-party imports inside its factories so that importing the
registry stays cheap.
"""

from __future__ import annotations

import importlib

_BUILTIN_MODULES: list[str] = [
    "choice",
    "code",
    "format",
    "length",
    "math",
    "numeric",
    "sql",
    "text",
]

for _name in _BUILTIN_MODULES:
    importlib.import_module(f"{__name__}.{_name}")
