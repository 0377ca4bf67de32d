"""Systems through Slack, end to end: `system=NAME`, since last time, the ladder's Done /
Not now buttons updating the message in place, re-check reminders scheduled and cancelled
in the thread, `/scale systems` and the App Home, with a private channel's system kept there.
"""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime
from typing import Any

from slack_harness import (
    ALICE,
    BOB,
    PRIVATE_CHANNEL,
    PUBLIC_CHANNEL,
    Call,
    FakeSlackAPI,
    SlackClient,
)
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bot.slack.blocks.validate import validate_message, validate_view
from bot.slack.ids import ActionId

OTHER_PUBLIC = "C0OTHER"


def sendable(args: dict[str, Any]) -> None:
    assert validate_message(args["blocks"], args["text"]) == []
    for block in args["blocks"]:
        Block.parse(block).to_dict()


def diagnose(slack: SlackClient, fake: FakeSlackAPI, text: str,
             channel: str = PUBLIC_CHANNEL, user: str = ALICE) -> Call:
    before = len(fake.calls("chat.postMessage"))
    assert slack.command(f"diagnose {text}", channel_id=channel, user_id=user).status == 200
    call = fake.wait_for("chat.postMessage", before + 1)[before]
    sendable(call.args)
    return call


def button(call_args: dict[str, Any], action_id: str) -> dict[str, Any]:
    return next(e for b in call_args["blocks"] if b["type"] == "actions"
                for e in b["elements"] if e["action_id"] == action_id)


def ts_of(fake: FakeSlackAPI, call: Call) -> str:
    """The ts the fake gave the posted message (the n-th post gets the n-th ts)."""
    posts = fake.calls("chat.postMessage")
    index = posts.index(call)
    return fake._posted[index]["ts"]  # noqa: SLF001 - the fake's own record of what it posted


def click(slack: SlackClient, fake: FakeSlackAPI, posted: Call, action_id: str, value: str,
          method: str, user: str = ALICE) -> Call:
    before = len(fake.calls(method))
    ts = ts_of(fake, posted)
    slack.block_action(action_id, value, channel=posted.args["channel"], user=user,
                       message_ts=ts)
    return fake.wait_for(method, before + 1)[before]


def ladder_text(args: dict[str, Any]) -> str:
    texts = [(b.get("text") or {}).get("text", "") for b in args["blocks"]]
    return next(t for t in texts if "What to try" in t)


def test_since_last_time_and_done_buttons_update_in_place(
        slack: SlackClient, fake_slack: FakeSlackAPI) -> None:
    first = diagnose(slack, fake_slack, "system=checkout-api users=50k db_cpu=90%")
    assert "First assessment of *checkout-api*" in first.all_text()
    done = button(first.args, ActionId.RUNG_DONE)
    assert done["text"]["text"] == "Done: Add indexes"

    update = click(slack, fake_slack, first, ActionId.RUNG_DONE, done["value"], "chat.update")
    assert update.args["ts"] == ts_of(fake_slack, first)
    assert update.args["channel"] == PUBLIC_CHANNEL
    sendable(update.args)
    assert "~Add indexes~ (done)" in ladder_text(update.args)
    assert "*Then try: Read replicas*" in ladder_text(update.args)
    assert button(update.args, ActionId.RUNG_DONE)["text"]["text"] == "Done: Read replicas"

    again = diagnose(slack, fake_slack, "system=Checkout-API users=50k db_cpu=60%")
    since = next(b for b in again.args["blocks"] if b.get("block_id") == "since")
    assert since["text"]["text"].splitlines() == [
        "*Since last time* (just now)", "• users: 50,000 users -&gt; 50,000 users (same)",
        "• db_cpu_pct: 90% -&gt; 60% (better)", "• stage: still 2",
        "• bottleneck moved: database -&gt; none", "• done since: Add indexes"]
    worse = diagnose(slack, fake_slack, "system=checkout-api users=50k db_cpu=95%")
    assert "*Then try: Read replicas*" in ladder_text(worse.args)
    other = diagnose(slack, fake_slack, "system=search users=50k db_cpu=95%")
    assert "*First try: Add indexes*" in ladder_text(other.args)

    not_now = button(worse.args, ActionId.RUNG_NOT_NOW)
    update = click(slack, fake_slack, worse, ActionId.RUNG_NOT_NOW, not_now["value"],
                   "chat.update")
    assert "*Finally: Sharding*" in ladder_text(update.args)


