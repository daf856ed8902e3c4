"""Long work with progress: a job runs in a worker thread while the page polls its state.

A request that may take more than a moment (the roles' Monte Carlo, a forecast with many
samples) starts a :class:`Job`, waits up to a second for it, and answers with its result or
else with a progress bar that asks for ``/jobs/{id}`` as soon as it is shown. That ask is a
long poll: the server holds it until the job is done or :data:`POLL_WAIT` seconds pass, then
answers with the finished part of the page (which asks no more) or the bar again (which asks
again). So the page gets the result the moment it exists, not at the next tick of a timer,
and a waiting request holds no thread: it awaits the job's finishing in the event loop. A job is forgotten once
its result has been delivered, and the oldest finished ones whose page never came for them are
dropped beyond :data:`KEEP`, so memory stays bounded. A running job is never dropped: its page
is waiting for it (a burst of requests may run more than :data:`KEEP` at once), and running jobs
are as many as the requests in flight. Polling changes nothing on the server but the job's
delivery, so it is a GET.

With several server processes (``accord serve --workers N``) a poll may reach a process other
than the one running the job. The processes then share a folder (``shared``): the running
process writes the job's progress there (at most every :data:`PUBLISH_EVERY` seconds) and, when
it is done, its rendered answer; a process that does not hold the job answers from those files.
Each file is written whole under a temporary name and renamed, so no reader sees half of one.
"""

from __future__ import annotations

import itertools
import json
import re
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..io import atomic_write
from ..models._cache import keeping

KEEP = 32  # finished jobs kept at most until their page asks for them
POLL_WAIT = 1.0  # seconds a poll of a running job is held before it answers with the progress
SHARED_CHECK = 0.05  # seconds between two looks at the shared folder for another process's job
PUBLISH_EVERY = 0.2  # seconds between two writes of a job's progress to the shared folder
JOB_ID = re.compile(r"\d+-[A-Za-z0-9_-]{11}")  # what Jobs.new makes: safe as a file name


