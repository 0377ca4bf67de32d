"""The App Home tab, published whenever someone opens it."""

from __future__ import annotations

from typing import Any

from bot.blocks import home_view
from bot.deps import Deps

EVENTS = ("app_home_opened",)


def register(app: Any, deps: Deps) -> None:
    @app.event("app_home_opened")
    def on_home_opened(event, client):
        if event.get("tab", "home") != "home":
            return
        # Rows come from the advice log once conversations/ is wired.
        client.views_publish(user_id=event["user"], view=home_view(mine=[], team=[]))