def summary_line(args: dict[str, Any]) -> str:
    """The assessment's one-line summary ("Stage 2 (Growth); bottleneck: ...")."""
    texts = [(b.get("text") or {}).get("text", "") for b in args["blocks"]]
    return next(t for t in texts if re.match(r"Stage \d \(", t))


def test_the_summary_line_names_the_ladders_next_step_after_each_mark(
        slack: SlackClient, fake_slack: FakeSlackAPI) -> None:
    posted = diagnose(slack, fake_slack, "system=shop users=50k p95=1.2s db_cpu=85%")
    shown, lines = posted, [summary_line(posted.args)]
    for rung in ("Add indexes", "Read replicas", "Sharding"):
        done = button(shown.args, ActionId.RUNG_DONE)
        assert done["text"]["text"] == f"Done: {rung}"
        shown = click(slack, fake_slack, posted, ActionId.RUNG_DONE, done["value"],
                      "chat.update")
        sendable(shown.args)
        lines.append(summary_line(shown.args))
    assert lines == [
        "Stage 2 (Growth); bottleneck: database; next: Add indexes; "
        "warning: Response time (P95)",
        "Stage 2 (Growth); bottleneck: database; next: Read replicas; "
        "warning: Response time (P95)",
        "Stage 2 (Growth); bottleneck: database; next: Sharding; "
        "warning: Response time (P95)",
        "Stage 2 (Growth); bottleneck: database; warning: Response time (P95)",
    ]
    assert ":point_left:" not in ladder_text(shown.args)  # no next step on the ladder either


def test_a_reminder_is_scheduled_in_the_thread_and_can_be_cancelled(
        slack: SlackClient, fake_slack: FakeSlackAPI) -> None:
    fake_slack.respond_with("chat.scheduleMessage", lambda args: {
        "ok": True, "channel": args["channel"], "scheduled_message_id": "Q0REMIND1",
        "post_at": int(args["post_at"])})
    posted = diagnose(slack, fake_slack, "system=checkout-api users=50k db_cpu=90% p95=1.2s")
    remind = button(posted.args, "remind:14")
    assert remind["text"]["text"] == "Remind me in 2 weeks"
    scheduled = click(slack, fake_slack, posted, "remind:14", remind["value"],
                      "chat.scheduleMessage")
    thread = ts_of(fake_slack, posted)
    assert (scheduled.args["channel"], scheduled.args["thread_ts"]) == (PUBLIC_CHANNEL, thread)
    post_at = int(scheduled.args["post_at"])
    assert abs(post_at - 14 * 86400 - time.time()) < 120  # two weeks from the click
    sendable(scheduled.args)
    assert scheduled.args["text"] == "Time to re-check checkout-api"
    assert ("/scale diagnose system=checkout-api users=50000 p95_ms=1200ms db_cpu_pct=90%"
            in scheduled.all_text())
    update = fake_slack.wait_for("chat.update")[0]
    cancel = button(update.args, ActionId.REMIND_CANCEL)
    assert cancel["value"].endswith("|Q0REMIND1")

    deleted = click(slack, fake_slack, posted, ActionId.REMIND_CANCEL, cancel["value"],
                    "chat.deleteScheduledMessage")
    assert (deleted.args["channel"], deleted.args["scheduled_message_id"]) == (PUBLIC_CHANNEL,
                                                                              "Q0REMIND1")
    restored = fake_slack.wait_for("chat.update", 2)[1]
    assert button(restored.args, "remind:7")["text"]["text"] == "Remind me in 1 week"


