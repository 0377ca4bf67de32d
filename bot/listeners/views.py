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

from bot.blocks import FormField, form_errors, form_modal, notice_message
from bot.deps import Deps
from bot.ids import ActionId, BlockId, CallbackId, InputId, suffix_of
from bot.listeners import just_ack
from bot.listeners.places import key_parts
from conversations.dialog import answer_texts
from conversations.script import Script
from conversations.service import Place

log = logging.getLogger("bot.views")

VIEW_CALLBACK_IDS = (CallbackId.DIAGNOSE_FORM,)
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


def _tell(client: Any, channel: str, user: str, text: str, thread_ts: str | None) -> None:
    """An ephemeral note to one person; failing to send it must not fail the request."""
    try:
        client.chat_postEphemeral(channel=channel, user=user, thread_ts=thread_ts,
                                  **notice_message(text).kwargs())
    except Exception:  # noqa: BLE001 - a lost note is not worth an error page
        log.exception("could not post an ephemeral note in %s", channel)


def register(app: Any, deps: Deps) -> None:
    def open_form(body, action, client):
        key = action.get("value") or ""
        user = body["user"]["id"]
        where = key_parts(key)
        conversations = deps.conversations
        current = conversations.current(key) if conversations and where else None
        if current is None or current[1]:
            channel = (body.get("channel") or {}).get("id") or (where[1] if where else "")
            if channel:
                _tell(client, channel, user, CLOSED, where[2] if where else None)
            return
        assert conversations is not None
        state, _expired = current
        fields = form_fields(conversations.script, answer_texts(state, conversations.script))
        client.views_open(trigger_id=body["trigger_id"],
                          view=form_modal(fields, private_metadata=key, intro=FORM_INTRO))

    def check_form(ack, view):
        """The quick half: field errors go back on the form, which stays open."""
        conversations = deps.conversations
        errors = conversations.form_errors(form_values(view)) if conversations else {}
        if errors:
            ack(**form_errors(errors))
        else:
            ack()

    def submit_form(body, view, client):
        conversations = deps.conversations
        answers = form_values(view)
        if conversations is None or conversations.form_errors(answers):
            return
        key = view.get("private_metadata") or ""
        where = key_parts(key)
        if where is None:
            log.warning("diagnose form submitted without a dialog key")
            return
        team, channel, thread_ts = where
        user = body["user"]["id"]
        # Privacy is left unknown here: the dialog recorded it when it began.
        place = Place(team=team, channel=channel, user=user, thread=thread_ts)
        outcome = conversations.complete_with(key, answers, place)
        if outcome is None:
            _tell(client, channel, user, CLOSED, thread_ts)
            return
        if deps.deliverer is not None:
            deps.deliverer.flush(outcome.outbox_ids)

    app.action(str(ActionId.DIALOG_OPEN_FORM))(ack=just_ack, lazy=[open_form])
    app.view(str(CallbackId.DIAGNOSE_FORM))(ack=check_form, lazy=[submit_form])
