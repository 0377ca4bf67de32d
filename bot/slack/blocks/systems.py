"""`/scale systems` and the App Home's systems: each named system with its stage, next
rung and a trend line per metric."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from slack_sdk.models.blocks import Block, DividerBlock

from advisor.format import with_unit
from advisor.metrics import MetricName
from advisor.view import metric_label, spoken
from bot.slack.blocks.kit import Message, context, header, message, plain, sections, trim
from bot.slack.blocks.mrkdwn import bold, date, escape, place
from conversations.tracking import SystemSummary, sparkline


def _summary_lines(s: SystemSummary) -> str:
    when = "never assessed"
    if s.last_assessed is not None:
        when = date(s.last_assessed, "{date_short_pretty}")
    where = place(s.channel)
    stage = f"Stage {s.stage}" if s.stage else "stage not placed"
    lines = [f"{bold(s.name)} · {where} · last assessed {when} · {stage}"
             + (f" · bottleneck: {escape(spoken(s.layer))}" if s.layer else ""),
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
        blocks += sections(_summary_lines(s))
    return blocks


def systems_message(found: Sequence[SystemSummary], named: str | None = None) -> Message:
    """`/scale systems`: the systems this channel may see, most recently assessed first
    (`named`: the one asked for by name)."""
    if not found and named:
        return message("No such system", sections(
            f"No system called _{escape(trim(named, 100))}_ has been assessed where this "
            "channel can see it. `/scale systems` lists those it can."))
    if not found:
        return message("No systems yet", sections(
            "No systems have been assessed where this channel can see them. Name one with "
            "`/scale diagnose system=checkout-api users=50k ...`."))
    content: list[Block] = [header(f"Systems ({len(found)})")]
    content += _system_blocks(found)
    content.append(context("Trend lines run oldest to newest over the last 12 assessments. "
                            "Systems of private channels are listed only there."))
    count = "1 system" if len(found) == 1 else f"{len(found)} systems"
    return message(count, content)


def home_systems_blocks(mine: Sequence[SystemSummary], team: Sequence[SystemSummary]
                        ) -> list[dict[str, Any]]:
    """App Home: the person's systems, then the team's (public channels only)."""
    blocks: list[Block] = [DividerBlock(), header("Your systems")]
    blocks += _system_blocks(mine) or sections("_None yet. Name one with "
                                                "`/scale diagnose system=NAME ...`._")
    blocks += [DividerBlock(), header("Your team's systems")]
    blocks += _system_blocks(team) or sections("_No systems yet._")
    blocks.append(context("Systems of private channels are listed only in those channels."))
    return plain(blocks)
