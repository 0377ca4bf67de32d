"""`/scale diagnose` and friends end to end: signed requests, a fake Web API.

Each test drives the app with requests signed exactly as Slack signs them and asserts
on what the app posted (recorded by the fake) and on what it logged in SQLite. Most run
in process (the WSGI callable gunicorn serves, with a delivery loop); a restart after a
crash needs the real server (two workers racing are in test_serving_faults.py).
"""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path

import pytest
from slack_harness import (
    ALICE,
    BOB,
    LOCKED_CHANNEL,
    OUTSIDE_CHANNEL,
    PUBLIC_CHANNEL,
    TEAM_ID,
    Call,
    FakeSlackAPI,
    InProcessApp,
    SlackClient,
    SlackServer,
)
from slack_sdk.models.blocks import Block

from bot.slack.blocks.validate import validate_message
from bot.slack.ids import ActionId, indexed, pack
from bot.slack.listeners import UNREADABLE
from bot.slack.listeners.actions import GONE
from bot.slack.listeners.commands import FOLLOW_ELSEWHERE, NOT_IN_HERE
from bot.slack.listeners.events import intent_of, numbers_given, slash_command_named
from conversations.store import Store

POST = "chat.postMessage"


def posts(fake: FakeSlackAPI) -> list[Call]:
    return fake.calls(POST)


def next_post(fake: FakeSlackAPI, seen: int) -> Call:
    """Wait for post number `seen + 1` and check it is a valid Slack message."""
    call = fake.wait_for(POST, seen + 1)[seen]
    assert_valid(call)
    return call


def assert_valid(call: Call) -> None:
    blocks = call.args.get("blocks") or []
    assert validate_message(blocks, call.text) == []
    for block in blocks:
        assert Block.parse(block) is not None


def start_dialog(slack: SlackClient, fake: FakeSlackAPI, channel: str = PUBLIC_CHANNEL,
                 user: str = ALICE) -> tuple[str, str]:
    """Run `/scale diagnose`; the thread ts and the dialog key."""
    before = len(posts(fake))
    resp = slack.command("diagnose", channel_id=channel, user_id=user)
    assert resp.status == 200
    assert "thread" in resp.json()["text"]
    parent = next_post(fake, before)
    question = next_post(fake, before + 1)
    assert "started a scaling check-up" in parent.all_text()
    thread = question.args["thread_ts"]
    assert "Roughly how many users" in question.all_text()
    return thread, f"{TEAM_ID}:{channel}:{thread}"


def answer(slack: SlackClient, fake: FakeSlackAPI, thread: str, text: str, **kw) -> Call:
    seen = len(posts(fake))
    resp = slack.message(text, thread_ts=thread, **kw)
    assert resp.status == 200
    return next_post(fake, seen)


def advice_rows(db_path: Path) -> list[sqlite3.Row]:
    with sqlite3.connect(db_path) as db:
        db.row_factory = sqlite3.Row
        return db.execute("SELECT * FROM advice ORDER BY id").fetchall()