def test_a_second_reminder_click_schedules_nothing_and_says_which_is_set(
        slack: SlackClient, fake_slack: FakeSlackAPI) -> None:
    ids = iter(["Q0FIRST", "Q0SECOND"])
    fake_slack.respond_with("chat.scheduleMessage", lambda args: {
        "ok": True, "channel": args["channel"], "scheduled_message_id": next(ids),
        "post_at": int(args["post_at"])})
    posted = diagnose(slack, fake_slack, "system=shop users=50k p95=1.2s db_cpu=85%")
    remind = button(posted.args, "remind:7")
    scheduled = click(slack, fake_slack, posted, "remind:7", remind["value"],
                      "chat.scheduleMessage")
    post_at = int(scheduled.args["post_at"])
    # The same button again, from a view of the message drawn before the first click.
    note = click(slack, fake_slack, posted, "remind:14", button(posted.args, "remind:14")[
        "value"], "chat.postEphemeral", user=BOB)
    when = datetime.fromtimestamp(post_at, UTC).strftime("%Y-%m-%d %H:%M UTC")
    assert (note.args["user"], note.text) == (
        BOB, f"A re-check reminder is already set for {when}.")
    assert [b["text"]["text"] for b in note.args["blocks"]] == [
        f":alarm_clock: A re-check reminder is already set for "
        f"<!date^{post_at}^{{date_short_pretty}} {{time}}|{when}> by <@{ALICE}>. "
        "Cancel it first to pick another time."]
    assert len(fake_slack.calls("chat.scheduleMessage")) == 1
    assert len(fake_slack.calls("chat.update")) == 1

    # Once cancelled, a reminder may be set again: the one that was set is the one cancelled.
    cancel = button(fake_slack.last("chat.update").args, ActionId.REMIND_CANCEL)
    deleted = click(slack, fake_slack, posted, ActionId.REMIND_CANCEL, cancel["value"],
                    "chat.deleteScheduledMessage")
    assert deleted.args["scheduled_message_id"] == "Q0FIRST"
    click(slack, fake_slack, posted, "remind:7", remind["value"], "chat.scheduleMessage",
          user=BOB)
    shown = fake_slack.wait_for("chat.update", 3)[2]
    assert button(shown.args, ActionId.REMIND_CANCEL)["value"].endswith("|Q0SECOND")


def test_a_reminder_slack_would_not_schedule_leaves_the_buttons_free(
        slack: SlackClient, fake_slack: FakeSlackAPI) -> None:
    fake_slack.fail("chat.scheduleMessage", error="time_in_past")
    fake_slack.respond_with("chat.scheduleMessage", lambda args: {
        "ok": True, "channel": args["channel"], "scheduled_message_id": "Q0LATER",
        "post_at": int(args["post_at"])})
    posted = diagnose(slack, fake_slack, "system=shop users=50k p95=1.2s db_cpu=85%")
    remind = button(posted.args, "remind:7")
    refused = click(slack, fake_slack, posted, "remind:7", remind["value"],
                    "chat.postEphemeral")
    assert refused.text == "Slack would not schedule the reminder (time_in_past)."
    click(slack, fake_slack, posted, "remind:7", remind["value"], "chat.update")
    assert len(fake_slack.calls("chat.scheduleMessage")) == 2
    assert len(fake_slack.calls("chat.postEphemeral")) == 1


def systems_listing(slack: SlackClient, channel: str, user: str) -> str:
    resp = slack.command("systems", channel_id=channel, user_id=user)
    assert resp.status == 200
    body = resp.json()
    assert validate_message(body["blocks"], body["text"]) == []
    return "\n".join(b["text"]["text"] for b in body["blocks"] if b.get("text"))


def home(slack: SlackClient, fake: FakeSlackAPI, user: str) -> str:
    before = len(fake.calls("views.publish"))
    assert slack.app_home_opened(user=user).status == 200
    call = fake.wait_for("views.publish", before + 1)[before]
    assert validate_view(call.args["view"]) == []
    View(**call.args["view"]).validate_json()
    return call.all_text()


