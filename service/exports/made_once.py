"""A file made from results is made once per content: the same results (the same bytes
when encoded) give the same report, chart or table, so asking again for a file of an
evaluation whose data has not changed (the PDF after the HTML, the chart page's
downloads one by one, a second evaluator's report) takes the file made the first time
instead of drawing every chart again (seconds for the demo's report). Whatever changed
in the data, or in the labels the results carry, changes the encoding and so the key:
a file is never reused for other results.

Kept in this process's memory only (a job process, or one run of the command line), up
to a budget of bytes, the least recently used dropped first. Nothing is written to disk:
a file holds no more than the results it was made from, which this process read anyway."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

import msgspec

T = TypeVar("T", bytes, str)

BUDGET = 64 * 1024 * 1024  # the demo's report: about 2 MB of HTML and 1.5 MB of PDF


def content_key(results: msgspec.Struct) -> bytes:
    """A digest of everything `results` hold (a msgspec Struct encodes the same fields in
    the same order every time)."""
    return hashlib.blake2b(msgspec.msgpack.encode(results), digest_size=32).digest()


class MadeOnce:
    """Files by key (what was made, from which content, in which form), within a budget."""

    def __init__(self, budget: int = BUDGET) -> None:
        self.budget = budget
        self._files: OrderedDict[Hashable, bytes | str] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, key: Hashable, make: Callable[[], T]) -> T:
        """The file kept under `key`, or `make()`'s, kept for next time."""
        with self._lock:
            if key in self._files:
                self._files.move_to_end(key)
                return self._files[key]  # type: ignore[return-value]  # stored by make() of this key
        made = make()
        with self._lock:
            if key not in self._files and len(made) <= self.budget:
                self._files[key] = made
                self._size += len(made)
                while self._size > self.budget:
                    _, dropped = self._files.popitem(last=False)
                    self._size -= len(dropped)
        return made

    def clear(self) -> None:
        with self._lock:
            self._files.clear()
            self._size = 0


FILES = MadeOnce()
