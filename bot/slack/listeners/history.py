"""`/scale history [query]`: past advice visible from this channel, newest first.

The list is scoped to the channel, not the person: public advice from anywhere in the
workspace plus advice given in this very channel. Advice from another private channel
or a DM is left out even for the person who asked it, because a list shown in a shared
channel (a screen share, a copied message) must not carry it out of its room. The App
Home, which only its owner sees, is where a person finds their own private advice.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from advisor.models import StageNumber
from bot.slack.blocks.history import HistoryRow, history_message
from bot.slack.listeners.systems import split_system
from conversations.advice_log import AdviceRow, Viewer, fts_query

if TYPE_CHECKING:
    from bot.slack.listeners.commands import Invocation

HISTORY_LIMIT = 10
_SLACK_ID = re.compile(r"^[CGD][A-Z0-9]{2,}$")


def history_row(row: AdviceRow, *, with_user: bool = True) -> HistoryRow:
    """How one logged piece of advice is listed; links point at the reply in its thread."""
    stage = StageNumber(row.stage) if row.stage in {int(n) for n in StageNumber} else None
    stage_name = ""
    if stage is not None and isinstance(row.result, dict):
        stage_name = str((row.result.get("stage") or {}).get("name") or "")
        if stage_name.casefold() == stage.name.casefold():
            stage_name = ""  # the title already says it; only a team's own name adds news
    ts = row.delivered_ts or row.thread_ts
    return HistoryRow(
        advice_id=row.id, when=datetime.fromtimestamp(row.created_at, UTC),
        channel_id=row.channel, ts=ts, thread_ts=row.thread_ts or ts,
        user_id=row.asked_by if with_user else None, stage=stage, stage_name=stage_name,
        bottleneck=row.layer, summary=row.summary,
    )


def history_rows(rows: Iterable[AdviceRow], *, with_user: bool = True) -> list[HistoryRow]:
    """Rows that can be shown in Slack (logged from Slack, not the terminal), converted."""
    return [history_row(r, with_user=with_user) for r in rows if _SLACK_ID.match(r.channel)]


def run_history(inv: Invocation) -> None:
    """Answer in the ack (ephemeral): one indexed SQLite query is well inside 3 s.
    `system=NAME` lists that system's assessments, as the terminal's `--system`."""
    system, rest, problem = split_system(inv.args)
    if problem or (system and rest.strip()):
        inv.fail(problem or "Give words to search for or `system=NAME`, not both.")
        return
    if system:
        run_system_history(inv, system)
        return
    query = inv.args.strip() or None
    wordless = query if query is not None and fts_query(query) is None else None
    query = None if wordless else query
    conversations = inv.deps.conversations
    rows: list[AdviceRow] = []
    if conversations is not None:
        viewer = Viewer(team=inv.command["team_id"], channel=inv.command["channel_id"])
        rows = conversations.history(query, viewer, limit=HISTORY_LIMIT, brief=True)
    inv.ack(**history_message(history_rows(rows), query, wordless=wordless).kwargs())


def run_system_history(inv: Invocation, system: str) -> None:
    conversations = inv.deps.conversations
    rows: list[AdviceRow] = []
    if conversations is not None:
        viewer = Viewer(team=inv.command["team_id"], channel=inv.command["channel_id"])
        rows = conversations.system_history(system, viewer, limit=HISTORY_LIMIT)
    inv.ack(**history_message(history_rows(rows), system=system).kwargs())
