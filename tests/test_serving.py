"""The serving path in process: signed requests through the gate and the Bolt app (the WSGI
callable gunicorn serves), a fake Web API at Slack's HTTP edge, a real SQLite file, and
the delivery step run by hand on an injected clock."""

from __future__ import annotations

import json
import logging
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from slack_harness import (
    ALICE,
    APP_ID,
    BOT_TOKEN,
    BOT_USER_ID,
    PUBLIC_CHANNEL,
    SIGNING_SECRET,
    TEAM_ID,
    Call,
    FakeSlackAPI,
    InProcessClient,
)

from bot.settings import Settings
from bot.slack.app import build_app
from bot.slack.delivery import COULD_NOT_FINISH, Deliverer, refused_text
from bot.slack.deps import Deps
from bot.slack.gate import SlackGate
from bot.slack.ids import ActionId
from bot.slack.server import make_wsgi_app

POST = "chat.postMessage"


@dataclass
class Served:
    deps: Deps
    gate: SlackGate
    client: InProcessClient
    fake: FakeSlackAPI
    db: Path
    now: list[float]

    def deliver(self, deliverer: Deliverer | None = None) -> int:
        """Post everything due now, as a worker's delivery loop would; how many went."""
        deliverer = deliverer or self.deps.deliverer
        assert deliverer is not None
        sent = 0
        while (n := deliverer.pending()) > 0:
            sent += n
        return sent

    def rows(self, sql: str) -> list[tuple]:
        with sqlite3.connect(self.db) as db:
            return db.execute(sql).fetchall()


def serve(tmp_path: Path, fake: FakeSlackAPI) -> Served:
    settings = Settings(_env_file=None, slack_bot_token=BOT_TOKEN,
                        slack_signing_secret=SIGNING_SECRET, slack_api_url=fake.url,
                        scale_db=tmp_path / "serving.db")
    now = [time.time()]
    deps = Deps.from_settings(settings, clock=lambda: now[0])
    gate = make_wsgi_app(build_app(settings, deps), deps, settings)
    return Served(deps, gate, InProcessClient(gate, fake=fake), fake, settings.scale_db, now)


@pytest.fixture
def served(tmp_path: Path, fake_slack: FakeSlackAPI) -> Served:
    return serve(tmp_path, fake_slack)


def posts(fake: FakeSlackAPI) -> list[Call]:
    return fake.calls(POST)


# ---------------------------------------------------------------------------- the gate


def envelope(**event: object) -> bytes:
    """An Events API envelope with `event=...` as given (or none at all)."""
    return json.dumps({"type": "event_callback", "team_id": TEAM_ID, "api_app_id": APP_ID,
                       "event_id": "EvMALFORMED", **event}).encode()


MALFORMED = [
    (b"{not json", "application/json"),
    (b"[]", "application/json"),
    (b"null", "application/json"),
    (b"[" * 50_000 + b"]" * 50_000, "application/json"),
    (json.dumps({"a": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]})
     .encode(), "application/json"),
    (b"payload=%7Bnot+json", "application/x-www-form-urlencoded"),
    (b"payload=%5B%5D", "application/x-www-form-urlencoded"),
    (b"\xff\xfe\x00{", "application/json"),
    (b"hello", "text/plain"),
    (b"x" * 600_000, "application/json"),
    (envelope(event=[]), "application/json"),
    (envelope(event="x"), "application/json"),
    (envelope(event=5), "application/json"),
    (envelope(event=None), "application/json"),
    (envelope(), "application/json"),
]


@pytest.mark.parametrize(("body", "content_type"), MALFORMED)
def test_malformed_signed_bodies_are_400_in_one_line(
        served: Served, caplog: pytest.LogCaptureFixture, body: bytes, content_type: str
) -> None:
    caplog.set_level(logging.INFO)
    resp = served.client.post(body, content_type)
    assert (resp.status, resp.json()) == (400, {"error": "malformed request"})
    lines = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert [r.name for r in lines] == ["bot.slack.gate"]
    assert lines[0].exc_info is None and "Traceback" not in caplog.text
    assert posts(served.fake) == []


