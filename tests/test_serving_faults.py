"""Faults through the real server (`scale-advisor serve`, gunicorn, a fake Web API): killed
workers, reloads, SIGTERM under load, failed starts and malformed requests."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from slack_harness import FakeSlackAPI, SlackServer, app_env, free_port

DIAGNOSE = "diagnose users=50k p95=1.2s db_cpu=85%"
POST = "chat.postMessage"


def children(pid: int) -> list[int]:
    """Live (not zombie) child processes of `pid`."""
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines()
                          if ":\t" in line)
        except OSError:
            continue
        if fields.get("PPid", "").strip() == str(pid) and fields.get("State", "")[:1] != "Z":
            found.append(int(status.parent.name))
    return found


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def wait_until(predicate, timeout: float, every: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(every)
    return predicate()


@pytest.fixture(scope="module")
def two_workers(tmp_path_factory: pytest.TempPathFactory):
    """One two-worker server for the module: killed workers and reloads are recovered from
    by design, and the graceful stop, which ends it, runs last."""
    with FakeSlackAPI() as fake:
        server = SlackServer(fake, tmp_path_factory.mktemp("two-workers"), workers=2).start()
        try:
            yield server
        finally:
            server.stop(kill=True)


def answered_within(server: SlackServer, fake: FakeSlackAPI, timeout: float = 10.0) -> float:
    """Send the one-shot diagnose; seconds until its assessment is posted."""
    before = len(fake.calls(POST))
    started = time.monotonic()
    assert server.client(timeout=timeout).command(DIAGNOSE).status == 200
    try:
        fake.wait_for(POST, before + 1, timeout=timeout - (time.monotonic() - started))
    except AssertionError as err:
        raise AssertionError(f"{err}\n{server.log()}") from None
    assert "Stage 2: Growth" in fake.calls(POST)[before].all_text()
    return time.monotonic() - started


def test_two_workers_serve_the_same_app(two_workers: SlackServer) -> None:
    assert two_workers.proc is not None
    assert wait_until(lambda: len(children(two_workers.proc.pid)) == 2, 10), two_workers.log()
    client = two_workers.client()
    assert {client.command("help").status for _ in range(6)} == {200}


def outbox_settled(server: SlackServer) -> bool:
    """No reply is waiting to be posted: requests queue theirs before the ack, so once the
    outbox is settled, a duplicate would have been posted."""
    with sqlite3.connect(server.db_path) as db:
        due = db.execute("SELECT COUNT(*) FROM outbox WHERE state IN "
                         "('pending', 'failed_retrying')").fetchone()[0]
    return due == 0


def test_retries_landing_on_two_workers_at_once_are_answered_once(
        two_workers: SlackServer) -> None:
    fake, clients = two_workers.fake, [two_workers.client() for _ in range(4)]
    with sqlite3.connect(two_workers.db_path) as db:
        asks_before = db.execute("SELECT COUNT(*) FROM advice WHERE kind = 'ask'").fetchone()[0]
    before = len(fake.calls(POST))
    question = "how many read replicas for 12k reads/s if one handles 3k"
    threads = [threading.Thread(target=c.app_mention, args=(question,),
                                kwargs={"event_id": "EvTWICE", "retry_num": n or None})
               for n, c in enumerate(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    fake.wait_for(POST, before + 1)
    assert wait_until(lambda: outbox_settled(two_workers), 10), two_workers.log()
    assert len(fake.calls(POST)) == before + 1
    with sqlite3.connect(two_workers.db_path) as db:
        asks = db.execute("SELECT COUNT(*) FROM advice WHERE kind = 'ask'").fetchone()[0]
    assert asks == asks_before + 1


@pytest.mark.parametrize("how", ["SIGKILL a worker", "SIGTERM a worker", "SIGHUP the master"])
def test_after_a_worker_dies_or_a_reload_the_next_diagnose_is_answered(
        two_workers: SlackServer, how: str) -> None:
    fake_slack = two_workers.fake
    assert two_workers.proc is not None
    master = two_workers.proc.pid
    answered_within(two_workers, fake_slack)
    assert wait_until(lambda: len(children(master)) == 2, 10), two_workers.log()
    killed: set[int] = set()
    sig = signal.SIGKILL if "KILL" in how else signal.SIGTERM
    for _ in range(2):  # twice: the replacement must deliver as well as the survivor
        if how == "SIGHUP the master":
            os.kill(master, signal.SIGHUP)
        else:
            assert wait_until(lambda: kill_one(master, sig, killed), 10), two_workers.log()
        answered_within(two_workers, fake_slack)
    assert wait_until(lambda: len(children(master)) == 2, 10)
    assert "Traceback" not in two_workers.log()


def kill_one(master: int, sig: signal.Signals, killed: set[int]) -> bool:
    """Send `sig` to one worker not signalled before; False while none is ready, or the
    one picked ended between the listing and the signal (try again)."""
    workers = children(master)
    ready = [pid for pid in workers if pid not in killed]
    if len(workers) < 2 or not ready:
        return False
    try:
        os.kill(ready[0], sig)
    except ProcessLookupError:
        return False
    killed.add(ready[0])
    return True


def test_sigterm_under_load_answers_every_acked_request_exactly_once(
        fake_slack: FakeSlackAPI, tmp_path: Path) -> None:
    server = SlackServer(fake_slack, tmp_path, workers=2).start()
    assert server.proc is not None
    proc, pgid = server.proc, server.proc.pid
    client = server.client(timeout=20)

    def send(i: int) -> tuple[str, int]:
        channel = f"C0LOAD{i:04d}"
        try:
            return channel, client.command(DIAGNOSE, channel_id=channel).status
        except OSError:
            return channel, -1  # refused once the server stopped listening: never acked

    try:
        with ThreadPoolExecutor(10) as pool:
            results = [pool.submit(send, i) for i in range(300)]
            assert wait_until(lambda: sum(f.done() for f in results) >= 60, 30)
            proc.send_signal(signal.SIGTERM)
            statuses = dict(f.result() for f in results)
        assert proc.wait(30) == 0, server.log()
        assert wait_until(lambda: not group_alive(pgid), 5), "a process was left running"
        log = server.log()
        assert "Traceback" not in log, log
        acked = {c for c, status in statuses.items() if status == 200}
        assert len(acked) >= 60 and set(statuses.values()) <= {200, -1}, (statuses, log)
        server.proc = None
        server.start()  # the same file: whatever was acked and not yet posted goes now
        assert wait_until(lambda: acked <= {c.args["channel"] for c in fake_slack.calls(POST)},
                          30), server.log()
        server.stop()  # graceful: the delivery loops finish, so a duplicate would be in
        per_channel = Counter(c.args["channel"] for c in fake_slack.calls(POST))
        assert {c: n for c, n in per_channel.items() if n != 1} == {}
        assert set(per_channel) <= set(statuses)
    finally:
        server.stop(kill=True)


def test_malformed_requests_are_4xx_and_leave_no_traceback(two_workers: SlackServer) -> None:
    slack = two_workers.client()
    rejected_before = two_workers.log().count("rejected a request")
    statuses = [
        slack.post(b"{not json", "application/json").status,
        slack.post(b"[]", "application/json").status,
        slack.post(b"null", "application/json").status,
        slack.post(b"[" * 100_000 + b"]" * 100_000, "application/json").status,
        slack.post(b"payload=%7Bnope", "application/x-www-form-urlencoded").status,
        slack.post(b"\xff\xfe", "application/json").status,
        slack.post(b"{}", "application/json", headers={"X-Slack-Request-Timestamp": "abc"})
        .status,
        slack.post(b"{}", "application/json", signature="v0=00").status,
    ]
    assert statuses == [400] * 6 + [401, 401]
    assert slack.get("/healthz").status == 200
    log = two_workers.log()
    assert "Traceback" not in log and log.count("rejected a request") == rejected_before + 8


def run_serve(tmp_path: Path, fake: FakeSlackAPI, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bot.main", "serve", "--host", "127.0.0.1",
                           *args], cwd=tmp_path, env=app_env(fake, tmp_path / "x.db"),
                          capture_output=True, text=True, timeout=30, start_new_session=True)


def test_a_port_out_of_range_exits_2_in_one_line(tmp_path: Path,
                                                 fake_slack: FakeSlackAPI) -> None:
    done = run_serve(tmp_path, fake_slack, "--port", "70000")
    assert done.returncode == 2
    assert done.stderr == "scale-advisor serve: argument --port: --port must be 1-65535, " \
                          "not '70000'\n"


def test_a_port_in_use_exits_2_in_one_line_and_leaves_nothing(
        tmp_path: Path, fake_slack: FakeSlackAPI) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = run_serve(tmp_path, fake_slack, "--port", str(port))
    assert done.returncode == 2
    assert done.stderr == f"scale-advisor serve: cannot start: port {port} on 127.0.0.1 " \
                          "is in use\n"


def test_a_database_that_cannot_be_opened_stops_start_up(tmp_path: Path,
                                                         fake_slack: FakeSlackAPI) -> None:
    (tmp_path / "x.db").mkdir()  # a directory where the file should be
    done = run_serve(tmp_path, fake_slack, "--port", str(free_port()))
    assert done.returncode == 2
    db = tmp_path / "x.db"
    assert done.stderr == (f"scale-advisor serve: cannot start: SCALE_DB: cannot use database "
                           f"{db}: it is a directory, not a database file\n")


def test_graceful_stop_exits_0_and_leaves_nothing(two_workers: SlackServer) -> None:
    """Last in the module: it ends the shared server."""
    answered_within(two_workers, two_workers.fake)
    assert two_workers.proc is not None
    proc = two_workers.proc
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(20) == 0
    assert wait_until(lambda: not group_alive(proc.pid), 5)
    assert "Traceback" not in two_workers.log()
