"""Long work with progress: a job runs in a worker thread while the page polls its state.

A request that may take more than a moment (the roles' Monte Carlo, a forecast with many
samples) starts a :class:`Job` and answers at once with a progress bar that asks for
``/jobs/{id}`` every few hundred milliseconds; that answer is the bar again while the job runs,
and the finished part of the page when it is done (which asks no more). A job is forgotten once
its result has been delivered, and the oldest finished ones whose page never came for them are
dropped beyond :data:`KEEP`, so memory stays bounded. A running job is never dropped: its page
is waiting for it (a burst of requests may run more than :data:`KEEP` at once), and running jobs
are as many as the requests in flight. Polling changes nothing on the server but the job's
delivery, so it is a GET.
"""

from __future__ import annotations

import itertools
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

KEEP = 32  # finished jobs kept at most until their page asks for them


@dataclass
class Job:
    """One piece of work: its progress (``done`` of ``total`` steps), then its ``value`` or ``error``,
    and how its finished part of the page is rendered (``render(value)``)."""

    id: str
    label: str
    render: Callable[[Any], Any]
    done: int = 0
    total: int = 0
    stage: str = ""  # the stage running, for work of several stages (a report)
    value: Any = None
    error: BaseException | None = None
    finished: threading.Event = field(default_factory=threading.Event)

    def progress(self, done: int, total: int) -> None:
        """The callback handed to the work: it counts steps (samples, runs)."""
        self.done, self.total = done, total

    def stages(self, label: str) -> Callable[[int, int], None]:
        """A stage's progress callback (:func:`accord.execution.stage_bars`' protocol)."""
        def progress(done: int, total: int) -> None:
            self.stage, self.done, self.total = label, done, total
        return progress

    @property
    def percent(self) -> int:
        return int(100 * self.done / self.total) if self.total else 0


class Jobs:
    """The jobs of one dashboard, by id (an unguessable token: one page's job is not another's)."""

    def __init__(self) -> None:
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._lock = threading.Lock()
        self._count = itertools.count(1)

    def new(self, label: str, render: Callable[[Any], Any]) -> Job:
        job = Job(f"{next(self._count)}-{secrets.token_urlsafe(8)}", label, render)
        with self._lock:
            finished = [k for k, j in self._jobs.items() if j.finished.is_set()]  # oldest first
            for k in finished[:max(0, len(finished) - KEEP + 1)]:
                del self._jobs[k]
            self._jobs[job.id] = job
        return job

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def deliver(self, job: Job) -> None:
        """Forget a job whose result the page has received."""
        with self._lock:
            self._jobs.pop(job.id, None)

    def run(self, job: Job, fn: Callable[..., Any], *args: Any) -> None:
        """Do ``fn(*args, progress=job.progress)``, keeping its value or its error on the job (called
        in a worker thread)."""
        try:
            job.value = fn(*args, progress=job.progress)
        except BaseException as exc:  # noqa: BLE001 - shown on the page, never lost in a thread
            job.error = exc
        finally:
            job.finished.set()


async def start(request: Any, job: Job, fn: Callable[..., Any], *args: Any, wait: float = 1.0) -> Any:
    """Run ``fn(*args, progress=...)`` as ``job`` (made by ``app.state.jobs.new``), wait up to ``wait``
    seconds for it, and answer with its rendered result if it is done by then, or else with a
    progress bar that polls for it: a quick run needs no second request, a long one shows how far
    it is."""
    import anyio

    state = request.app.state
    state.pool.submit(state.jobs.run, job, fn, *args)
    await anyio.to_thread.run_sync(job.finished.wait, wait)
    return answer(request, job)


def answer(request: Any, job: Job) -> Any:
    """The job's part of the page: its result once (then the job is forgotten), else its progress."""
    if not job.finished.is_set():
        return request.app.state.pages.TemplateResponse(request, "_job.html", {"job": job})
    request.app.state.jobs.deliver(job)
    return job.render(job)