def wait_all_delivered(db_path: Path, timeout: float = 10) -> None:
    """Until every queued reply was posted. In process a request has queued all its
    replies by the time it is acked, so after this nothing more will be posted."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with sqlite3.connect(db_path) as db:
            left = db.execute("SELECT COUNT(*) FROM outbox WHERE state != 'delivered'")
            if left.fetchone()[0] == 0:
                return
        time.sleep(0.01)
    raise AssertionError("outbox not drained")


def test_a_whole_dialog_in_a_thread(slack: SlackClient, fake_slack: FakeSlackAPI,
                                    slack_db: Path) -> None:
    thread, _ = start_dialog(slack, fake_slack)
    reply = answer(slack, fake_slack, thread, "50k")
    assert "What is hurting" in reply.all_text()
    reply = answer(slack, fake_slack, thread, "checkout is slow and db cpu is at 92%")
    assert "Noted from your description: database CPU" in reply.all_text()
    assert "P95 response time" in reply.all_text()
    reply = answer(slack, fake_slack, thread, "lots")
    assert "That didn't work" in reply.all_text() and "For example" in reply.all_text()
    reply = answer(slack, fake_slack, thread, "1.4s")
    assert reply.args["thread_ts"] == thread
    final = answer(slack, fake_slack, thread, "done")
    text = final.all_text()
    assert "Stage 2: Growth" in text
    assert "you are here" in text
    assert "Bottleneck: database" in text
    assert "1,400 ms" in text  # the finding cites the value ...
    assert "&gt; 1,000 ms" in text  # ... and the threshold it tripped (escaped mrkdwn)
    assert "Add indexes" in text
    buttons = [e["action_id"] for b in final.args["blocks"] if b["type"] == "actions"
               for e in b["elements"]]
    assert ActionId.FEEDBACK_HELPFUL in buttons and indexed(ActionId.WHAT_IF, 10) in buttons
    rows = advice_rows(slack_db)
    assert len(rows) == 1 and rows[0]["layer"] == "database" and rows[0]["stage"] == 2
    assert rows[0]["thread_ts"] == thread and rows[0]["private"] == 0
    # The thread is finished: further replies are ignored.
    seen = len(posts(fake_slack))
    slack.message("hello?", thread_ts=thread)
    wait_all_delivered(slack_db)
    assert len(posts(fake_slack)) == seen


def test_quick_answer_buttons_skip_and_cancel(slack: SlackClient, fake_slack: FakeSlackAPI
                                             ) -> None:
    thread, key = start_dialog(slack, fake_slack)
    seen = len(posts(fake_slack))
    # Ids that name no question (buttons from before they did) answer the open one.
    slack.block_action(indexed(ActionId.DIALOG_CHOICE, 2), pack(key, "100000"),
                       thread_ts=thread)
    assert "What is hurting" in next_post(fake_slack, seen).all_text()
    slack.block_action(ActionId.DIALOG_SKIP, key, thread_ts=thread)
    assert "P95" in next_post(fake_slack, seen + 1).all_text()
    slack.block_action(ActionId.DIALOG_CANCEL, key, thread_ts=thread)
    assert "Cancelled" in next_post(fake_slack, seen + 2).all_text()
    slack.block_action(ActionId.DIALOG_SKIP, key, thread_ts=thread)
    ended = fake_slack.wait_for("chat.postEphemeral")[-1]
    assert "already ended" in ended.all_text()


def buttons_of(call: Call) -> dict[str, tuple[str, str]]:
    """label -> (action_id, value) of every button in a posted message."""
    return {e["text"]["text"]: (e["action_id"], e["value"]) for b in call.args["blocks"]
            if b["type"] == "actions" for e in b["elements"]}


def test_an_earlier_questions_buttons_change_nothing_once_it_is_answered(
        slack: SlackClient, fake_slack: FakeSlackAPI, slack_db: Path) -> None:
    thread, key = start_dialog(slack, fake_slack)
    first = buttons_of(posts(fake_slack)[-1])
    seen = len(posts(fake_slack))
    slack.block_action(*first["~100K"], thread_ts=thread)
    second = next_post(fake_slack, seen)
    assert "What is hurting" in second.all_text()
    for label in ("~1M", "Skip"):  # the first question's buttons, clicked again
        assert slack.block_action(*first[label], thread_ts=thread).status == 200
    notes = fake_slack.wait_for("chat.postEphemeral", 2)
    wait_all_delivered(slack_db)
    note = ("That button is for a question that is no longer open; nothing was changed. "
            "The open question is: What is hurting? Describe it in your own words (numbers "
            "welcome), or pick the closest.")
    assert [(n.args["user"], n.args["thread_ts"], n.text) for n in notes] == [
        (ALICE, thread, note)] * 2
    assert len(posts(fake_slack)) == seen + 1
    state = Store(slack_db).load_dialog(key, now=time.time()).state
    assert (state["current"], state["asked"]) == ("symptoms", ["users"])
    assert state["answers"]["users"]["value"] == 100_000
    # The open question's own buttons still answer it.
    slack.block_action(*buttons_of(second)["Skip"], thread_ts=thread)
    assert "P95" in next_post(fake_slack, seen + 1).all_text()


def test_restart_mid_dialog_resumes(shared_server: SlackServer) -> None:
    fake_slack = shared_server.fake
    slack = shared_server.client()
    rows_before = len(advice_rows(shared_server.db_path))
    thread, _ = start_dialog(slack, fake_slack)
    answer(slack, fake_slack, thread, "2M users")
    answer(slack, fake_slack, thread, "p95 is 2s and the database cpu is 95%")
    shared_server.restart(kill=True)
    slack = shared_server.client()
    final = answer(slack, fake_slack, thread, "done")
    text = final.all_text()
    assert "Stage 4: Enterprise" in text and "2,000 ms" in text
    assert len(advice_rows(shared_server.db_path)) == rows_before + 1


def test_slack_retries_of_an_event_are_handled_once(slack: SlackClient,
                                                   fake_slack: FakeSlackAPI,
                                                   slack_db: Path) -> None:
    thread, key = start_dialog(slack, fake_slack)
    seen = len(posts(fake_slack))
    event = slack.message_event("50k", thread_ts=thread)
    for retry in (None, 1, 2):
        assert slack.event(event, event_id="EvSAME", retry_num=retry).status == 200
    next_post(fake_slack, seen)
    wait_all_delivered(slack_db)
    assert len(posts(fake_slack)) == seen + 1
    store = Store(slack_db)
    state = store.load_dialog(key, now=time.time()).state
    assert state["asked"] == ["users", "symptoms"][: len(state["asked"])]
    assert state["answers"]["users"]["value"] == 50_000


def test_one_shot_diagnose_answers_at_once(slack: SlackClient, fake_slack: FakeSlackAPI,
                                           slack_db: Path) -> None:
    resp = slack.command("diagnose users=50k p95=1.2s db_cpu=85%")
    assert resp.status == 200
    post = next_post(fake_slack, 0)
    text = post.all_text()
    assert post.args["channel"] == PUBLIC_CHANNEL and "thread_ts" not in post.args
    assert "Stage 2: Growth" in text and "85%" in text and "&gt; 70%" in text
    assert advice_rows(slack_db)[0]["stage"] == 2


def test_bad_one_shot_values_are_refused_with_reasons(slack: SlackClient,
                                                      fake_slack: FakeSlackAPI,
                                                      slack_db: Path) -> None:
    body = slack.command("diagnose users=-5 db_cpu=140% p59=1s").json()
    text = body["blocks"][0]["text"]["text"]
    assert "cannot be negative" in text and "100%" in text and "did you mean `p95`" in text
    wait_all_delivered(slack_db)
    assert posts(fake_slack) == [] and advice_rows(slack_db) == []


def test_what_if_and_feedback_buttons(slack: SlackClient, fake_slack: FakeSlackAPI,
                                      slack_db: Path) -> None:
    slack.command("diagnose users=50k peak=1000 growth=3x")
    assessment = next_post(fake_slack, 0)
    advice_id = advice_rows(slack_db)[0]["id"]
    message_ts = f"{1_700_000_000 + 1}.000001"
    slack.block_action(indexed(ActionId.WHAT_IF, 100), pack(advice_id, 100),
                       message_ts=message_ts)
    what_if = next_post(fake_slack, 1)
    assert what_if.args["thread_ts"] == message_ts
    assert "At 100x" in what_if.all_text() and "Stage 4 Enterprise" in what_if.all_text()
    assert "4,500" in assessment.all_text()
    slack.block_action(ActionId.FEEDBACK_NOT_HELPFUL, str(advice_id), user=BOB)
    slack.block_action(ActionId.FEEDBACK_HELPFUL, str(advice_id), user=BOB)
    fake_slack.wait_for("chat.postEphemeral", 2)
    with sqlite3.connect(slack_db) as db:
        votes = db.execute("SELECT user, helpful FROM feedback").fetchall()
    assert votes == [(BOB, 1)]


@pytest.mark.parametrize("factor", ["7", "0", "-10", "nan", "inf", "1e400", "²"])
def test_a_what_if_factor_never_offered_is_told_to_the_clicker_only(
        slack: SlackClient, fake_slack: FakeSlackAPI, slack_db: Path, factor: str) -> None:
    slack.command("diagnose users=50k p95=1.2s db_cpu=85%")
    next_post(fake_slack, 0)
    advice_id = advice_rows(slack_db)[0]["id"]
    resp = slack.block_action(indexed(ActionId.WHAT_IF, factor), pack(advice_id, factor))
    assert resp.status == 200
    note = fake_slack.wait_for("chat.postEphemeral")[0]
    wait_all_delivered(slack_db)
    assert (note.args["user"], note.text) == (ALICE, GONE)
    assert len(posts(fake_slack)) == 1  # nothing more in the channel
    assert [r["kind"] for r in advice_rows(slack_db)] == ["diagnose"]


def test_mentions_get_threaded_answers(slack: SlackClient, fake_slack: FakeSlackAPI,
                                       slack_db: Path) -> None:
    slack.app_mention("db cpu is pegged at 95% and checkout times out")
    post = next_post(fake_slack, 0)
    assert post.args.get("thread_ts")
    assert "database" in post.all_text().lower()
    slack.app_mention("cache")
    unsure = next_post(fake_slack, 1)
    assert "Did you mean" in unsure.all_text()
    picks = [e for b in unsure.args["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert 1 <= len(picks) <= 3
    slack.app_mention("the SSL certificate expired again")
    noise = next_post(fake_slack, 2)
    assert "what i can help with" in noise.all_text().lower()
    # Picking a candidate answers that topic in the thread.
    slack.block_action(picks[0]["action_id"], picks[0]["value"], message_ts="1700000099.000001")
    picked = next_post(fake_slack, 3)
    assert picked.args["thread_ts"] == "1700000099.000001"
    assert [r["kind"] for r in advice_rows(slack_db)] == ["ask", "ask"]


def test_a_mention_that_asks_for_help_a_check_up_or_says_thanks(
        slack: SlackClient, fake_slack: FakeSlackAPI, slack_db: Path) -> None:
    slack.app_mention("help")
    assert next_post(fake_slack, 0).all_text().startswith("Scalability Advisor: /scale")
    slack.app_mention("Thanks!")
    assert next_post(fake_slack, 1).args["text"] == (
        "Glad to help. Mention me again with a symptom or a question any time.")
    # "diagnose" starts the check-up in the mention's own thread, answered there.
    slack.app_mention("diagnose")
    first = next_post(fake_slack, 2)
    assert "Roughly how many users" in first.all_text()
    slack.message("50k", thread_ts=first.args["thread_ts"])
    second = next_post(fake_slack, 3)
    assert second.args["thread_ts"] == first.args["thread_ts"]
    assert "Read: users 50,000." in second.all_text()
    assert advice_rows(slack_db) == []  # none of these is advice


def test_a_retried_mention_is_answered_once(slack: SlackClient, fake_slack: FakeSlackAPI,
                                            slack_db: Path) -> None:
    for retry in (None, 1):
        slack.app_mention("how many read replicas for 12k reads/s if one handles 3k",
                          event_id="EvMENTION", retry_num=retry)
    post = next_post(fake_slack, 0)
    assert "4" in post.all_text()
    wait_all_delivered(slack_db)
    assert len(posts(fake_slack)) == 1


def test_messages_in_threads_we_do_not_own_are_ignored(slack: SlackClient,
                                                       fake_slack: FakeSlackAPI,
                                                       slack_db: Path) -> None:
    slack.message("db cpu 99%", thread_ts="1699999999.000001")
    slack.message("db cpu 99% in the channel itself")
    wait_all_delivered(slack_db)
    assert posts(fake_slack) == []


def test_user_text_cannot_inject_mentions(slack: SlackClient, fake_slack: FakeSlackAPI
                                          ) -> None:
    thread, _ = start_dialog(slack, fake_slack)
    answer(slack, fake_slack, thread, "5k")
    answer(slack, fake_slack, thread, "<!channel> database is slow <@U0BOSS>")
    final = answer(slack, fake_slack, thread, "done")
    for call in posts(fake_slack):
        assert "<!channel>" not in call.all_text() and "<@U0BOSS>" not in call.all_text()
    assert "&lt;!channel&gt;" in final.all_text() or "channel" not in final.all_text()


def test_rate_limited_replies_are_delivered_later_exactly_once(
        fake_slack: FakeSlackAPI, slack_db: Path) -> None:
    # The serving client does not sleep out a 429: the outbox retries after Retry-After,
    # here on a clock the test moves, with the delivery step run by hand.
    app = InProcessApp.build(fake_slack, slack_db, frozen=True)
    fake_slack.rate_limit(POST, times=4, retry_after=1)
    assert app.client.command("diagnose users=50k db_cpu=90%").status == 200
    assert app.deliver() == 0
    [row] = advice_rows(slack_db)
    store = Store(slack_db)
    for attempt in range(2, 6):
        start = app.now[0]
        app.now[0] = start + 0.5
        assert app.deliver() == 0 and len(posts(fake_slack)) == attempt - 1  # not yet due
        app.now[0] = start + 1.0
        assert app.deliver() == (1 if attempt == 5 else 0)
        assert len(posts(fake_slack)) == attempt
    assert store.get_advice(row["id"]).delivery_state == "delivered"
    assert "Stage 2" in posts(fake_slack)[-1].all_text()
    app.now[0] += 3600  # nothing is due again, however long the worker lives
    assert app.deliver() == 0
    # Five attempts reached the fake (4 refused), one message was accepted.
    assert len(posts(fake_slack)) == 5


def test_a_post_slack_took_but_we_did_not_record_is_not_repeated(
        fake_slack: FakeSlackAPI, slack_db: Path) -> None:
    app = InProcessApp.build(fake_slack, slack_db, frozen=True)
    app.client.command("diagnose")
    app.deliver()
    thread = posts(fake_slack)[-1].args["thread_ts"]
    app.client.message("50k", thread_ts=thread)
    assert app.deliver() == 1
    seen = len(posts(fake_slack))
    # As if the worker died between Slack's "ok" and recording it: the row is due again.
    with sqlite3.connect(slack_db) as db:
        db.execute("UPDATE outbox SET state = 'pending', posted_ts = NULL, lease_owner = NULL,"
                   " lease_until = NULL"
                   " WHERE id = (SELECT MAX(id) FROM outbox)")
    app.deliver()
    with sqlite3.connect(slack_db) as db:
        state = db.execute("SELECT state FROM outbox ORDER BY id DESC LIMIT 1").fetchone()
    assert state[0] == "delivered"
    assert len(posts(fake_slack)) == seen
    assert fake_slack.calls("conversations.replies")


def test_a_top_level_answer_slack_took_but_we_did_not_record_is_not_repeated(
        fake_slack: FakeSlackAPI, slack_db: Path) -> None:
    app = InProcessApp.build(fake_slack, slack_db, frozen=True)
    app.client.command("diagnose users=50k p95=1.2s db_cpu=85%")
    assert app.deliver() == 1
    [first] = posts(fake_slack)
    assert "thread_ts" not in first.args or first.args["thread_ts"] is None
    with sqlite3.connect(slack_db) as db:  # as if killed between Slack's "ok" and the commit
        db.execute("UPDATE outbox SET state = 'pending', posted_ts = NULL, lease_owner = NULL,"
                   " lease_until = NULL")
    app.deliver()
    with sqlite3.connect(slack_db) as db:
        assert db.execute("SELECT state FROM outbox").fetchall() == [("delivered",)]
    assert len(posts(fake_slack)) == 1
    [looked] = fake_slack.calls("conversations.history")
    assert looked.args["channel"] == first.args["channel"]


def test_alice_and_bob_both_answer_in_the_thread(slack: SlackClient, fake_slack: FakeSlackAPI
                                                ) -> None:
    thread, _ = start_dialog(slack, fake_slack)
    answer(slack, fake_slack, thread, "50k", user=ALICE)
    reply = answer(slack, fake_slack, thread, "none", user=BOB)
    assert "P95" in reply.all_text()


def test_direct_messages_are_answered_and_stay_private(
        slack: SlackClient, fake_slack: FakeSlackAPI, slack_db: Path) -> None:
    slack.message("how many read replicas for 12k reads/s if one handles 3k",
                  channel="D0ALICE")
    post = next_post(fake_slack, 0)
    assert post.args["channel"] == "D0ALICE" and "4 replicas" in post.all_text()
    # A check-up started in the DM runs in its thread there too.
    thread, _ = start_dialog(slack, fake_slack, channel="D0ALICE")
    reply = answer(slack, fake_slack, thread, "50k", channel="D0ALICE")
    assert "What is hurting" in reply.all_text()
    assert [r["private"] for r in advice_rows(slack_db)] == [1]


def _damage_saved_state(db_path: Path, key: str) -> None:
    """Overwrite the dialog's saved state under `key`, as an older or damaged row."""
    with sqlite3.connect(db_path) as db:
        assert db.execute("UPDATE dialogs SET state_json = ? WHERE key = ?",
                          (json.dumps({"status": "half-written", "asked": 3}), key)).rowcount == 1


