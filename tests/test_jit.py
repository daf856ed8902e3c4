"""The optional compiled kernels (:mod:`accord.models._jit`) are made once, safely across threads:
a dashboard's threads, and the thread that warms the kernels when a server starts, may ask for
the same kernel at the same moment, and none may see it half made."""

from __future__ import annotations

import threading

import pytest

from accord.models._jit import Lazy, _njit


def _twice(x):
    return 2.0 * x


def test_threads_asking_at_once_all_get_the_one_compiled_kernel(monkeypatch):
    monkeypatch.delenv("ACCORD_NO_JIT", raising=False)
    if _njit() is None:
        pytest.skip("numba (the optional extra 'fast') is not installed")
    for _ in range(20):  # a fresh kernel each time: the race is at its first request
        kernel = Lazy(_twice)
        start = threading.Barrier(8)
        got: list = []

        def ask(kernel=kernel, start=start, got=got):
            start.wait()
            got.append(kernel.get())

        threads = [threading.Thread(target=ask) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(got) == 8 and got[0] is not None and all(k is got[0] for k in got)
        assert got[0](3.0) == 6.0


def test_without_numba_every_thread_gets_none(monkeypatch):
    monkeypatch.setenv("ACCORD_NO_JIT", "1")
    kernel = Lazy(_twice)
    got: list = []
    threads = [threading.Thread(target=lambda: got.append(kernel.get())) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert got == [None] * 4