@pytest.mark.parametrize("headers", [
    {"X-Slack-Request-Timestamp": "abc"},
    {"X-Slack-Request-Timestamp": ""},
    {"X-Slack-Request-Timestamp": "١٢٣"},  # digits, but not ASCII ones
    {"X-Slack-Signature": ""},
    {"X-Slack-Signature": "v0=" + "0" * 64},
    {"X-Slack-Signature": "v1=abc"},
])
def test_bad_or_missing_signature_or_timestamp_is_401_in_one_line(
        served: Served, caplog: pytest.LogCaptureFixture, headers: dict[str, str]) -> None:
    resp = served.client.post(b"{not json", "application/json", headers=headers)
    assert (resp.status, resp.json()) == (401, {"error": "invalid request"})
    assert [r.name for r in caplog.records if r.levelno >= logging.WARNING] == ["bot.slack.gate"]
    assert "Traceback" not in caplog.text


def test_signature_is_checked_before_the_body_is_read_as_json(
        served: Served, caplog: pytest.LogCaptureFixture) -> None:
    resp = served.client.post(b"{not json", "application/json",
                              timestamp=int(time.time()) - 301)
    assert resp.status == 401
    assert "more than 5 minutes" in caplog.text


# ---------------------------------------------------------------------------- one path


def test_one_shot_diagnose_is_committed_before_the_ack_and_posted_by_delivery(
        served: Served) -> None:
    resp = served.client.command("diagnose users=50k p95=1.2s db_cpu=85%")
    assert resp.status == 200
    assert posts(served.fake) == []  # acked: the reply waits in the outbox
    assert served.rows("SELECT state FROM outbox") == [("pending",)]
    assert served.rows("SELECT kind FROM advice") == [("diagnose",)]
    assert served.deliver() == 1
    [post] = posts(served.fake)
    assert "Stage 2: Growth" in post.all_text()
    assert served.rows("SELECT state FROM outbox") == [("delivered",)]


def test_a_replayed_slash_command_acts_once(served: Served) -> None:
    fields = {"team_id": "T0FAKE", "channel_id": PUBLIC_CHANNEL, "user_id": ALICE,
              "command": "/scale", "text": "diagnose users=50k db_cpu=90%",
              "response_url": "http://127.0.0.1:9/r", "trigger_id": "trigger.same"}
    assert [served.client.post_form(fields).status for _ in range(3)] == [200, 200, 200]
    assert served.deliver() == 1
    assert served.rows("SELECT COUNT(*) FROM advice") == [(1,)]


def test_a_replayed_dialog_start_posts_one_parent(served: Served) -> None:
    fields = {"team_id": "T0FAKE", "channel_id": PUBLIC_CHANNEL, "user_id": ALICE,
              "command": "/scale", "text": "diagnose", "trigger_id": "trigger.once",
              "response_url": "http://127.0.0.1:9/r"}
    first = served.client.post_form(fields)
    again = served.client.post_form(fields)
    assert "thread" in first.json()["text"] and again.status == 200
    served.deliver()
    texts = [c.text for c in posts(served.fake)]
    assert texts[0] == "Scaling check-up started" and texts.count(texts[0]) == 1
    assert served.rows("SELECT COUNT(*) FROM dialogs") == [(1,)]


def test_a_replayed_button_press_acts_once(served: Served) -> None:
    served.client.command("diagnose users=50k db_cpu=90%")
    served.deliver()
    [(advice_id,)] = served.rows("SELECT id FROM advice")
    payload = {
        "type": "block_actions", "team": {"id": "T0FAKE"},
        "user": {"id": ALICE, "team_id": "T0FAKE"}, "trigger_id": "trigger.1",
        "container": {"type": "message", "message_ts": "1700000001.000001",
                      "channel_id": PUBLIC_CHANNEL},
        "channel": {"id": PUBLIC_CHANNEL}, "message": {"ts": "1700000001.000001"},
        "actions": [{"action_id": "what_if:10", "block_id": "b", "type": "button",
                     "value": f"{advice_id}|10", "action_ts": "1700000002.000002"}],
    }
    for _ in range(2):
        assert served.client.post_form({"payload": json.dumps(payload)}).status == 200
    served.fake.clear()
    assert served.deliver() == 1
    assert "10x" in served.fake.last(POST).all_text()


def test_feedback_thanks_the_clicker_through_the_outbox(served: Served) -> None:
    served.client.command("diagnose users=50k db_cpu=90%")
    served.deliver()
    [(advice_id,)] = served.rows("SELECT id FROM advice")
    resp = served.client.block_action(ActionId.FEEDBACK_HELPFUL, str(advice_id))
    assert resp.status == 200 and served.fake.calls("chat.postEphemeral") == []
    served.deliver()
    [note] = served.fake.calls("chat.postEphemeral")
    assert (note.args["user"], note.text) == (ALICE, "Thanks, noted.")
    assert served.rows("SELECT helpful FROM feedback") == [(1,)]