def _dialog_keys(db_path: Path) -> list[str]:
    with sqlite3.connect(db_path) as db:
        return [key for (key,) in db.execute("SELECT key FROM dialogs ORDER BY key")]


def test_a_thread_whose_saved_dialog_cannot_be_read_is_told_once_and_set_aside(
        slack: SlackClient, fake_slack: FakeSlackAPI, slack_db: Path) -> None:
    """Only the terminal caught it: in a thread every message got "I couldn't finish this;
    try again." until the dialog expired."""
    thread, key = start_dialog(slack, fake_slack)
    answer(slack, fake_slack, thread, "50k")
    _damage_saved_state(slack_db, key)
    reply = answer(slack, fake_slack, thread, "checkout is slow")
    assert (reply.args["thread_ts"], reply.text) == (thread, UNREADABLE)
    assert UNREADABLE == (
        "Your unfinished diagnosis was saved in a form that cannot be read any more, so it "
        "cannot be resumed. A new `/scale diagnose` starts afresh.")
    assert _dialog_keys(slack_db) == []
    seen = len(posts(fake_slack))  # the thread is no dialog now: nothing more is said
    slack.message("hello?", thread_ts=thread)
    wait_all_delivered(slack_db)
    assert len(posts(fake_slack)) == seen


@pytest.mark.parametrize(("action_id", "value"), [
    (ActionId.DIALOG_OPEN_FORM, "{key}"), (indexed(ActionId.DIALOG_SKIP, "users"), "{key}")])
