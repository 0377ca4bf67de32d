"""Events API listeners: @-mentions and messages.

Bolt already drops the bot's own events. Messages with a subtype (edits, deletions, joins,
bot posts) are acknowledged and ignored, except the two that carry a person's words in a
thread. Events are auto-acked by Bolt; returning without work is a valid handling.
"""

from __future__ import annotations

from typing import Any

from bot.blocks import help_message
from bot.deps import Deps

EVENTS = ("app_mention", "message")
PERSON_SUBTYPES = frozenset({"thread_broadcast", "file_share"})


def is_person_message(event: dict[str, Any]) -> bool:
    """A message a person wrote (not an edit, deletion, join or bot post)."""
    subtype = event.get("subtype")
    return (subtype is None or subtype in PERSON_SUBTYPES) and not event.get("bot_id")


def thread_of(event: dict[str, Any]) -> str:
    """The thread to answer in: the event's thread, or a new one under the event itself."""
    return event.get("thread_ts") or event["ts"]


def register(app: Any, deps: Deps) -> None:
    @app.event("app_mention")
    def on_mention(event, client):
        # Placeholder until the advisor is wired: answer with what the bot can do.
        client.chat_postMessage(channel=event["channel"], thread_ts=thread_of(event),
                                **help_message().kwargs())

    @app.event("message")
    def on_message(event):
        if not is_person_message(event):
            return
        # Thread replies to an open dialog are handled here once conversations/ is wired.
