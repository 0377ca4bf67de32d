"""Listener registration, grouped by kind; each module exposes `register(app, deps)`."""

from __future__ import annotations

from typing import Any

from bot.deps import Deps
from bot.listeners import actions, commands, events, home, views

MODULES = (commands, events, actions, views, home)


def register(app: Any, deps: Deps) -> None:
    """Wire every listener onto `app` (a Bolt App, or anything with the same decorators)."""
    for module in MODULES:
        module.register(app, deps)