def test_a_button_on_a_dialog_that_cannot_be_read_tells_the_clicker_and_sets_it_aside(
        slack: SlackClient, fake_slack: FakeSlackAPI, slack_db: Path, action_id: str,
        value: str) -> None:
    thread, key = start_dialog(slack, fake_slack)
    _damage_saved_state(slack_db, key)
    assert slack.block_action(action_id, value.format(key=key), thread_ts=thread).status == 200
    note = fake_slack.wait_for("chat.postEphemeral")[0]
    assert (note.args["user"], note.args["thread_ts"], note.text) == (ALICE, thread, UNREADABLE)
    assert _dialog_keys(slack_db) == []
    assert fake_slack.calls("views.open") == []


def test_a_mention_is_read_without_slack_markup(slack: SlackClient, fake_slack: FakeSlackAPI,
                                                slack_db: Path) -> None:
    # a clearly placed complaint, so the bot answers at once and records what it read
    slack.app_mention("<!here> <@U0OPS|ops> the database is slow, see <https://grafana.example.com"
                      "/d/1|the dashboard> in <#C0INC|incidents> &lt;3 <https://example.com/x>")
    next_post(fake_slack, 0)
    [row] = advice_rows(slack_db)
    assert json.loads(row["inputs_json"])["text"] == (
        "the database is slow, see the dashboard in #incidents <3 https://example.com/x")


