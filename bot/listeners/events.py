"""Events API listeners: thread replies that answer a dialog, and @-mentions.

Bolt acks events before these run and drops the bot's own events. Messages with a
subtype (edits, deletions, joins, bot posts) are ignored, except the two that carry a
person's words. Slack retries a slow event with the same `event_id`; the id is claimed
in the same transaction as the answer it leads to, so a retry changes nothing.
"""

from __future__ import annotations

import re
from typing import Any

from bot.blocks import help_message
from bot.deps import Deps
from bot.listeners import just_ack
from bot.listeners.places import event_place, thread_key
from conversations.service import Outcome

EVENTS = ("app_mention", "message")
PERSON_SUBTYPES = frozenset({"thread_broadcast", "file_share"})
MENTION = re.compile(r"<@([A-Z0-9]+)(?:\|[^>]*)?>")


def is_person_message(event: dict[str, Any]) -> bool:
    """A message a person wrote (not an edit, deletion, join or bot post)."""
    subtype = event.get("subtype")
    return (subtype is None or subtype in PERSON_SUBTYPES) and not event.get("bot_id")


def thread_of(event: dict[str, Any]) -> str:
    """The thread to answer in: the event's thread, or a new one under the event itself."""
    return event.get("thread_ts") or event["ts"]


def is_thread_reply(event: dict[str, Any]) -> bool:
    return bool(event.get("thread_ts")) and event.get("thread_ts") != event.get("ts")


def without_mentions(text: str, bot_user_id: str | None) -> str:
    """The words addressed to the bot, its own mention removed."""
    if bot_user_id:
        text = text.replace(f"<@{bot_user_id}>", " ")
    return " ".join(text.split())


def mentions_bot(text: str, bot_user_id: str | None) -> bool:
    return bool(bot_user_id) and any(m == bot_user_id for m in MENTION.findall(text or ""))


def register(app: Any, deps: Deps) -> None:
    def deliver(outcome: Outcome | None) -> None:
        if outcome is not None and not outcome.duplicate and deps.deliverer is not None:
            deps.deliverer.flush(outcome.outbox_ids)

    def on_message(body, event, context, client):
        if not is_person_message(event):
            return
        if mentions_bot(event.get("text", ""), context.get("bot_user_id")):
            return  # the app_mention listener handles it, once
        if event.get("channel_type") == "im":
            answer(body, event, event.get("text", ""), client)  # a DM is addressed to us
            return
        if not is_thread_reply(event):
            return  # in channels, only thread replies can answer a dialog
        conv = deps.conversations
        key = thread_key(body["team_id"], event["channel"], event["thread_ts"])
        if conv is None or not conv.has_dialog(key):
            return  # a thread we do not own
        place = event_place(body, event, deps.is_private, event["thread_ts"])
        deliver(conv.reply(key, event.get("text", ""), place, event_id=body.get("event_id")))

    def on_mention(body, event, context, client):
        if is_person_message(event):
            text = without_mentions(event.get("text", ""), context.get("bot_user_id"))
            answer(body, event, text, client)

    def answer(body: dict[str, Any], event: dict[str, Any], text: str, client: Any) -> None:
        """Words addressed to the bot: a dialog answer in its thread, else ask the advisor."""
        conv = deps.conversations
        assert conv is not None
        thread = thread_of(event)
        key = thread_key(body["team_id"], event["channel"], thread)
        event_id = body.get("event_id")
        if is_thread_reply(event) and conv.has_dialog(key):
            place = event_place(body, event, deps.is_private, thread)
            deliver(conv.reply(key, text, place, event_id=event_id))
            return
        if not text:
            if event_id is None or conv.claim(event_id):
                client.chat_postMessage(channel=event["channel"], thread_ts=thread,
                                        **help_message().kwargs())
            return
        place = event_place(body, event, deps.is_private, thread)
        deliver(conv.ask(text, place, key=key, event_id=event_id))

    app.event("message")(ack=just_ack, lazy=[on_message])
    app.event("app_mention")(ack=just_ack, lazy=[on_mention])
