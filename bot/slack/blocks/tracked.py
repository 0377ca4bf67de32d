"""An assessment filed under a named system: what changed since last time, Done / Not now
on the next rung, re-check reminder buttons, and the reminder when it falls due."""

from __future__ import annotations

from datetime import UTC, datetime

from slack_sdk.models.blocks import Block

from advisor.changes import change_lines
from advisor.format import ago, num
from advisor.metrics import METRIC_SPECS, MetricName, Unit
from advisor.models import Assessment
from advisor.view import metric_label
from bot.slack.blocks.assessment import assessment_message
from bot.slack.blocks.kit import (
    MAX_MESSAGE_BLOCKS,
    MAX_MESSAGE_TEXT,
    Message,
    actions,
    button,
    context,
    left_out,
    message,
    plain,
    sections,
    trim,
)
from bot.slack.blocks.mrkdwn import bold, bullets, date, escape, user, utc_text
from bot.slack.ids import ActionId, BlockId, indexed, pack
from conversations.systems import Reminder
from conversations.tracking import Since

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
    return actions(BlockId.LADDER_MARKS, [
        button(f"Done: {rung.text}", ActionId.RUNG_DONE, value, style="primary"),
        button(f"Not now: {rung.text}", ActionId.RUNG_NOT_NOW, value),
    ])


def _remind_blocks(advice_id: int, reminder: Reminder | None) -> list[Block]:
    if reminder is not None:
        return [context(f":alarm_clock: Re-check reminder set for {date(reminder.post_at)} by "
                         f"{user(reminder.by)}."),
                *actions(BlockId.REMIND, [button(
                    "Cancel reminder", ActionId.REMIND_CANCEL,
                    pack(advice_id, reminder.scheduled_id))])]
    return actions(BlockId.REMIND, [
        button(f"Remind me in {label}", indexed(ActionId.REMIND, days), pack(advice_id, days))
        for label, days in REMIND_AFTER_DAYS
    ])


def reminder_taken_message(reminder: Reminder) -> Message:
    """Told to whoever asks for a second re-check reminder: one is set, and for when."""
    return message(f"A re-check reminder is already set for {utc_text(reminder.post_at)}.",
                   sections(f":alarm_clock: A re-check reminder is already set for "
                            f"{date(reminder.post_at)} by {user(reminder.by)}. Cancel it "
                            "first to pick another time."))


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
    lead = plain(sections(since_text(since), BlockId.SINCE) if since else
                 [context(f"First assessment of {bold(system)}: the next one will show what "
                          "changed.")])
    extra = plain(_ladder_buttons(a, system_id, advice_id) + _remind_blocks(advice_id, reminder))
    room = MAX_MESSAGE_BLOCKS - len(tail) - len(extra) - len(lead)
    if len(content) > room:
        content = content[:room - 1] + [plain(left_out(len(content) - room + 1))]
    blocks = content[:1] + lead + content[1:] + extra + tail
    text = f"{system}: {base.text}"
    if since:
        text += f" (since last time, {ago(since.age_s)})"
    return Message(text=trim(escape(text), MAX_MESSAGE_TEXT), blocks=blocks)


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
    content = sections(
        f":alarm_clock: Time to re-check {bold(system)} (last assessed {when}).\n"
        f"Re-measure: {', '.join(measure)}.\n"
        f"Then run this with today's values:\n`{escape(command)}`")
    return message(f"Time to re-check {system}", content)
