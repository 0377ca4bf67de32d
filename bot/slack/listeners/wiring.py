"""Wires every listener module onto an app; apart from the package's shared helpers, so
the listener modules and the package module do not import each other."""

from __future__ import annotations

from typing import Any

from bot.slack.deps import Deps
from bot.slack.listeners import actions, commands, events, home, systems, views


def register(app: Any, deps: Deps) -> None:
    """Wire every listener onto `app` (a Bolt App, or anything with the same decorators)."""
    for module in (commands, events, actions, views, home, systems):
        module.register(app, deps)
