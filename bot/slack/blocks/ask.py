"""Free-text answers (`/scale ask`, mentions): the answer with what was matched and read,
or "did you mean" buttons when the match is unsure."""

from __future__ import annotations

from collections.abc import Sequence

from slack_sdk.models.blocks import Block

from advisor.format import percent
from advisor.models import AskResult
from advisor.units import value_text
from advisor.view import metric_label, spoken
from bot.slack.blocks.assessment import feedback_blocks
from bot.slack.blocks.help import not_understood_message
from bot.slack.blocks.kit import Choice, Message, actions, button, context, message, sections, trim
from bot.slack.blocks.mrkdwn import escape
from bot.slack.ids import ActionId, BlockId, indexed, pack
from conversations.service import Outbound


def answer_message(result: AskResult, advice_id: str | int | None = None,
                   question: str | None = None) -> Message:
    """A free-text answer; what was matched and read is shown so people can correct it."""
    content: list[Block] = []
    if question:
        content.append(context(f"> {escape(trim(' '.join(question.split()), 500))}"))
    answer = result.answer
    if result.read and answer.endswith(f"\n{result.read}"):
        answer = answer[: -len(result.read) - 1]  # said once, below, beside what was matched
    content += sections(escape(answer) or "_No answer._")
    matched = [f"{k}: {escape(spoken(v))}"
               for k, v in (("layer", result.layer), ("symptom", result.symptom),
                            ("topic", result.topic)) if v is not None]
    if matched:
        matched.append(f"confidence {percent(result.confidence)}")
        content.append(context(" · ".join(matched)))
    if result.read:  # every number read, with its unit, and every number asked back
        content.append(context(escape(trim(result.read, 1000))))
    elif result.metrics:
        read = ", ".join(f"{escape(metric_label(m))} {escape(value_text(m, v))}"
                         for m, v in result.metrics.items())
        content.append(context(f"I read: {read}"))
    tail = feedback_blocks(advice_id) if advice_id is not None else []
    return message(trim(result.answer, 300) or "Answer", content, tail)


def did_you_mean_message(question: str, candidates: Sequence[Choice], ref: str,
                         read: str = "") -> Message:
    """Up to three likely matches as buttons instead of a guess, with the numbers read
    and refused (`read`), so a number asked back is not lost behind the buttons.

    Each value packs the candidate, then `ref` (free text, e.g. the question itself).
    """
    shown = list(candidates)[:3]
    asked = escape(trim(question, 300))
    content = sections(f"I'm not sure what _{asked}_ is about. Did you mean:")
    if read:
        content.append(context(escape(trim(read, 1000))))
    tail = actions(BlockId.CANDIDATES, [
        button(c.label, indexed(ActionId.PICK_MATCH, i), pack(c.value, ref))
        for i, c in enumerate(shown)
    ]) if shown else []
    return message("Did you mean one of these?", content, tail)


def ask_message(out: Outbound, advice_id: int | None) -> Message:
    """An answer; "did you mean" buttons when the match is unsure; else what I can do."""
    assert out.ask is not None
    if out.clear:
        return answer_message(out.ask, advice_id, out.text)
    if out.candidates:
        choices = [Choice(label=c.label, value=c.value) for c in out.candidates]
        return did_you_mean_message(out.text, choices, trim(out.text, 1500), out.ask.read)
    return not_understood_message(out.text, out.ask.read)
