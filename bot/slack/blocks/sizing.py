"""`/scale stage` and `/scale size`: a stage with what it costs, a sizing with its formula."""

from __future__ import annotations

from collections.abc import Sequence

from slack_sdk.models.blocks import Block

from advisor.format import num
from advisor.models import Sizing, StageCard
from advisor.view import sizing_view, stage_view
from bot.slack.blocks.assessment import sizing_text, stage_blocks
from bot.slack.blocks.kit import Message, header, message, read_lines, sections


def stage_message(card: StageCard, cost: Sizing, users: float,
                  notes: Sequence[str] = ()) -> Message:
    """`/scale stage <users>`: where that many users sit, and what such a stage costs."""
    stage = stage_view(card)
    content: list[Block] = [*read_lines(notes), header(f"{num(users)} users: Stage "
                                                       f"{stage.number}, {stage.name}"),
                            *stage_blocks(stage)]
    content += sections(sizing_text(sizing_view(cost)))
    return message(stage.heading, content)


def sizing_message(s: Sizing, notes: Sequence[str] = ()) -> Message:
    """`/scale size ...`: the result with its formula, after how the values were read."""
    v = sizing_view(s)
    return message(v.headline, [*read_lines(notes), *sections(sizing_text(v))])

