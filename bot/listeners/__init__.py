"""Listener registration, grouped by kind; each module exposes `register(app, deps)`.

The app runs with process_before_response: each listener is registered as an `ack`
half, run in the request thread and kept tiny, and a `lazy` half that does the work on
Bolt's executor after Slack has its answer. So acks never queue behind slow work.
"""

from __future__ import annotations

from typing import Any

from bot.deps import Deps


def just_ack(ack: Any) -> None:
    """The quick half of a listener whose work all happens after Slack is answered."""
    ack()


def register(app: Any, deps: Deps) -> None:
    """Wire every listener onto `app` (a Bolt App, or anything with the same decorators)."""
    from bot.listeners import actions, commands, events, home, systems, views

    for module in (commands, events, actions, views, home, systems):
        module.register(app, deps)
