"""Button clicks (block_actions). Each ActionId has exactly one listener; indexed ids
(`dialog_choice:2`, `what_if:100`) are matched by pattern. Until the real handlers are
wired, clicks are acknowledged so Slack shows no error."""

from __future__ import annotations

from typing import Any

from bot.deps import Deps
from bot.ids import ActionId, pattern


def _ack_only(ack) -> None:
    ack()


def register(app: Any, deps: Deps) -> None:
    for action_id in ActionId:
        app.action(pattern(action_id))(_ack_only)
