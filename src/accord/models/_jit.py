"""Optional compiled kernels: numba, from the extra "fast", compiled on first use.

``kernel = Lazy(fn)``; ``kernel.get()`` is the compiled function, or None where numba is not
installed or ``ACCORD_NO_JIT`` is set, and the caller then runs its array code. Importing
numba costs about a second, so it happens only when a run is large enough to need it.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

#: The samples of the whole experiment while its batches run in this process (None otherwise; set
#: by :func:`accord.experiment.evaluate`): a model may pay a one-off cost (loading numba) only
#: when the experiment, not one batch of it, repays it. A hint for speed only: it never changes
#: what is computed, since the compiled and the array code give the same numbers.
PLANNED: ContextVar[int | None] = ContextVar("accord_planned_samples", default=None)


#: One lock for making every kernel: a kernel's helpers are bound in its module's scope, which
#: kernels share, and a thread must never see a kernel half made (tried, but not yet compiled).
_MAKING = threading.RLock()


class Lazy:
    _numba: Any = None

    def __init__(self, fn: Callable[..., Any], helpers: tuple[str, ...] = (), inline: tuple[str, ...] = (),
                 **options: Any) -> None:
        """``helpers``: names of functions in fn's module that fn calls; compiled code can only
        call compiled code, so they are compiled first and bound in their module. ``options``
        go to numba's ``njit`` (fn's and its helpers'), e.g. ``error_model="numpy"``: a division
        by zero gives inf or nan as in the array code, without the check per division that keeps
        loops from being vectorised. ``inline``: helpers numba inlines where they are called (small
        functions called per element of a loop, whose calls would cost more than their arithmetic)."""
        self.fn, self.helpers, self.inline, self.options = fn, helpers, inline, options
        self.compiled, self.tried = None, False

    def get(self) -> Callable[..., Any] | None:
        if not self.tried:
            with _MAKING:
                if not self.tried:
                    njit = _njit()
                    if njit:
                        scope = self.fn.__globals__
                        for name in self.helpers:
                            if not hasattr(scope[name], "py_func"):
                                extra = {"inline": "always"} if name in self.inline else {}
                                scope[name] = njit(cache=True, nogil=True, **self.options, **extra)(scope[name])
                        self.compiled = njit(cache=True, nogil=True, **self.options)(self.fn)
                    self.tried = True  # last: another thread reads it without the lock
        return self.compiled


def _njit():
    if os.environ.get("ACCORD_NO_JIT"):
        return None
    try:
        from numba import njit
    except ImportError:
        return None
    return njit
