"""`/scale stage` and `/scale size`: a stage with what it costs, a sizing with its formula."""

from __future__ import annotations

from slack_sdk.models.blocks import Block

from advisor.format import num
from advisor.models import Sizing, StageCard
from advisor.view import sizing_view, stage_view
from bot.slack.blocks.assessment import sizing_text, stage_blocks
from bot.slack.blocks.kit import Message, header, message, sections


def stage_message(card: StageCard, cost: Sizing, users: float) -> Message:
    """`/scale stage <users>`: where that many users sit, and what such a stage costs."""
    stage = stage_view(card)
    content: list[Block] = [header(f"{num(users)} users: Stage {stage.number}, "
                                   f"{stage.name}"), *stage_blocks(stage)]
    content += sections(sizing_text(sizing_view(cost)))
    return message(stage.heading, content)


def sizing_message(s: Sizing) -> Message:
    v = sizing_view(s)
    return message(v.headline, sections(sizing_text(v)))