def test_a_dialog_is_not_started_where_the_bot_cannot_hear_the_thread(
        slack: SlackClient, fake_slack: FakeSlackAPI, slack_db: Path) -> None:
    response = slack.command("diagnose", channel_id=OUTSIDE_CHANNEL)
    assert response.status == 200
    assert response.json()["text"] == FOLLOW_ELSEWHERE
    # A one-shot answer needs no thread: it is posted there (chat:write.public).
    slack.command("diagnose users=50k p95=1.2s db_cpu=85%", channel_id=OUTSIDE_CHANNEL)
    post = next_post(fake_slack, 0)
    assert post.args["channel"] == OUTSIDE_CHANNEL and "Stage 2" in post.all_text()
    with sqlite3.connect(slack_db) as db:
        assert db.execute("SELECT count(*) FROM dialogs").fetchone() == (0,)


@pytest.mark.parametrize("text", ["diagnose", "diagnose users=50k p95=1.2s",
                                  "ask how big should the pool be"])
def test_a_private_conversation_the_bot_is_not_in_gets_one_line_and_nothing_queued(
        slack: SlackClient, fake_slack: FakeSlackAPI, slack_db: Path, text: str) -> None:
    response = slack.command(text, channel_id=LOCKED_CHANNEL)
    assert response.json()["text"] == NOT_IN_HERE
    with sqlite3.connect(slack_db) as db:
        assert db.execute("SELECT count(*) FROM outbox").fetchone() == (0,)
    assert posts(fake_slack) == []


