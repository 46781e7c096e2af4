"""Helpers shared by the adapter tests (a uniquely named module: test files import it, never
``conftest``, so running tests/integrations with other test folders cannot pick another one)."""

from __future__ import annotations


class FakeArray:
    """Duck-typed stand-in for a numpy array (verl's non_tensor_batch holds them): has ``tolist``."""

    def __init__(self, items):
        self._items = list(items)

    def tolist(self):
        return list(self._items)

    def __iter__(self):
        return iter(self._items)

    def __len__(self):
        return len(self._items)