def test_an_ephemeral_note_to_someone_not_in_the_channel_is_given_up_at_once(
        served: Served) -> None:
    served.client.command("diagnose users=50k db_cpu=90%")
    served.deliver()
    [(advice_id,)] = served.rows("SELECT id FROM advice")
    served.client.block_action(ActionId.FEEDBACK_HELPFUL, str(advice_id))
    served.fake.fail("chat.postEphemeral", times=3, error="user_not_in_channel")
    served.deliver()
    assert len(served.fake.calls("chat.postEphemeral")) == 1  # no retry can fix it
    assert served.rows("SELECT state FROM outbox WHERE ephemeral_to IS NOT NULL") == [
        ("failed",)]


def test_a_retried_event_is_answered_once(served: Served) -> None:
    for retry in (None, 1, 2):
        assert served.client.app_mention("db cpu is pegged and checkout times out",
                                         event_id="EvONCE", retry_num=retry).status == 200
    assert served.deliver() == 1
    assert len(posts(served.fake)) == 1


# ---------------------------------------------------------------------------- failures


def test_a_mention_without_text_is_told_in_its_thread(
        served: Served, caplog: pytest.LogCaptureFixture) -> None:
    event = {"type": "app_mention", "user": ALICE, "channel": PUBLIC_CHANNEL,
             "ts": "1700000100.000100", "event_ts": "1700000100.000100", "text": None}
    assert served.client.event(event, event_id="EvNULL").status == 200
    served.deliver()
    [post] = posts(served.fake)
    assert (post.text, post.args["thread_ts"]) == (COULD_NOT_FINISH, "1700000100.000100")
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1 and warnings[0].exc_info is None
    assert "text is not a string" in warnings[0].getMessage()
    # Slack's retry of the same event does not say it twice.
    served.client.event(event, event_id="EvNULL", retry_num=1)
    assert served.deliver() == 0


def test_events_without_a_user_are_not_answered(served: Served) -> None:
    event = {"type": "app_mention", "channel": PUBLIC_CHANNEL, "ts": "1700000100.000200",
             "event_ts": "1700000100.000200", "text": f"<@{BOT_USER_ID}> db cpu 95%"}
    assert served.client.event(event).status == 200
    dm = served.client.message_event("db cpu 95%", channel="D0ALICE")
    del dm["user"]
    assert served.client.event(dm).status == 200
    assert served.deliver() == 0 and posts(served.fake) == []


def test_text_slack_escaped_is_not_escaped_again(served: Served) -> None:
    served.client.app_mention("p95 &gt; 2s &amp; db cpu &lt;pegged&gt;")
    served.deliver()
    text = served.fake.last(POST).all_text()
    assert "&amp;gt;" not in text and "&amp;amp;" not in text and "&amp;lt;" not in text


def test_an_undeliverable_reply_tells_the_person_once(
        served: Served, caplog: pytest.LogCaptureFixture) -> None:
    served.client.app_mention("db cpu is pegged", event_id="EvBIG")
    served.fake.fail(POST, error="msg_too_long")
    served.deliver()
    first, note = posts(served.fake)
    assert (note.text, note.args["thread_ts"]) == (
        "I couldn't post my answer here: Slack refused it (msg_too_long), so asking again "
        "won't help.", first.args["thread_ts"])
    gave_up = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(gave_up) == 1 and "msg_too_long" in gave_up[0] and "told the person" in gave_up[0]
    assert served.rows("SELECT state FROM outbox") == [("failed",)]


def test_a_rate_limited_reply_is_posted_later_by_any_worker(
        served: Served, tmp_path: Path) -> None:
    served.client.command("diagnose users=50k db_cpu=90%")
    served.fake.rate_limit(POST, retry_after=7)
    assert served.deliver() == 0
    other = serve(tmp_path, served.fake)  # another worker on the same file
    other.now[0] = served.now[0] + 3
    assert other.deliver() == 0  # still inside Retry-After
    other.now[0] = served.now[0] + 8
    assert other.deliver() == 1
    assert [c.method for c in served.fake.calls()].count(POST) == 2


# ---------------------------------------------------------------------------- subcommands


@pytest.mark.parametrize(("text", "expected"), [
    ("size pool cores=8 ssd", "pool: 17 connections per instance"),
    ("size pool --cores 8 --spindles 2", "pool: 18 connections per instance"),
    ("size replicas reads=10k per-replica=3k", "replicas: 4 replicas"),
    ("size cache working-set=10GB", "cache: 15 GB"),
    ("size capacity peak=1000 growth=3x", "capacity: 4,500 req/s"),
])
def test_size_reads_k_v_words(served: Served, text: str, expected: str) -> None:
    assert served.client.command(text).json()["text"] == expected


