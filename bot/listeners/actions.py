"""Button clicks (block_actions): dialog answers, feedback, what-if and candidate picks.

Each ActionId has exactly one listener (the form button lives with the form in views.py);
indexed ids (`dialog_choice:2`, `what_if:100`) are matched by pattern. Every click is
acked first; the work and any posts follow.
"""

from __future__ import annotations

from typing import Any

from bot.blocks import error_message
from bot.deps import Deps
from bot.ids import ActionId, pattern, unpack
from bot.listeners import just_ack
from bot.listeners.places import action_place, key_parts, message_thread, thread_key
from conversations.service import Conversations, Outcome

GONE = "That advice isn't available here any more."


def _value(body: dict[str, Any]) -> str:
    return body["actions"][0].get("value") or ""


def register(app: Any, deps: Deps) -> None:
    def conv() -> Conversations:
        assert deps.conversations is not None
        return deps.conversations

    def deliver(outcome: Outcome | None) -> None:
        if outcome is not None and deps.deliverer is not None:
            deps.deliverer.flush(outcome.outbox_ids)

    def tell(client: Any, body: dict[str, Any], text: str) -> None:
        place = action_place(body, None)
        client.chat_postEphemeral(channel=place.channel, user=place.user,
                                  **error_message(text).kwargs())

    def answer_dialog(body: dict[str, Any], client: Any, key: str, text: str) -> None:
        parts = key_parts(key)
        if parts is None:
            return
        outcome = conv().reply(key, text, action_place(body, parts[2]))
        if outcome is None:
            tell(client, body, "This check-up has already ended. Start a new one with "
                               "/scale diagnose.")
            return
        deliver(outcome)

    def on_choice(body, client):
        key, text = unpack(_value(body), 2)
        answer_dialog(body, client, key, text)

    def on_skip(body, client):
        answer_dialog(body, client, _value(body), "skip")

    def on_cancel(body, client):
        answer_dialog(body, client, _value(body), "cancel")

    def feedback(body: dict[str, Any], client: Any, helpful: bool) -> None:
        advice_id = _value(body)
        if not advice_id.isdigit() or not conv().feedback(int(advice_id),
                                                          action_place(body, None), helpful):
            tell(client, body, GONE)
            return
        place = action_place(body, None)
        client.chat_postEphemeral(channel=place.channel, user=place.user,
                                  text="Thanks, noted." if helpful else
                                  "Thanks, noted. Tell me in the thread what was off.")

    def on_helpful(body, client):
        feedback(body, client, True)

    def on_not_helpful(body, client):
        feedback(body, client, False)

    def on_what_if(body, client):
        advice_id, factor = unpack(_value(body), 2)
        thread = message_thread(body)
        place = action_place(body, thread)
        place = place.model_copy(update={"private": deps.is_private(place.channel)})
        outcome = None
        if advice_id.isdigit():
            outcome = conv().what_if(int(advice_id), place, factors=(float(factor),),
                                     key=thread_key(place.team, place.channel, thread))
        if outcome is None:
            tell(client, body, GONE)
            return
        deliver(outcome)

    def on_pick(body, client):
        name, question = unpack(_value(body), 2)
        thread = message_thread(body)
        place = action_place(body, thread)
        place = place.model_copy(update={"private": deps.is_private(place.channel)})
        deliver(conv().ask_as(name, question, place,
                              key=thread_key(place.team, place.channel, thread)))

    app.action(pattern(ActionId.DIALOG_CHOICE))(ack=just_ack, lazy=[on_choice])
    app.action(pattern(ActionId.DIALOG_SKIP))(ack=just_ack, lazy=[on_skip])
    app.action(pattern(ActionId.DIALOG_CANCEL))(ack=just_ack, lazy=[on_cancel])
    app.action(pattern(ActionId.FEEDBACK_HELPFUL))(ack=just_ack, lazy=[on_helpful])
    app.action(pattern(ActionId.FEEDBACK_NOT_HELPFUL))(ack=just_ack, lazy=[on_not_helpful])
    app.action(pattern(ActionId.WHAT_IF))(ack=just_ack, lazy=[on_what_if])
    app.action(pattern(ActionId.PICK_MATCH))(ack=just_ack, lazy=[on_pick])
