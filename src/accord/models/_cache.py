"""Values of pure computations kept by a key of their content (see :meth:`accord.scenario.Inputs.digest`),
in a long-lived process that asks for them (:func:`keeping`: the dashboard's work); elsewhere every
value is computed, so that each command, test and comparison of two ways of computing computes."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

T = TypeVar("T")
_KEEPING: ContextVar[bool] = ContextVar("accord_keeping", default=False)


@contextmanager
def keeping() -> Iterator[None]:
    """Keep and reuse the values of every :class:`ContentCache` within this block (in this thread
    or task): what a long-lived process computes again and again is computed once."""
    token = _KEEPING.set(True)
    try:
        yield
    finally:
        _KEEPING.reset(token)


class ContentCache:
    """Values of a pure computation by a key of their content (with
    :meth:`~accord.scenario.Inputs.digest`), the ``size`` most recently used kept, within
    :func:`keeping`: such as the issues an edit did not touch, in a dashboard forecasting edit
    after edit. Safe to share between threads; the values are shared too, so they must not be
    changed."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._values: OrderedDict[Any, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Callable[[], Any], compute: Callable[[], T]) -> T:
        """The value kept for ``key()``, or ``compute()``'s, then kept; outside :func:`keeping`,
        ``compute()`` (and no key is made)."""
        if not _KEEPING.get():
            return compute()
        k = key()
        with self._lock:
            if k in self._values:
                self._values.move_to_end(k)
                return self._values[k]
        value = compute()  # outside the lock: two threads may compute the same value, both right
        with self._lock:
            self._values[k] = value
            self._values.move_to_end(k)
            while len(self._values) > self.size:
                self._values.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._values.clear()
