"""Rendering of queued replies (outbox rows) as Slack messages: the one place that picks a
surface's builder by the reply's kind."""

from __future__ import annotations

from bot.slack.blocks.ask import ask_message
from bot.slack.blocks.assessment import assessment_message, what_if_message
from bot.slack.blocks.dialog import dialog_parent_message, dialog_reply_message, with_restart
from bot.slack.blocks.help import help_message
from bot.slack.blocks.kit import MAX_MESSAGE_BLOCKS, Message, notice_message, plain, read_lines
from bot.slack.blocks.tracked import tracked_assessment_message
from conversations.service import Outbound


def outbound_message(out: Outbound, *, advice_id: int | None, ref: str | None) -> Message:
    """Render one queued reply; `ref` names the dialog its buttons answer."""
    if (out.kind == "assessment" and out.assessment is not None and out.system
            and out.system_id is not None and advice_id is not None):
        message = tracked_assessment_message(out.assessment, advice_id, system=out.system,
                                             system_id=out.system_id, since=out.since)
    elif out.kind == "assessment" and out.assessment is not None:
        message = assessment_message(out.assessment, advice_id if advice_id is not None else "")
    elif out.kind == "what_if":
        message = what_if_message(out.what_ifs)
    elif out.kind == "ask" and out.ask is not None:
        message = ask_message(out, advice_id)
    elif out.kind == "dialog" and out.reply is not None:
        message = dialog_reply_message(out.reply, ref or "")
    elif out.kind == "help":
        message = help_message()
    elif out.kind == "opening":
        message = dialog_parent_message(out.text)
    else:
        message = notice_message(with_restart(out.kind, out.text) or "(no content)")
    if not out.notes:
        return message
    lead = [plain(block) for block in read_lines(out.notes)]
    return Message(text=message.text, blocks=(lead + message.blocks)[:MAX_MESSAGE_BLOCKS])