def test_thread_answers_are_echoed_with_their_unit_and_conversion(
        slack: SlackClient, fake_slack: FakeSlackAPI) -> None:
    thread, _ = start_dialog(slack, fake_slack)
    reply = answer(slack, fake_slack, thread, "fifty thousand")
    assert reply.args["blocks"][0]["elements"][0]["text"] == (
        "Read: users 50,000 ('fifty thousand' read as 50,000).")
    reply = answer(slack, fake_slack, thread, "checkout crawls at 60k/min")
    assert reply.args["blocks"][0]["elements"][0]["text"] == (
        "Noted from your description: peak traffic 1,000 req/s.\n"
        "(60,000 per minute = 1,000 per second.)")


@pytest.mark.parametrize(("text", "intent"), [
    ("help", "help"), ("Help!", "help"), ("what can you do?", "help"), ("?", "help"),
    ("diagnose", "check-up"), ("run a check-up", "check-up"), ("Check up", "check-up"),
    ("thanks", "thanks"), ("thank you, that fixed it", "thanks"), ("ty", "thanks"),
    ("help, db is slow", None), ("diagnose the slow checkout", None),
    ("thanks to the deploy the db is at 95% cpu and checkout times out", None),
    ("the database is slow", None),
])
def test_what_a_mention_asks_for(text, intent):
    assert intent_of(text) == intent


