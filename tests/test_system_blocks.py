"""Block Kit for systems: since last time, ladder and reminder buttons, listings; all
within Slack's limits and parseable by slack_sdk."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from advisor.changes import Changes, MetricChange
from advisor.engine import assess
from advisor.metrics import MetricName as M
from advisor.models import Observations
from bot.slack.blocks.assessment import what_if_message
from bot.slack.blocks.outbound import outbound_message
from bot.slack.blocks.systems import home_systems_blocks, systems_message
from bot.slack.blocks.tracked import (
    command_value,
    recheck_command,
    reminder_message,
    since_text,
    tracked_assessment_message,
)
from bot.slack.blocks.validate import validate_message, validate_view
from bot.slack.listeners.commands import parse_pairs
from bot.slack.listeners.systems import split_system
from conversations.service import Outbound
from conversations.systems import Reminder
from conversations.tracking import Since, SystemSummary

DAY = 86400.0
A = assess(Observations(metrics={M.USERS: 50_000, M.DB_CPU_PCT: 90, M.P95_MS: 1200}))
SINCE = Since(advice_id=7, at=1_700_000_000.0, age_s=12 * DAY + 3600, changes=Changes(
    metrics=[MetricChange(metric=M.DB_CPU_PCT, before=85, after=90, better=False)],
    stage_before=2, stage_after=2, rungs_done=["Add indexes"]))


def sendable(blocks_: list[dict[str, Any]], text: str) -> None:
    assert validate_message(blocks_, text) == []
    for block in blocks_:
        Block.parse(block).to_dict()


def buttons(blocks_: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    return [(e["action_id"], e["text"]["text"], e["value"]) for b in blocks_
            if b["type"] == "actions" for e in b["elements"]]


def test_since_section_says_how_long_ago_and_each_change():
    assert since_text(SINCE) == ("*Since last time* (12 days ago)\n"
                                 "• db_cpu_pct: 85% -&gt; 90% (worse)\n"
                                 "• stage: still 2\n"
                                 "• done since: Add indexes")


def test_tracked_assessment_has_since_first_then_ladder_and_reminder_buttons():
    message = tracked_assessment_message(A, 42, system="checkout-api", system_id=3,
                                         since=SINCE)
    sendable(message.blocks, message.text)
    assert message.blocks[0]["type"] == "header"
    assert message.blocks[1]["block_id"] == "since"
    assert message.blocks[1]["text"]["text"].startswith("*Since last time* (12 days ago)")
    assert buttons(message.blocks)[:5] == [
        ("rung_done", "Done: Add indexes", "3|add_indexes|42"),
        ("rung_not_now", "Not now: Add indexes", "3|add_indexes|42"),
        ("remind:7", "Remind me in 1 week", "42|7"),
        ("remind:14", "Remind me in 2 weeks", "42|14"),
        ("remind:30", "Remind me in 1 month", "42|30"),
    ]
    assert message.text.startswith("checkout-api: Stage 2: Growth")
    assert message.text.endswith("(since last time, 12 days ago)")


def test_a_set_reminder_offers_cancel_instead():
    reminder = Reminder(id=1, advice_id=42, scheduled_id="Q1298393284", channel="C1",
                        post_at=1_701_000_000, by="U0ALICE", created_at=1_700_000_000)
    message = tracked_assessment_message(A, 42, system="checkout-api", system_id=3, since=None,
                                         reminder=reminder)
    sendable(message.blocks, message.text)
    assert [b for b in buttons(message.blocks) if b[0].startswith("remind")] == [
        ("remind_cancel", "Cancel reminder", "42|Q1298393284")]
    assert "Re-check reminder set for <!date^1701000000^" in str(message.blocks)
    assert "First assessment of *checkout-api*" in str(message.blocks)


def test_outbound_assessment_of_a_system_renders_tracked():
    out = Outbound(kind="assessment", assessment=A, system="checkout-api", system_id=3,
                   since=SINCE)
    message = outbound_message(out, advice_id=42, ref=None)
    assert message.blocks[1]["block_id"] == "since"
    plain = outbound_message(Outbound(kind="assessment", assessment=A),
                                             advice_id=42, ref=None)
    assert "since" not in [b.get("block_id") for b in plain.blocks]


def test_reminder_carries_the_one_shot_command_with_last_values_that_parses_back():
    a = assess(Observations(metrics={M.USERS: 50_000, M.DB_CPU_PCT: 92.5, M.P95_MS: 1400,
                                     M.PEAK_RPS: 1200, M.WORKING_SET_GB: 2.5}))
    command = recheck_command("checkout-api", a.inputs.metrics)
    assert command == ("/scale diagnose system=checkout-api users=50000 peak_rps=1200 "
                       "p95_ms=1400ms db_cpu_pct=92.5% working_set_gb=2.5GB")
    system, rest, problem = split_system(command.removeprefix("/scale diagnose "))
    assert (system, problem) == ("checkout-api", None)
    assert parse_pairs(rest) == ({M.USERS: 50_000, M.PEAK_RPS: 1200, M.P95_MS: 1400,
                                  M.DB_CPU_PCT: 92.5, M.WORKING_SET_GB: 2.5}, "", [], [])
    assert command_value(M.REPLICA_LAG_S, 2) == "2s"
    message = reminder_message("checkout-api", a, 1_700_000_000.0)
    sendable(message.blocks, message.text)
    assert message.text == "Time to re-check checkout-api"
    text = message.blocks[0]["text"]["text"]
    assert "(last assessed 2023-11-14)" in text
    assert "Re-measure: users, peak traffic, P95 response time, database CPU" in text


def test_system_names_in_diagnose_arguments():
    assert split_system('users=5k system="checkout api" db_cpu=90%') == (
        "checkout api", "users=5k  db_cpu=90%", None)
    assert split_system("users=5k") == (None, "users=5k", None)
    name, rest, problem = split_system("system=" + "x" * 61)
    assert name is None and "at most 60 characters" in problem


def summary(**over: Any) -> SystemSummary:
    base = dict(id=1, name="checkout-api", channel="C0GENERAL", private=False,
                created_by="U0ALICE", assessments=3, last_advice_id=9,
                last_assessed=1_700_000_000.0, stage=2, layer="database",
                symptom="database_slow", next_rung="Read replicas",
                open_rungs=["Read replicas", "Sharding"], done_rungs=["Add indexes"],
                trends={"users": [40_000, 50_000, 50_000], "db_cpu_pct": [90, 80, 60]})
    return SystemSummary(**{**base, **over})


def test_systems_message_lists_trends_and_rungs():
    message = systems_message([summary(), summary(id=2, name="search", trends={},
                                                  next_rung=None, done_rungs=[])])
    sendable(message.blocks, message.text)
    assert message.text == "2 systems"
    first = message.blocks[1]["text"]["text"]
    assert first.splitlines()[:3] == [
        "*checkout-api* · <#C0GENERAL> · last assessed "
        "<!date^1700000000^{date_short_pretty}|2023-11-14 22:13 UTC> · Stage 2 · "
        "bottleneck: database",
        "Next: *Read replicas*",
        "done: Add indexes",
    ]
    assert "```users         ▁██  50,000 users\ndatabase CPU  █▆▁  60%```" in first
    empty = systems_message([])
    assert empty.text == "No systems yet"


def test_home_blocks_fit_a_view():
    extra = home_systems_blocks([summary()], [summary(id=2, name="search")])
    view = {"type": "home", "blocks": extra}
    assert validate_view(view) == []
    View(**view).to_dict()
    assert [b["text"]["text"] for b in extra if b["type"] == "header"] == [
        "Your systems", "Your team's systems"]


def test_what_if_message_shows_the_numbers():
    from advisor.engine import what_ifs

    steps = what_ifs(Observations(metrics={M.USERS: 50_000, M.PEAK_RPS: 1000, M.READS_RPS: 900,
                                           M.PER_REPLICA_RPS: 3000}))
    message = what_if_message(steps)
    sendable(message.blocks, message.text)
    ten = message.blocks[0]["text"]["text"]
    assert "• *capacity*: 1,000 × 10 = 10,000 req/s peak; × 1 growth × 1.5 safety = " \
           "15,000 req/s _(no growth factor given, so 1x)_" in ten
    assert "• *replicas*: ceiling(9,000 / 3,000) = 3 replicas" in ten
    hundred = message.blocks[1]["text"]["text"]
    assert "• *replicas*: ceiling(90,000 / 3,000) = 30 replicas" in hundred
