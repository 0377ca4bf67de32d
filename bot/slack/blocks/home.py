"""The App Home tab's diagnoses; its systems come from bot/slack/blocks/systems.py."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from slack_sdk.models.blocks import Block, DividerBlock
from slack_sdk.models.views import View

from bot.slack.blocks.history import HistoryRow, row_sections
from bot.slack.blocks.kit import MAX_VIEW_BLOCKS, context, fit, header, sections
from bot.slack.ids import CallbackId


def home_view(mine: Sequence[HistoryRow], team: Sequence[HistoryRow]) -> dict[str, Any]:
    """The App Home tab: the person's recent diagnoses, then the team's."""
    blocks: list[Block] = [header("Scalability Advisor")]
    blocks += sections("Where is your system on the scaling journey, and what should you do "
                       "next? Run `/scale diagnose` in a channel, or mention me with a symptom.")
    blocks.append(DividerBlock())
    blocks.append(header("Your recent diagnoses"))
    blocks += row_sections(mine) or sections("_None yet._")
    blocks.append(DividerBlock())
    blocks.append(header("Your team's recent diagnoses"))
    blocks += row_sections(team) or sections("_None yet._")
    blocks.append(context("Advice from private channels and DMs is shown only there."))
    dicts = fit(blocks, [], MAX_VIEW_BLOCKS)
    return View(type="home", callback_id=CallbackId.HOME, blocks=dicts).to_dict()
