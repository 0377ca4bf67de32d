"""Wires every listener surface onto an app; apart from the package's shared helpers, so
the listener modules and the package module do not import each other."""

from __future__ import annotations

from typing import Any

from bot.slack.deps import Deps
from bot.slack.listeners.actions import Actions
from bot.slack.listeners.commands import Commands
from bot.slack.listeners.events import Events
from bot.slack.listeners.home import Home
from bot.slack.listeners.systems import Systems
from bot.slack.listeners.views import Forms

SURFACES = (Commands, Events, Actions, Forms, Home, Systems)


def register(app: Any, deps: Deps) -> None:
    """Wire every listener onto `app` (a Bolt App, or anything with the same decorators),
    each surface holding the one Deps built for this app."""
    for surface in SURFACES:
        surface(deps).register(app)
