"""Past advice as `/scale history` lists it and the App Home shows it: when, where (a link
to the thread, never a DM's name), the stage and the bottleneck."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from pydantic import BaseModel
from slack_sdk.models.blocks import Block

from advisor.models import StageNumber
from advisor.view import spoken, stage_title
from bot.slack.blocks.kit import Message, context, message, sections, trim
from bot.slack.blocks.mrkdwn import archive_url, date, escape, link, place, user


class HistoryRow(BaseModel):
    """One logged piece of advice as the history list and App Home show it."""

    advice_id: str | int
    when: datetime
    channel_id: str
    ts: str | None = None
    thread_ts: str | None = None
    url: str | None = None
    user_id: str | None = None
    stage: StageNumber | None = None
    stage_name: str = ""
    bottleneck: str | None = None
    summary: str = ""


def history_line(row: HistoryRow) -> str:
    parts = [date(row.when.replace(tzinfo=row.when.tzinfo or UTC).timestamp())]
    url = row.url or (archive_url(row.channel_id, row.ts, row.thread_ts) if row.ts else None)
    where = place(row.channel_id)
    parts.append(f"{link(url, 'thread')} in {where}" if url else f"in {where}")
    if row.stage is not None:
        parts.append(escape(stage_title(row.stage, row.stage_name)))
    if row.bottleneck:
        parts.append(f"bottleneck: {escape(spoken(row.bottleneck))}")
    line = " · ".join(parts)
    if row.summary:
        line += f"\n      {escape(trim(row.summary, 300))}"
    if row.user_id:
        line += f" _(asked by {user(row.user_id)})_"
    return line


def row_sections(rows: Sequence[HistoryRow]) -> list[Block]:
    return sections("\n".join(f"• {history_line(r)}" for r in rows)) if rows else []


def history_message(rows: Sequence[HistoryRow], query: str | None = None,
                    more: int = 0, wordless: str | None = None,
                    system: str | None = None) -> Message:
    """Past advice visible from this channel, newest first, with links to the threads.
    `wordless` is a query that had no word to search for (`%`): said, and not applied;
    `system` names the system whose assessments these are."""
    what = f" matching _{escape(trim(query, 100))}_" if query else ""
    if system is not None:
        what = f" on _{escape(trim(system, 100))}_"
    said = ([context(f"_{escape(trim(wordless, 100))} has no word to search for, so this is "
                     "the latest advice._")] if wordless else [])
    if not rows:
        content = sections(f"No advice{what} has been given where this channel can see it yet.")
        return message("No advice found", said + content)
    content = said + sections(f"*Advice given before{what}*, newest first")
    content += row_sections(rows)
    if more:
        content.append(context(f"_{more} older not shown; add a word to narrow the list._"))
    count = "1 piece" if len(rows) == 1 else f"{len(rows)} pieces"
    return message(f"{count} of advice", content)