@pytest.mark.parametrize(("text", "named"), [
    ("history", "history"), ("Systems", "systems"), ("/scale done shop indexes", "done"),
    ("/scale not-now shop read replicas", "not-now"), ("/scale history system=shop", "history"),
    ("history page is slow", None), ("done deploying, db is slow now", None),
    ("systems are down", None), ("/scale stage 50k", None), ("", None),
])
def test_which_mentions_name_a_slash_only_command(text, named):
    assert slash_command_named(text) == named


def test_a_mention_naming_a_listing_command_is_pointed_to_it(
        slack: SlackClient, fake_slack: FakeSlackAPI) -> None:
    slack.app_mention("/scale history database")
    posted = fake_slack.wait_for("chat.postMessage", 1)[0]
    assert posted.args["text"] == ("That is `/scale history`: type `/scale history database` "
                                   "in the channel (only you will see the answer).")


def test_a_mention_with_numbers_is_the_one_shot_diagnose(
        slack: SlackClient, fake_slack: FakeSlackAPI, slack_db: Path) -> None:
    slack.app_mention("diagnose users=50k db_cpu=90%")
    slack.command("diagnose users=50k db_cpu=90%")
    mentioned, commanded = [c.all_text() for c in fake_slack.wait_for("chat.postMessage", 2)]
    assert mentioned == commanded
    assert "Stage 2 (Growth); bottleneck: database" in mentioned
    assert [r["kind"] for r in advice_rows(slack_db)] == ["diagnose", "diagnose"]


@pytest.mark.parametrize(("text", "args"), [
    ("users=50k db_cpu=90%", "users=50k db_cpu=90%"),
    ("diagnose system=shop users=50k", "system=shop users=50k"),
    ("Diagnose p95=2s and checkout is slow", "p95=2s and checkout is slow"),
    ("at=error code=H12 desc=\"Request timeout\"", None),  # a router log line, not numbers
    ("checkout is slow, users=50k", None), ("diagnose", None), ("", None),
])
def test_which_mentions_give_numbers_to_diagnose(text, args):
    assert numbers_given(text) == args
