"""An LRU bounded by bytes: what every in-process cache of the API is built on.

A cap by entry count bounds nothing when entries can be large: 5,000 parsed 100 KB documents
are gigabytes. Each entry here is put with its (estimated) size, and the least recently used
entries go until the total is back under the budget. An entry larger than the whole budget is
not kept at all.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")

ENTRY_OVERHEAD = 200
"""Bytes of bookkeeping per entry (the dict slot, the tuple, the key object), roughly."""


class ByteLRU(Generic[K, V]):
    def __init__(self, max_bytes: int, max_entries: int | None = None) -> None:
        self.max_bytes = max_bytes
        self._max_entries = max_entries
        self._entries: OrderedDict[K, tuple[V, int]] = OrderedDict()
        self.bytes = 0

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: K) -> bool:
        return key in self._entries

    def get(self, key: K) -> V | None:
        found = self._entries.get(key)
        if found is None:
            return None
        self._entries.move_to_end(key)
        return found[0]

    def put(self, key: K, value: V, size: int) -> None:
        """Keep ``value`` under ``key``, counting ``size`` bytes for it (plus the overhead)."""
        self.discard(key)
        size += ENTRY_OVERHEAD
        if size > self.max_bytes:
            return
        self._entries[key] = (value, size)
        self.bytes += size
        while self.bytes > self.max_bytes or (
            self._max_entries is not None and len(self._entries) > self._max_entries
        ):
            _, (_, dropped) = self._entries.popitem(last=False)
            self.bytes -= dropped

    def discard(self, key: K) -> None:
        found = self._entries.pop(key, None)
        if found is not None:
            self.bytes -= found[1]
