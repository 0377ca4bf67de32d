"""Block Kit for systems over time: "since last time", ladder and reminder buttons,
the re-check reminder, `/scale systems` and the App Home's systems.

Built on the helpers of bot.blocks, so the same limits hold (blocks per message, text and
button lengths); kept apart so the assessment renderer itself stays as it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from slack_sdk.models.blocks import Block, DividerBlock

from advisor.changes import change_lines
from advisor.format import ago, num, with_unit
from advisor.metrics import METRIC_SPECS, MetricName, Unit
from advisor.models import Assessment
from bot.blocks import (
    MAX_MESSAGE_BLOCKS,
    Message,
    _actions,
    _button,
    _context,
    _header,
    _message,
    _sections,
    assessment_message,
    metric_label,
    trim,
)
from bot.mrkdwn import bold, bullets, channel, escape, user
from bot.slack.ids import ActionId, BlockId, indexed, pack
from conversations.systems import Reminder
from conversations.tracking import Since, SystemSummary, sparkline

REMIND_AFTER_DAYS: tuple[tuple[str, int], ...] = (("1 week", 7), ("2 weeks", 14),
                                                  ("1 month", 30))
_COMMAND_UNITS = {Unit.PCT: "%", Unit.MS: "ms", Unit.S: "s", Unit.GB: "GB", Unit.FACTOR: "x"}


def since_text(since: Since) -> str:
    lines = change_lines(since.changes) or ["No metric was given both times."]
    return (f"*Since last time* ({escape(ago(since.age_s))})\n"
            + bullets([escape(line) for line in lines]))


def _ladder_buttons(a: Assessment, system_id: int, advice_id: int) -> list[Block]:
    ladder = a.ladder
    if ladder is None or ladder.next_index is None:
        return []
    rung = ladder.rungs[ladder.next_index]
    value = pack(system_id, rung.id, advice_id)
    return _actions(BlockId.LADDER_MARKS, [
        _button(f"Done: {rung.text}", ActionId.RUNG_DONE, value, style="primary"),
        _button(f"Not now: {rung.text}", ActionId.RUNG_NOT_NOW, value),
    ])


def _remind_blocks(advice_id: int, reminder: Reminder | None) -> list[Block]:
    if reminder is not None:
        when = datetime.fromtimestamp(reminder.post_at, UTC)
        fallback = when.strftime("%Y-%m-%d %H:%M UTC")
        date = f"<!date^{int(reminder.post_at)}^{{date_short_pretty}} {{time}}|{fallback}>"
        return [_context(f":alarm_clock: Re-check reminder set for {date} by "
                         f"{user(reminder.by)}."),
                *_actions(BlockId.REMIND, [_button(
                    "Cancel reminder", ActionId.REMIND_CANCEL,
                    pack(advice_id, reminder.scheduled_id))])]
    return _actions(BlockId.REMIND, [
        _button(f"Remind me in {label}", indexed(ActionId.REMIND, days), pack(advice_id, days))
        for label, days in REMIND_AFTER_DAYS
    ])


def tracked_assessment_message(a: Assessment, advice_id: int, *, system: str, system_id: int,
                               since: Since | None, reminder: Reminder | None = None
                               ) -> Message:
    """An assessment filed under a named system: what changed since, then the assessment,
    with Done / Not now on the next rung and re-check reminder buttons."""
    base = assessment_message(a, advice_id)
    blocks = base.blocks
    cut = next((i for i, b in enumerate(blocks) if b.get("block_id") == BlockId.FEEDBACK),
               len(blocks))
    content, tail = blocks[:cut], blocks[cut:]
    lead = ([b.to_dict() for b in _sections(since_text(since), BlockId.SINCE)] if since else
            [_context(f"First assessment of {bold(system)}: the next one will show what "
                      "changed.").to_dict()])
    extra = [b.to_dict() for b in _ladder_buttons(a, system_id, advice_id)
             + _remind_blocks(advice_id, reminder)]
    room = MAX_MESSAGE_BLOCKS - len(tail) - len(extra) - len(lead)
    if len(content) > room:
        content = content[:room - 1] + [_context("_Some parts left out to fit Slack's "
                                                 "limits._").to_dict()]
    blocks = content[:1] + lead + content[1:] + extra + tail
    text = f"{system}: {base.text}"
    if since:
        text += f" (since last time, {ago(since.age_s)})"
    return Message(text=trim(escape(text), 40_000), blocks=blocks)


def command_value(metric: MetricName, value: float) -> str:
    """A value as `/scale diagnose` reads it back in `key=value` form (no spaces)."""
    digits = num(value).replace(",", "")
    return digits + _COMMAND_UNITS.get(METRIC_SPECS[metric].unit, "")


def recheck_command(system: str, metrics: dict[MetricName, float]) -> str:
    """The one-shot command with these values, metrics in their usual order."""
    known = [MetricName(m) for m in metrics]
    pairs = " ".join(f"{m.value}={command_value(m, metrics[m])}" for m in MetricName
                     if m in known)
    return f"/scale diagnose system={system} {pairs}".rstrip()


def reminder_message(system: str, a: Assessment, assessed_at: float) -> Message:
    """The re-check posted in the thread when a reminder falls due."""
    metrics = {m: a.inputs.metrics[m] for m in MetricName if m in a.inputs.metrics}
    measure = [escape(metric_label(m)) for m in metrics] or ["the numbers you watch"]
    when = datetime.fromtimestamp(assessed_at, UTC).strftime("%Y-%m-%d")
    command = recheck_command(system, metrics).replace("`", "'")
    content = _sections(
        f":alarm_clock: Time to re-check {bold(system)} (last assessed {when}).\n"
        f"Re-measure: {', '.join(measure)}.\n"
        f"Then run this with today's values:\n`{escape(command)}`")
    return _message(f"Time to re-check {system}", content)


def _summary_lines(s: SystemSummary) -> str:
    when = "never assessed"
    if s.last_assessed is not None:
        stamp = datetime.fromtimestamp(s.last_assessed, UTC).strftime("%Y-%m-%d %H:%M UTC")
        when = f"<!date^{int(s.last_assessed)}^{{date_short_pretty}}|{stamp}>"
    where = channel(s.channel) if s.channel[:1] in "CG" else "a DM"
    stage = f"Stage {s.stage}" if s.stage else "stage not placed"
    lines = [f"{bold(s.name)} · {where} · last assessed {when} · {stage}"
             + (f" · bottleneck: {escape(s.layer.replace('_', ' '))}" if s.layer else ""),
             f"Next: {bold(s.next_rung) if s.next_rung else '_nothing on the ladder_'}"]
    if s.done_rungs or s.not_now_rungs:
        marks = []
        if s.done_rungs:
            marks.append("done: " + escape(", ".join(s.done_rungs)))
        if s.not_now_rungs:
            marks.append("not now: " + escape(", ".join(s.not_now_rungs)))
        lines.append(" · ".join(marks))
    if s.trends:
        width = max(len(metric_label(MetricName(m))) for m in s.trends)
        rows = [f"{metric_label(MetricName(m)):<{width}}  {sparkline(v)}  "
                f"{with_unit(MetricName(m), v[-1])}" for m, v in s.trends.items()]
        lines.append("```" + escape("\n".join(rows)) + "```")
    return "\n".join(lines)


def _system_blocks(found: Sequence[SystemSummary]) -> list[Block]:
    blocks: list[Block] = []
    for s in found:
        blocks += _sections(_summary_lines(s))
    return blocks


def systems_message(found: Sequence[SystemSummary]) -> Message:
    """`/scale systems`: the systems this channel may see, most recently assessed first."""
    if not found:
        return _message("No systems yet", _sections(
            "No systems have been assessed where this channel can see them. Name one with "
            "`/scale diagnose system=checkout-api users=50k ...`."))
    content: list[Block] = [_header(f"Systems ({len(found)})")]
    content += _system_blocks(found)
    content.append(_context("Trend lines run oldest to newest over the last 12 assessments. "
                            "Systems of private channels are listed only there."))
    count = "1 system" if len(found) == 1 else f"{len(found)} systems"
    return _message(count, content)


def home_systems_blocks(mine: Sequence[SystemSummary], team: Sequence[SystemSummary]
                        ) -> list[dict[str, Any]]:
    """App Home: the person's systems, then the team's (public channels only)."""
    blocks: list[Block] = [DividerBlock(), _header("Your systems")]
    blocks += _system_blocks(mine) or _sections("_None yet. Name one with "
                                                "`/scale diagnose system=NAME ...`._")
    blocks += [DividerBlock(), _header("Your team's systems")]
    blocks += _system_blocks(team) or _sections("_No systems yet._")
    blocks.append(_context("Systems of private channels are listed only in those channels."))
    return [b.to_dict() for b in blocks]
