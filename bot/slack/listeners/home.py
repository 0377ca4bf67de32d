"""The App Home tab, published whenever someone opens it.

"Yours" holds everything the person asked, private places included: only they see
their Home. "Your team's" holds what they may see from nowhere in particular: public
advice, plus their own; another person's private-channel or DM advice never.
"""

from __future__ import annotations

from typing import Any

from bot.slack.blocks.history import HistoryRow
from bot.slack.blocks.home import home_view
from bot.slack.blocks.kit import MAX_VIEW_BLOCKS
from bot.slack.blocks.systems import home_systems_blocks
from bot.slack.deps import Deps
from bot.slack.listeners import guarded
from bot.slack.listeners.history import history_rows
from bot.slack.listeners.systems import home_systems

HOME_LIMIT = 10
_SCAN = 50  # rows read to find HOME_LIMIT diagnoses among one-shot answers


def home_rows(deps: Deps, team: str, user: str) -> tuple[list[HistoryRow], list[HistoryRow]]:
    """(the person's recent diagnoses, the team's as the person may see them)."""
    conversations = deps.conversations
    if conversations is None:
        return [], []
    mine, team_rows = conversations.home_rows(team, user, limit=HOME_LIMIT, scan=_SCAN)
    return history_rows(mine, with_user=False), history_rows(team_rows)


class Home:
    """The App Home listener of one app, with the Deps it reads."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def register(self, app: Any) -> None:
        app.event("app_home_opened")(self.on_home_opened)

    def on_home_opened(self, event, client, context, body):
        """Published inside the request: a view, not a reply, and opening Home again
        publishes it again, so there is nothing to keep for later."""
        if event.get("tab", "home") != "home":
            return
        user = event.get("user")
        if not isinstance(user, str) or not user:
            return
        team = context.get("team_id") or body.get("team_id") or ""

        def work() -> None:
            mine, team_rows = home_rows(self.deps, team, user)
            view = home_view(mine=mine, team=team_rows)
            view["blocks"] = (view["blocks"] + home_systems_blocks(
                *home_systems(self.deps.conversations, team, user)))[:MAX_VIEW_BLOCKS]
            client.views_publish(user_id=user, view=view)

        guarded("home tab", work, "nothing to tell: opening Home again publishes it again")
