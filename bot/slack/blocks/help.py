"""`/scale help`, and what the bot says to a mention it cannot tie to a scaling matter."""

from __future__ import annotations

from collections.abc import Sequence

from slack_sdk.models.blocks import Block

from bot.slack.blocks.kit import Message, context, message, sections, trim
from bot.slack.blocks.mrkdwn import bullets, escape

HELP_LINES: tuple[tuple[str, str], ...] = (
    ("/scale diagnose", "a short check-up in a thread, one question at a time"),
    ("/scale diagnose users=50k p95=1.2s db_cpu=85%",
     "an assessment at once from numbers you have"),
    ("/scale ask <question or symptom>",
     "a direct answer, e.g. `/scale ask db cpu pegged at 95%` (`ask` may be left out)"),
    ("/scale size pool|replicas|cache|capacity ...", "sizing with the formula shown"),
    ("/scale stage <users>", "which stage of the journey that many users puts you in"),
    ("/scale history [query | system=NAME]", "advice given before in this channel, newest "
     "first"),
    ("/scale diagnose system=NAME ...",
     "file it under a named system: what changed since last time"),
    ("/scale systems [NAME]", "the named systems this channel can see, with trends"),
    ("/scale done|not-now|reopen NAME <rung>",
     "mark a rung of a system's ladder, as its buttons do"),
    ("/scale help", "this message"),
)


def help_message(unknown: str | None = None, suggestions: Sequence[str] = ()) -> Message:
    """Usage of `/scale`; with `unknown`, says so and offers up to three close subcommands."""
    content: list[Block] = []
    if unknown is not None:
        lead = f"I don't know `/scale {escape(trim(unknown, 100))}`."
        if suggestions:
            lead += " Did you mean " + " or ".join(
                f"`/scale {escape(s)}`" for s in list(suggestions)[:3]) + "?"
        content += sections(lead)
    lines = [f"`{escape(usage)}` — {escape(what)}" for usage, what in HELP_LINES]
    content += sections("*What I can do*\n" + bullets(lines))
    content.append(context(
        "Mention me in any channel I'm in with a symptom, e.g. _checkout times out and db cpu is "
        "pegged_, and I'll answer in a thread."))
    text = "Scalability Advisor: /scale diagnose, ask, size, stage, history, help"
    return message(text, content)


def not_understood_message(text: str, read: str = "") -> Message:
    """For a mention that is not a scaling matter: what the bot can help with, and the
    numbers read and refused (`read`), if any."""
    content = sections(
        f"I couldn't tie _{escape(trim(text, 300))}_ to a scaling question or symptom. "
        "I can help with slow pages, a struggling database, timeouts, CPU or memory pressure, "
        "sizing pools, replicas, caches and capacity, and where you are on the scaling journey.")
    if read:
        content.append(context(escape(trim(read, 1000))))
    content.append(context("Try `/scale help` for everything I do."))
    return message("Here is what I can help with", content)
