"""Lazy listener work is stored before the ack and replayed by the job processor."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from slack_bolt import App, BoltRequest
from slack_harness import FakeSlackAPI
from slack_sdk import WebClient

from bot.jobs import JobProcessor, JobQueue
from conversations.store import Store


def home_event(event_id: str) -> dict:
    return {"type": "event_callback", "team_id": "T1", "api_app_id": "A1",
            "event_id": event_id, "authorizations": [{"user_id": "U0BOT"}],
            "event": {"type": "app_home_opened", "user": "U1", "tab": "home"}}


def make_app(fake: FakeSlackAPI, store: Store, work) -> App:
    app = App(client=WebClient(token="xoxb-test", base_url=fake.url),
              token_verification_enabled=False, process_before_response=True,
              request_verification_enabled=False)
    app.listener_runner.lazy_listener_runner = JobQueue(store, time.time)
    app.event("app_home_opened")(ack=lambda ack: ack(), lazy=[work])
    return app


def test_work_is_stored_at_the_ack_and_survives_until_a_processor_runs(
        tmp_path: Path, fake_slack: FakeSlackAPI) -> None:
    store = Store(tmp_path / "jobs.db")
    seen: list[str] = []
    app = make_app(fake_slack, store, lambda event: seen.append(event["user"]))
    response = app.dispatch(BoltRequest(body=home_event("Ev1"), mode="socket_mode"))
    assert response.status == 200
    assert seen == [] and store.pending_jobs() == 1  # acked, nothing done yet
    # A retry of the same event is not stored twice.
    app.dispatch(BoltRequest(body=home_event("Ev1"), mode="socket_mode"))
    assert store.pending_jobs() == 1
    # Another process (a fresh app on the same file) does the work later.
    later = make_app(fake_slack, Store(tmp_path / "jobs.db"),
                     lambda event: seen.append(event["user"]))
    processor = JobProcessor(later, later.listener_runner.lazy_listener_runner.store,
                             time.time)
    assert processor.run_once() == 1
    processor.stop()
    assert seen == ["U1"] and store.pending_jobs() == 0


def leases(path: Path) -> list[tuple[str | None, int]]:
    with sqlite3.connect(path) as db:
        return db.execute("SELECT lease_owner, attempts FROM jobs").fetchall()


def wait_until(predicate, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.01)


def test_a_failing_job_is_retried_with_backoff(tmp_path: Path,
                                               fake_slack: FakeSlackAPI) -> None:
    store = Store(tmp_path / "jobs.db")
    attempts: list[int] = []

    def flaky(event):
        attempts.append(1)
        if len(attempts) < 2:
            raise RuntimeError("Slack was down")

    now = [time.time() + 1]
    app = make_app(fake_slack, store, flaky)
    app.dispatch(BoltRequest(body=home_event("Ev2"), mode="socket_mode"))
    processor = JobProcessor(app, store, lambda: now[0])
    assert processor.run_once() == 1
    wait_until(lambda: leases(tmp_path / "jobs.db") == [(None, 1)])
    assert attempts == [1]  # failed, kept for another try after a backoff
    assert processor.run_once() == 0
    now[0] += 10
    wait_until(lambda: processor.run_once() == 1)
    wait_until(lambda: store.pending_jobs() == 0)
    assert attempts == [1, 1]
    processor.stop()
