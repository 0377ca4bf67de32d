"""`/scale history` and the App Home: past advice with links, and privacy that holds.

Advice is created the way people create it, through signed `/scale diagnose` requests;
the privacy cases use a private channel (`G…`) and two people.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from slack_harness import (
    ALICE,
    BOB,
    DM_CHANNEL,
    PRIVATE_CHANNEL,
    PUBLIC_CHANNEL,
    TEAM_ID,
    FakeSlackAPI,
    SlackClient,
)
from slack_sdk.models.views import View

from advisor.models import StageNumber
from bot.slack.blocks.history import HistoryRow
from bot.slack.blocks.validate import validate_message, validate_view
from bot.slack.listeners.history import history_row, history_rows
from conversations.advice_log import AdviceRow
from conversations.service import Conversations
from conversations.store import Store


def diagnose(slack: SlackClient, fake: FakeSlackAPI, db_path: Path, text: str,
             channel: str, user: str) -> AdviceRow:
    """One-shot `/scale diagnose k=v ...`; the logged row once its answer was delivered."""
    before = len(fake.calls("chat.postMessage"))
    assert slack.command(f"diagnose {text}", channel_id=channel, user_id=user).status == 200
    fake.wait_for("chat.postMessage", before + 1)
    store = Store(db_path)
    deadline = time.monotonic() + 10
    while True:  # the post is recorded by the fake a moment before the app marks it sent
        [row] = store.recent_for_user(TEAM_ID, user, limit=1)
        if row.delivery_state == "delivered" or time.monotonic() > deadline:
            break
        time.sleep(0.02)
    assert row.delivery_state == "delivered"
    return row


def link_to(row: AdviceRow) -> str:
    return f"https://slack.com/archives/{row.channel}/p{row.delivered_ts.replace('.', '')}"


def history(slack: SlackClient, channel: str, user: str, query: str = "") -> dict:
    resp = slack.command(f"history {query}".strip(), channel_id=channel, user_id=user)
    assert resp.status == 200
    body = resp.json()
    assert validate_message(body["blocks"], body["text"]) == []
    return body


def text_of(body: dict) -> str:
    return "\n".join(b["text"]["text"] for b in body["blocks"] if b.get("text"))


def test_history_lists_what_this_channel_may_see_newest_first(
        slack: SlackClient, fake_slack: FakeSlackAPI, slack_db: Path) -> None:
    public = diagnose(slack, fake_slack, slack_db, "users=50k db_cpu=90%",
                      PUBLIC_CHANNEL, ALICE)
    secret = diagnose(slack, fake_slack, slack_db, "users=2M p95=1.2s",
                      PRIVATE_CHANNEL, BOB)
    assert (public.private, secret.private) == (False, True)

    # From the public channel: the public advice only, for anyone, the asker included.
    for user in (ALICE, BOB):
        body = history(slack, PUBLIC_CHANNEL, user)
        shown = text_of(body)
        assert link_to(public) in shown
        assert link_to(secret) not in shown and PRIVATE_CHANNEL not in shown
        assert body["text"] == "1 piece of advice"

    # From the private channel itself: both, newest first.
    shown = text_of(history(slack, PRIVATE_CHANNEL, BOB))
    assert shown.index(link_to(secret)) < shown.index(link_to(public))
    assert "Stage 4 Enterprise" in shown and "Stage 2 Growth ·" in shown
    assert "Growth (Growth)" not in shown

    # A DM sees public advice, never a private channel's.
    shown = text_of(history(slack, DM_CHANNEL, ALICE))
    assert link_to(public) in shown and link_to(secret) not in shown

    # A query narrows by words; nothing found is said plainly, typed text escaped.
    shown = text_of(history(slack, PRIVATE_CHANNEL, BOB, "database"))
    assert "matching _database_" in shown
    assert link_to(public) in shown and link_to(secret) not in shown
    body = history(slack, PUBLIC_CHANNEL, BOB, "kubernetes <!channel>")
    assert text_of(body) == ("No advice matching _kubernetes &lt;!channel&gt;_ has been "
                             "given where this channel can see it yet.")

    # A query with no word in it (`%`) narrows nothing, and says so.
    body = history(slack, PRIVATE_CHANNEL, BOB, "% *")
    assert body["blocks"][0] == {"type": "context", "elements": [{
        "type": "mrkdwn", "text": "_% * has no word to search for, so this is the latest "
                                  "advice._"}]}
    assert body["text"] == "2 pieces of advice" and "matching" not in text_of(body)


def home_of(slack: SlackClient, fake: FakeSlackAPI, user: str) -> str:
    before = len(fake.calls("views.publish"))
    assert slack.app_home_opened(user=user).status == 200
    call = fake.wait_for("views.publish", before + 1)[before]
    assert call.args["user_id"] == user
    view = call.args["view"]
    assert view["type"] == "home"
    assert validate_view(view) == []
    View(**view).validate_json()
    return call.all_text()


def test_a_home_tab_slack_refuses_is_logged_without_claiming_anyone_was_told(
        slack: SlackClient, fake_slack: FakeSlackAPI, caplog: pytest.LogCaptureFixture) -> None:
    fake_slack.fail("views.publish", error="invalid_arguments")
    with caplog.at_level(logging.WARNING):
        assert slack.app_home_opened(user=ALICE).status == 200
        fake_slack.wait_for("views.publish", 1)
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == [
        "could not handle home tab: Slack said invalid_arguments; nothing to tell: opening "
        "Home again publishes it again"]


def test_home_shows_own_and_team_diagnoses_but_not_others_private_ones(
        slack: SlackClient, fake_slack: FakeSlackAPI, slack_db: Path) -> None:
    assert home_of(slack, fake_slack, ALICE).count("_None yet._") == 2  # empty but valid
    public = diagnose(slack, fake_slack, slack_db, "users=50k db_cpu=90%",
                      PUBLIC_CHANNEL, ALICE)
    secret = diagnose(slack, fake_slack, slack_db, "users=2M p95=1.2s",
                      PRIVATE_CHANNEL, BOB)

    alice = home_of(slack, fake_slack, ALICE)
    assert link_to(public) in alice
    assert link_to(secret) not in alice and PRIVATE_CHANNEL not in alice
    assert "Stage 4" not in alice  # not even the private advice's stage

    bob = home_of(slack, fake_slack, BOB)
    mine, team = bob.split("Your team's recent diagnoses")
    assert link_to(secret) in mine and link_to(public) not in mine
    assert link_to(public) in team and f"<@{ALICE}>" in team
    assert "bottleneck: database" in mine + team


# ---------------------------------------------------------------------------- conversion


def row(**kw) -> AdviceRow:
    base = dict(id=7, created_at=1_700_000_000.0, team="T1", channel="C0PUB", asked_by="U1",
                thread_ts="1700000000.000100", delivered_ts="1700000001.000200", stage=2,
                layer="database", summary="Database CPU is the limit.",
                result={"stage": {"name": "Growth"}})
    return AdviceRow(**(base | kw))


def test_history_row_links_to_the_reply_in_its_thread() -> None:
    assert history_row(row()) == HistoryRow(
        advice_id=7, when=datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC), channel_id="C0PUB",
        ts="1700000001.000200", thread_ts="1700000000.000100", user_id="U1",
        stage=StageNumber(2), stage_name="", bottleneck="database",
        summary="Database CPU is the limit.")


def test_history_row_names_a_stage_only_when_a_playbook_renamed_it() -> None:
    renamed = history_row(row(result={"stage": {"name": "Scale-up"}}))
    assert renamed.stage_name == "Scale-up"


def test_history_row_without_thread_or_delivery_has_no_link() -> None:
    converted = history_row(row(thread_ts=None, delivered_ts=None, stage=None, result=None),
                            with_user=False)
    assert (converted.ts, converted.thread_ts, converted.user_id, converted.stage) == (
        None, None, None, None)


def test_rows_logged_outside_slack_are_left_out() -> None:
    assert [r.advice_id for r in history_rows([row(channel="terminal"), row(id=8)])] == [8]


def test_viewer_rule_behind_the_team_list(tmp_path) -> None:
    # The store rule the Home relies on: another person's private advice is never listed.
    store = Store(tmp_path / "a.db")
    from conversations.advice_log import AdviceEntry

    store.log_advice(AdviceEntry(created_at=1.0, team="T1", channel="G1", asked_by="U2",
                                 private=True, summary="secret"))
    assert Conversations(store).home_rows("T1", "U1") == ([], [])
    assert [[r.summary for r in rows] for rows in Conversations(store).home_rows("T1", "U2")
            ] == [["secret"], ["secret"]]