def test_systems_listing_and_home_keep_a_private_system_in_its_channel(
        slack: SlackClient, fake_slack: FakeSlackAPI) -> None:
    diagnose(slack, fake_slack, "system=checkout-api users=50k db_cpu=90%")
    diagnose(slack, fake_slack, "system=checkout-api users=60k db_cpu=70%")
    diagnose(slack, fake_slack, "system=payroll users=2k p95=900ms", PRIVATE_CHANNEL, BOB)

    public = systems_listing(slack, PUBLIC_CHANNEL, BOB)
    assert "*checkout-api* · <#C0GENERAL>" in public
    assert "users" in public and "▁█" in public
    assert "payroll" not in public
    assert "payroll" not in systems_listing(slack, OTHER_PUBLIC, BOB)
    private = systems_listing(slack, PRIVATE_CHANNEL, BOB)
    assert "*payroll* · <#G0SECRET>" in private and "*checkout-api*" in private

    one = slack.command("systems checkout-api", channel_id=PUBLIC_CHANNEL, user_id=BOB).json()
    sendable(one)
    assert one["text"] == "1 system" and "payroll" not in str(one)
    elsewhere = slack.command("systems payroll", channel_id=PUBLIC_CHANNEL, user_id=BOB).json()
    assert elsewhere["blocks"][0]["text"]["text"] == (
        "No system called _payroll_ has been assessed where this channel can see it. "
        "`/scale systems` lists those it can.")

    alice = home(slack, fake_slack, ALICE)
    mine, team = alice.split("Your team's systems")
    assert "*checkout-api*" in mine.split("Your systems")[1]
    bob = home(slack, fake_slack, BOB)
    assert "payroll" not in alice and "payroll" not in bob
    assert "*checkout-api*" in bob.split("Your team's systems")[1]


def test_rungs_are_marked_by_typed_command_as_by_their_buttons(
        slack: SlackClient, fake_slack: FakeSlackAPI) -> None:
    diagnose(slack, fake_slack, "system=checkout-api users=50k db_cpu=90%")
    diagnose(slack, fake_slack, "system=payroll users=2k db_cpu=90%", PRIVATE_CHANNEL, BOB)

    said = slack.command("done checkout-api indexes", user_id=BOB).json()
    assert said == {"text": "checkout-api: Add indexes is done; the next assessment climbs "
                            "past it.", "response_type": "ephemeral"}
    worse = diagnose(slack, fake_slack, "system=checkout-api users=50k db_cpu=95%")
    assert "*Then try: Read replicas*" in ladder_text(worse.args)
    assert slack.command("not-now checkout-api read replicas").json()["text"] == (
        "checkout-api: Read replicas is put off for now; the next assessment passes over it "
        "to the rung after.")
    assert slack.command('reopen "checkout-api" add indexes').json()["text"] == (
        "checkout-api: Add indexes is open again; the next assessment counts it as not yet "
        "tried.")
    assert slack.command("reopen checkout-api sharding").json()["text"] == (
        "checkout-api: Sharding was already open; nothing changed.")
    again = diagnose(slack, fake_slack, "system=checkout-api users=50k db_cpu=95%")
    assert "*First try: Add indexes*" in ladder_text(again.args)

    # A private channel's system is not found from elsewhere; a slip is said plainly.
    for text, reply in [
        ("done payroll indexes", "No system called 'payroll' has been assessed here."),
        ("done checkout-api", "Say which system and which rung, e.g. `/scale done "
                              "checkout-api add indexes` (quote a name with spaces)."),
    ]:
        body = slack.command(text).json()
        assert body["text"] == reply, text
        sendable(body)
    assert slack.command("done payroll indexes", channel_id=PRIVATE_CHANNEL,
                         user_id=BOB).json()["text"].startswith("payroll: Add indexes is done")


def test_history_of_one_system_as_the_terminal_lists_it(
        slack: SlackClient, fake_slack: FakeSlackAPI) -> None:
    diagnose(slack, fake_slack, "system=checkout-api users=50k db_cpu=90%")
    diagnose(slack, fake_slack, "system=search users=5k")
    diagnose(slack, fake_slack, "system=payroll users=2k db_cpu=90%", PRIVATE_CHANNEL, BOB)

    listed = slack.command("history system=Checkout-API").json()
    sendable(listed)
    assert listed["text"] == "1 piece of advice"
    assert listed["blocks"][0]["text"]["text"] == (
        "*Advice given before on _Checkout-API_*, newest first")
    assert "bottleneck: database" in listed["blocks"][1]["text"]["text"]
    hidden = slack.command("history system=payroll").json()
    assert hidden["blocks"][0]["text"]["text"] == (
        "No advice on _payroll_ has been given where this channel can see it yet.")
    both = slack.command("history system=search slow").json()
    assert both["text"] == "Give words to search for or `system=NAME`, not both."