def write_whole(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so that a reader sees the old file or the new one, never a part
    (scratch shared by the server's processes for its lifetime: not synced to disk)."""
    atomic_write(path, text.encode("utf-8"), durable=False)


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
    shared: Path | None = None  # the folder the server's processes share jobs through, if several
    response: Any = None  # the rendered answer, when rendered where the job ran (shared jobs)
    published: float = 0.0  # when the progress was last written to the shared folder
    _waiters: list[Callable[[], None]] = field(default_factory=list)  # told once, when finished
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def when_finished(self, callback: Callable[[], None]) -> None:
        """Call ``callback()`` once the job is finished (at once if it is): from the thread that
        finishes it, so the callback must only hand over (``loop.call_soon_threadsafe``)."""
        with self._lock:
            if not self.finished.is_set():
                self._waiters.append(callback)
                return
        callback()

    def finish(self) -> None:
        """Mark the job finished and tell whoever waits for it."""
        with self._lock:
            self.finished.set()
            waiters, self._waiters = self._waiters, []
        for callback in waiters:
            callback()

    def progress(self, done: int, total: int) -> None:
        """The callback handed to the work: it counts steps (samples, runs)."""
        self.done, self.total = done, total
        self.publish()

    def stages(self, label: str) -> Callable[[int, int], None]:
        """A stage's progress callback (:func:`accord.execution.stage_bars`' protocol)."""
        def progress(done: int, total: int) -> None:
            self.stage, self.done, self.total = label, done, total
            self.publish()
        return progress

    def publish(self, force: bool = False) -> None:
        """Write the progress to the shared folder (no more often than :data:`PUBLISH_EVERY`)."""
        if self.shared is None or (not force and time.monotonic() - self.published < PUBLISH_EVERY):
            return
        self.published = time.monotonic()
        write_whole(self.shared / f"{self.id}.progress", json.dumps(
            {"label": self.label, "stage": self.stage, "done": self.done, "total": self.total}))

    def publish_answer(self) -> None:
        """Render the answer where the job ran and write it to the shared folder (status, headers,
        body), so that any process can deliver it."""
        from fastapi.responses import HTMLResponse

        try:
            self.response = self.render(self)
        except Exception as exc:  # noqa: BLE001 - the page shows the failure instead of waiting forever
            self.response = HTMLResponse(f"the work failed: {type(exc).__name__}: {exc}", status_code=500)
        assert self.shared is not None
        headers = {k: v for k, v in self.response.headers.items() if k.lower() not in ("content-length",)}
        write_whole(self.shared / f"{self.id}.answer", json.dumps(
            {"status": self.response.status_code, "headers": headers,
             "body": bytes(self.response.body).decode("utf-8")}))
        (self.shared / f"{self.id}.progress").unlink(missing_ok=True)

    @property
    def percent(self) -> int:
        return int(100 * self.done / self.total) if self.total else 0


class Jobs:
    """The jobs of one dashboard, by id (an unguessable token: one page's job is not another's);
    with ``shared``, a folder the server's processes share, those of the other processes too."""

    def __init__(self, shared: str | Path | None = None) -> None:
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._lock = threading.Lock()
        self._count = itertools.count(1)
        self.shared = Path(shared) if shared is not None else None

    def new(self, label: str, render: Callable[[Any], Any]) -> Job:
        job = Job(f"{next(self._count)}-{secrets.token_urlsafe(8)}", label, render, shared=self.shared)
        with self._lock:
            finished = [k for k, j in self._jobs.items() if j.finished.is_set()]  # oldest first
            for k in finished[:max(0, len(finished) - KEEP + 1)]:
                self._forget_files(k)
                del self._jobs[k]
            self._jobs[job.id] = job
        return job

    def get(self, job_id: str) -> Job | None:
        """The job of this id: held by this process, or else (with a shared folder) as another
        process last wrote it; None if there is no such job (or it was delivered)."""
        with self._lock:
            job = self._jobs.get(job_id)
        if job is not None or self.shared is None or not JOB_ID.fullmatch(job_id):
            return job
        return self._from_shared(job_id)

    def _from_shared(self, job_id: str) -> Job | None:
        from fastapi.responses import Response

        assert self.shared is not None
        job = Job(job_id, "", str, shared=self.shared)
        try:
            answer = json.loads((self.shared / f"{job_id}.answer").read_text(encoding="utf-8"))
        except FileNotFoundError:
            pass
        else:
            job.response = Response(answer["body"], answer["status"], answer["headers"], media_type="text/html")
            job.finished.set()
            return job
        try:
            state = json.loads((self.shared / f"{job_id}.progress").read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        job.label, job.stage, job.done, job.total = state["label"], state["stage"], state["done"], state["total"]
        return job

    def deliver(self, job: Job) -> None:
        """Forget a job whose result the page has received."""
        with self._lock:
            self._jobs.pop(job.id, None)
        self._forget_files(job.id)

    def _forget_files(self, job_id: str) -> None:
        if self.shared is not None:
            for suffix in (".answer", ".progress"):
                (self.shared / f"{job_id}{suffix}").unlink(missing_ok=True)

    def run(self, job: Job, fn: Callable[..., Any], *args: Any) -> None:
        """Do ``fn(*args, progress=job.progress)``, keeping its value or its error on the job (called
        in a worker thread)."""
        job.publish(force=True)
        try:
            with keeping():  # a server lives long: what its work computes again is kept (each issue's runs)
                job.value = fn(*args, progress=job.progress)
        except BaseException as exc:  # noqa: BLE001 - shown on the page, never lost in a thread
            job.error = exc
        finally:
            if job.shared is not None:
                job.publish_answer()
            job.finish()

    async def wait(self, job_id: str, timeout: float = POLL_WAIT) -> Job | None:
        """:meth:`get`, after waiting up to ``timeout`` seconds for the job to finish (a long poll):
        a job of this process is awaited without a thread; another process's is looked for in
        the shared folder every :data:`SHARED_CHECK` seconds."""
        import anyio

        job = self.get(job_id)
        if job is None or job.finished.is_set():
            return job
        with self._lock:
            local = self._jobs.get(job_id) is job
        if local:
            await finished(job, timeout)
            return job
        with anyio.move_on_after(timeout):
            while job is not None and not job.finished.is_set():
                await anyio.sleep(SHARED_CHECK)
                job = self._from_shared(job_id)
        return job if job is not None else self.get(job_id)


async def finished(job: Job, timeout: float) -> None:
    """Wait until ``job`` is finished or ``timeout`` seconds pass, holding no thread: the thread
    that finishes the job wakes this task through its event loop."""
    import asyncio

    if job.finished.is_set():
        return
    loop, done = asyncio.get_running_loop(), asyncio.Event()

    def wake() -> None:
        try:
            loop.call_soon_threadsafe(done.set)
        except RuntimeError:  # the loop has closed: nobody is waiting any more
            pass

    job.when_finished(wake)
    try:
        await asyncio.wait_for(done.wait(), timeout)
    except TimeoutError:
        pass


async def start(request: Any, job: Job, fn: Callable[..., Any], *args: Any, wait: float = 1.0) -> Any:
    """Run ``fn(*args, progress=...)`` as ``job`` (made by ``app.state.jobs.new``), wait up to ``wait``
    seconds for it, and answer with its rendered result if it is done by then, or else with a
    progress bar that polls for it: a quick run needs no second request, a long one shows how far
    it is."""
    state = request.app.state
    state.pool.submit(state.jobs.run, job, fn, *args)
    await finished(job, wait)
    return answer(request, job)


def answer(request: Any, job: Job) -> Any:
    """The job's part of the page: its result once (then the job is forgotten), else its progress."""
    if not job.finished.is_set():
        return request.app.state.pages.TemplateResponse(request, "_job.html", {"job": job})
    request.app.state.jobs.deliver(job)
    return job.response if job.response is not None else job.render(job)
