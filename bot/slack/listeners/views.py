"""The "use a form instead" modal: opened from a dialog's button, submitted to finish it.

The form holds every question of the interview, prefilled with what the thread already
answered; the dialog key travels in `private_metadata`. Answers are read by the same
parsing as typed replies; a field that cannot be read comes back as an error on that
field (`response_action: errors`) and the modal stays open with everything typed so far.
A good form closes at once; the assessment is then posted in the dialog's thread.
"""

from __future__ import annotations

import logging
from typing import Any

from bot.slack.blocks.dialog import FormField, form_errors, form_modal
from bot.slack.deps import Deps
from bot.slack.ids import ActionId, BlockId, CallbackId, InputId, suffix_of
from bot.slack.listeners import COULD_NOT_FINISH, UNREADABLE, BadRequest, guarded
from bot.slack.listeners.places import key_parts
from conversations.dialog import answer_texts
from conversations.script import Script
from conversations.service import Conversations, Place, UnusableDialog

log = logging.getLogger("bot.views")

FORM_INTRO = ("Answer what you know and leave the rest empty. Numbers can be typed the way "
              "you would say them (50k, 1.2s, 92%). The assessment is posted in the thread.")
SYMPTOMS_LABEL = "What is hurting?"
CLOSED = ("That diagnosis is already finished, cancelled or expired, so the form has nothing "
          "to add to it. Start a fresh one with /scale diagnose.")


def form_fields(script: Script, initial: dict[str, str]) -> list[FormField]:
    """One optional field per interview question, in the interview's order."""
    fields = []
    for q in script.questions:
        if q.kind == "symptoms":
            picks = ", ".join(c.label for c in q.choices)
            field = FormField(key=q.key, label=SYMPTOMS_LABEL,
                              hint=f"In your own words, numbers welcome, or one of: {picks}.",
                              placeholder=f"e.g. {q.example}")
        elif q.kind == "yesno":
            field = FormField(key=q.key, label=q.prompt, hint=q.help, placeholder="yes or no")
        else:
            field = FormField(key=q.key, label=q.prompt, hint=q.help,
                              placeholder=f"e.g. {q.example}")
        fields.append(field.model_copy(update={"initial": initial.get(q.key, "")}))
    return fields


def form_values(view: dict[str, Any]) -> dict[str, str]:
    """question key -> typed text, from a submitted form's state (empty fields left out)."""
    values = (view.get("state") or {}).get("values") or {}
    answers = {}
    for block_id, inputs in values.items():
        key = suffix_of(block_id)
        text = ((inputs or {}).get(InputId.VALUE) or {}).get("value")
        if block_id.startswith(f"{BlockId.FORM_FIELD}:") and key and text and text.strip():
            answers[key] = text
    return answers


def trigger_key(body: dict[str, Any]) -> str | None:
    """The idempotency key of a command, form submission or similar: its trigger_id,
    which Slack makes unique per request."""
    trigger = body.get("trigger_id")
    return f"trigger:{trigger}" if isinstance(trigger, str) and trigger else None


class Forms:
    """The diagnose form's listeners (its button and its submission), with the Deps they share."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def register(self, app: Any) -> None:
        app.action(str(ActionId.DIALOG_OPEN_FORM))(self.open_form)
        app.view(str(CallbackId.DIAGNOSE_FORM))(self.submit_form)

    def conv(self) -> Conversations:
        if self.deps.conversations is None:
            raise BadRequest("no database configured")
        return self.deps.conversations

    @staticmethod
    def place(body: dict[str, Any], channel: str, thread: str | None) -> Place:
        """Where the person using the form is, in the dialog's thread."""
        team = (body.get("team") or {}).get("id") or body["user"].get("team_id", "")
        return Place(team=team, channel=channel, user=body["user"]["id"], thread=thread)

    def tell(self, body: dict[str, Any], channel: str, thread: str | None, text: str) -> None:
        """A note only this person sees, queued like every reply."""
        place = self.place(body, channel, thread)
        self.conv().notice(place, text, ephemeral_to=place.user, request_key=trigger_key(body))

    def set_aside(self, body: dict[str, Any], key: str, channel: str, thread: str | None
                  ) -> None:
        """Forget the dialog under `key`, whose saved state cannot be read, and tell the
        person once, as a typed reply would: else the form fails on every click."""
        place = self.place(body, channel, thread)
        self.conv().discard_unusable(key, place, UNREADABLE, ephemeral_to=place.user,
                                     request_key=trigger_key(body))

    def open_form(self, ack, body, action, client):
        """The modal opens inside the request: its trigger_id lives three seconds."""
        key = action.get("value") or ""
        where = key_parts(key)
        channel = (body.get("channel") or {}).get("id") or (where[1] if where else "")
        thread = where[2] if where else None

        def work() -> None:
            try:
                current = self.conv().current(key) if where else None
            except UnusableDialog:
                self.set_aside(body, key, channel, thread)
                return
            if current is None or current[1]:
                if channel:
                    self.tell(body, channel, thread, CLOSED)
                return
            state, _expired = current
            fields = form_fields(self.conv().script, answer_texts(state, self.conv().script))
            client.views_open(trigger_id=body["trigger_id"],
                              view=form_modal(fields, private_metadata=key, intro=FORM_INTRO))

        guarded("form button", work, lambda: self.tell(body, channel, thread, COULD_NOT_FINISH))
        ack()
        self.deps.wake()

    def submit_form(self, ack, body, view):
        """Bad fields go back on the form, which stays open; a good form finishes the
        dialog (committed before the modal closes) and its assessment goes to the thread."""
        answers = form_values(view)
        errors = self.conv().form_errors(answers) if self.deps.conversations else {}
        if errors:
            ack(**form_errors(errors))
            return
        key = view.get("private_metadata") or ""
        where = key_parts(key)
        if where is None:
            log.warning("diagnose form submitted without a dialog key")
            ack()
            return
        team, channel, thread_ts = where

        def work() -> None:
            # Privacy is left unknown here: the dialog recorded it when it began.
            place = Place(team=team, channel=channel, user=body["user"]["id"], thread=thread_ts)
            if self.conv().complete_with(key, answers, place,
                                         request_key=trigger_key(body)) is None:
                self.tell(body, channel, thread_ts, CLOSED)

        guarded("form", work, lambda: self.tell(body, channel, thread_ts, COULD_NOT_FINISH))
        ack()
        self.deps.wake()
