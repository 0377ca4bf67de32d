"""Durable lazy listeners: the work behind an ack is stored in SQLite before Slack gets its
200, and done by a job processor (in HTTP mode, a separate, lower-priority process).

Bolt hands each listener's lazy half to a LazyListenerRunner. `JobQueue` is one that
writes the request to the `jobs` table instead of starting a thread, so a worker that dies
right after acking loses nothing, and acks never compete with slow work for a worker's
CPU. `JobProcessor` replays each stored request through the same Bolt app in lazy-only
mode, the way Bolt's own FaaS adapters do; a failed job is retried with backoff.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from slack_bolt import App, BoltRequest
from slack_bolt.kwargs_injection import build_required_kwargs
from slack_bolt.lazy_listener import LazyListenerRunner
from slack_bolt.util.utils import get_arg_names_of_callable

from conversations.store import JobRow, Store

log = logging.getLogger("bot.jobs")

MAX_ATTEMPTS = 5
LAZY_ONLY = "x-slack-bolt-lazy-only"
LAZY_NAME = "x-slack-bolt-lazy-function-name"


class JobFailed(RuntimeError):
    """A lazy listener raised; the job is retried."""


class JobQueue(LazyListenerRunner):
    """Store lazy work instead of running it; run it when the processor replays it."""

    def __init__(self, store: Store, clock: Callable[[], float]) -> None:
        self.store = store
        self.clock = clock
        self.logger = log

    def start(self, function: Callable[..., None], request: BoltRequest) -> None:
        name = request.lazy_function_name or function.__name__
        event_id = request.body.get("event_id")
        self.store.add_job(name, request.body, now=self.clock(),
                           event_id=f"{event_id}:{name}" if event_id else None)

    def run(self, function: Callable[..., None], request: BoltRequest) -> None:
        kwargs = build_required_kwargs(logger=log, required_arg_names=get_arg_names_of_callable(
            function), request=request, response=None, this_func=function)
        try:
            function(**kwargs)
        except Exception as err:
            raise JobFailed(f"{request.lazy_function_name}: {err!r}") from err


class JobProcessor:
    """Claims stored jobs and replays them through `app`, a few at a time."""

    def __init__(self, app: App, store: Store, clock: Callable[[], float],
                 threads: int = 4, poll_s: float = 0.05) -> None:
        self.app = app
        self.store = store
        self.clock = clock
        self.poll_s = poll_s
        self.threads = threads
        self.name = f"{socket.gethostname()}:{os.getpid()}:jobs"
        self._stop = threading.Event()
        self._slots = threading.Semaphore(threads)
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="job")

    def run_forever(self) -> None:
        while not self._stop.is_set():
            if self.run_once() == 0:
                self._stop.wait(self.poll_s)

    def start(self) -> JobProcessor:
        threading.Thread(target=self.run_forever, name="jobs", daemon=True).start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._pool.shutdown(wait=True)

    def run_once(self) -> int:
        """Start as many due jobs as there are free threads; how many were started."""
        free = 0
        while self._slots.acquire(blocking=False):
            free += 1
        if free == 0:
            return 0
        try:
            jobs = self.store.claim_jobs(self.name, now=self.clock(), limit=free)
        except Exception:  # noqa: BLE001 - a locked or busy file: try again next poll
            log.exception("could not claim jobs")
            jobs = []
        for _ in range(free - len(jobs)):
            self._slots.release()
        for job in jobs:
            self._pool.submit(self._run, job)
        return len(jobs)

    def _run(self, job: JobRow) -> None:
        try:
            self.replay(job)
        except Exception as err:  # noqa: BLE001 - one bad job must not stop the rest
            give_up = job.attempts >= MAX_ATTEMPTS
            log.warning("job %s (%s) failed on attempt %s%s: %s", job.id, job.function,
                        job.attempts, "; giving up" if give_up else "", err)
            self.store.retry_job(job.id, now=self.clock(), error=str(err), give_up=give_up)
        else:
            self.store.finish_job(job.id)
        finally:
            self._slots.release()

    def replay(self, job: JobRow) -> None:
        """Run one stored lazy listener through the app (verification was done at the ack)."""
        request = BoltRequest(body=job.payload, mode="socket_mode",
                              headers={LAZY_ONLY: "1", LAZY_NAME: job.function})
        response = self.app.dispatch(request)
        if response.status >= 500:
            raise JobFailed(f"{job.function} answered {response.status}")


def install(app: App, store: Store, clock: Callable[[], float]) -> None:
    """Make `app`'s lazy listeners durable jobs."""
    app.listener_runner.lazy_listener_runner = JobQueue(store, clock)