@pytest.mark.parametrize(("text", "expected", "read"), [
    ("size pool 8 cores ssd", "pool: 17 connections per instance",
     'Read from "8 cores": cores 8.'),
    ("size pool 8", "pool: 17 connections per instance", 'Read from "8": cores 8.'),
    ("size replicas 12k reads/s, 3k per replica", "replicas: 4 replicas",
     'Read from "12k reads/s, 3k per replica": db reads 12,000 req/s, per replica 3,000 req/s.'),
    ("size cache 10GB", "cache: 15 GB", 'Read from "10GB": working set 10 GB.'),
    ("size capacity 1k rps 3x growth", "capacity: 4,500 req/s",
     'Read from "1k rps 3x growth": peak 1,000 req/s, growth 3x.'),
    ("size connections 8 cores", "pool: 17 connections per instance",
     'Read from "8 cores": cores 8.'),
    ("size capacity peak=1000 3x growth", "capacity: 4,500 req/s",
     'Read from "3x growth": growth 3x.'),
])
def test_size_reads_plain_words_and_says_how(served: Served, text: str, expected: str,
                                             read: str) -> None:
    body = served.client.command(text).json()
    assert body["text"] == expected
    assert body["blocks"][0] == {"type": "context", "elements": [{"type": "mrkdwn",
                                                                  "text": read}]}


@pytest.mark.parametrize(("text", "problem"), [
    ("size", "Which sizing: pool, replicas, cache or capacity?"),
    ("size pool banana", "I don't know `banana` for `size pool` (use cores, spindles, ssd)."),
    ("size capasity peak=1k", "I don't know `size capasity`. Did you mean `size capacity`?"),
    ("size cache 10", "`working-set`: 10 MB or 10 GB? Give the unit, e.g. 10 GB."),
    ("size pool", "`size pool` needs `cores=...`."),
    ("size pool cores=8 colour=red", "I don't know `colour` for `size pool`"),
    ("size pool cores=lots", "`cores`:"),
    ("size replicas reads=10k", "`size replicas` needs `per-replica=...`."),
    ("size pool 1.5 cores", "Not read: 1.5 cores (CPU cores is a whole number)."),
    ("size capacity peak=2000 1k rps", "`peak` given twice; give it once."),
])
def test_size_problems_are_one_line_with_examples(served: Served, text: str,
                                                  problem: str) -> None:
    body = served.client.command(text).json()
    assert problem in body["text"] and "For example" in body["text"]


def test_each_subcommand_acks_without_a_parser_build(served: Served,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    import bot.terminal.cli

    def refuse() -> None:
        raise AssertionError("the CLI parser was built for a Slack request")

    monkeypatch.setattr(bot.terminal.cli, "build_parser", refuse)
    for text in ("help", "stage 50k", "size pool cores=8", "history", "ask db cpu 95%",
                 "diagnose users=50k", "diagnose"):
        assert served.client.command(text).status == 200


def test_a_dialog_whose_thread_cannot_be_opened_is_told_once(
        served: Served, caplog: pytest.LogCaptureFixture) -> None:
    assert served.client.command("diagnose").status == 200
    served.fake.fail(POST, error="not_in_channel")
    served.deliver()
    opening, note = posts(served.fake)
    assert (opening.text, note.text, note.args.get("thread_ts")) == (
        "Scaling check-up started", refused_text("not_in_channel"), None)
    assert served.rows("SELECT state FROM outbox ORDER BY id") == [("failed",), ("failed",)]
    assert len([r for r in caplog.records if r.levelno >= logging.WARNING]) == 1


def test_delivering_the_opening_moves_the_dialog_into_its_thread(served: Served) -> None:
    served.client.command("diagnose")
    served.deliver()
    opening, question = posts(served.fake)
    assert "thread_ts" not in opening.args  # a top-level message: it opens the thread
    [(key,)] = served.rows("SELECT key FROM dialogs")
    assert key == f"T0FAKE:{PUBLIC_CHANNEL}:{question.args['thread_ts']}"
    answer = served.client.message("50k", thread_ts=question.args["thread_ts"])
    assert answer.status == 200 and served.deliver() == 1
    assert "What is hurting" in served.fake.last(POST).all_text()
