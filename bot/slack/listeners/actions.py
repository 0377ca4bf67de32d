"""Button clicks (block_actions): dialog answers, feedback, what-if and candidate picks.

Each ActionId has exactly one listener (the form button lives with the form in views.py);
indexed ids (`dialog_choice:2`, `what_if:100`) are matched by pattern. Each click's
outcome, replies and idempotency key (`request_key`) are committed, then the click is
acked; replies, notes to the clicker included, go out through the outbox.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.slack.deps import Deps
from bot.slack.ids import ActionId, pattern, question_of, unpack
from bot.slack.listeners import COULD_NOT_FINISH, BadRequest, dialog_reply, guarded
from bot.slack.listeners.places import action_place, key_parts, message_thread, thread_key
from conversations.service import Conversations, Outcome

GONE = "That advice isn't available here any more."


def _value(body: dict[str, Any]) -> str:
    return body["actions"][0].get("value") or ""


def request_key(body: dict[str, Any]) -> str | None:
    """A click is unique by its action_ts, who clicked and on which message: Slack sends
    the same three again only when it replays the same click."""
    action = (body.get("actions") or [{}])[0]
    message = (body.get("container") or {}).get("message_ts") or (
        body.get("message") or {}).get("ts")
    user = (body.get("user") or {}).get("id")
    if not (action.get("action_ts") and user):
        return None
    return f"action:{action['action_ts']}:{user}:{message or ''}"


class Actions:
    """The button listeners of one app, with the Deps they share."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def register(self, app: Any) -> None:
        app.action(pattern(ActionId.DIALOG_CHOICE))(self.listener(self.on_choice))
        app.action(pattern(ActionId.DIALOG_SKIP))(self.listener(self.on_skip))
        app.action(pattern(ActionId.DIALOG_CANCEL))(self.listener(self.on_cancel))
        app.action(pattern(ActionId.FEEDBACK_HELPFUL))(self.listener(self.on_helpful))
        app.action(pattern(ActionId.FEEDBACK_NOT_HELPFUL))(self.listener(self.on_not_helpful))
        app.action(pattern(ActionId.WHAT_IF))(self.listener(self.on_what_if))
        app.action(pattern(ActionId.PICK_MATCH))(self.listener(self.on_pick))

    def conv(self) -> Conversations:
        if self.deps.conversations is None:
            raise BadRequest("no database configured")
        return self.deps.conversations

    def tell(self, body: dict[str, Any], text: str, thread: str | None = None) -> Outcome:
        """A short note only the clicker sees, queued like every reply."""
        place = action_place(body, thread)
        return self.conv().notice(place, text, ephemeral_to=place.user,
                                  request_key=request_key(body))

    def answer_dialog(self, body: dict[str, Any], key: str, text: str) -> Outcome | None:
        """Feed the click to the dialog; a button that names its question (`question_of`)
        answers that question only, and is told so once the dialog has moved on."""
        parts = key_parts(key)
        if parts is None:
            raise BadRequest(f"not a dialog key: {key!r}")
        outcome = dialog_reply(self.conv(), key, text, action_place(body, parts[2]),
                               request_key=request_key(body), ephemeral=True,
                               question=question_of(body["actions"][0]["action_id"]))
        if outcome is None:
            return self.tell(body, "This check-up has already ended. Start a new one with "
                              "/scale diagnose.", parts[2])
        if outcome.moved_on:
            return self.tell(body, self.moved_on(outcome.open_question), parts[2])
        return outcome

    def moved_on(self, open_question: str | None) -> str:
        """The note for a click on an earlier question's button, naming the open one."""
        note = "That button is for a question that is no longer open; nothing was changed."
        if open_question is None:
            return note
        return f"{note} The open question is: {self.conv().script.question(open_question).prompt}"

    def on_choice(self, body):
        key, text = unpack(_value(body), 2)
        return self.answer_dialog(body, key, text)

    def on_skip(self, body):
        return self.answer_dialog(body, _value(body), "skip")

    def on_cancel(self, body):
        return self.answer_dialog(body, _value(body), "cancel")

    def feedback(self, body: dict[str, Any], helpful: bool) -> Outcome | None:
        advice_id = _value(body)
        thanks = ("Thanks, noted." if helpful else
                  "Thanks, noted. Tell me in the thread what was off.")
        if not advice_id.isdigit() or not self.conv().feedback(
                int(advice_id), action_place(body, None), helpful, thanks=thanks,
                request_key=request_key(body)):
            return self.tell(body, GONE)
        return None

    def on_helpful(self, body):
        return self.feedback(body, True)

    def on_not_helpful(self, body):
        return self.feedback(body, False)

    def on_what_if(self, body):
        advice_id, factor = unpack(_value(body), 2)
        thread = message_thread(body)
        place = action_place(body, thread)
        place = place.model_copy(update={"private": self.deps.is_private(place.channel)})
        outcome = None
        if advice_id.isdigit() and factor.isascii() and factor.isdigit():  # as offered
            outcome = self.conv().what_if(int(advice_id), place, factors=(float(factor),),
                                          key=thread_key(place.team, place.channel, thread),
                                          request_key=request_key(body))
        return outcome if outcome is not None else self.tell(body, GONE)

    def on_pick(self, body):
        name, question = unpack(_value(body), 2)
        thread = message_thread(body)
        place = action_place(body, thread)
        place = place.model_copy(update={"private": self.deps.is_private(place.channel)})
        return self.conv().ask_as(name, question, place,
                                  key=thread_key(place.team, place.channel, thread),
                                  request_key=request_key(body))

    def listener(self, work: Callable[[dict[str, Any]], Outcome | None]) -> Callable[..., None]:
        """Commit the click's outcome, then ack; a failure is told to the clicker."""
        def handle(ack, body):
            def tell_failure() -> None:
                self.tell(body, COULD_NOT_FINISH, message_thread(body))

            guarded(f"button {work.__name__}", lambda: work(body), tell_failure)
            ack()
            self.deps.wake()

        return handle
