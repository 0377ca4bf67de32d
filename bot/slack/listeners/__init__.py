"""Listeners grouped by surface: each module has one small class (`Commands`, `Events`,
`Actions`, `Forms`, `Home`, `Systems`) built with the app's `Deps`, whose methods are the
handlers and whose `register(app)` wires them (all wired in `bot.slack.listeners.wiring`);
this package module holds what they share.

Every listener is a plain Bolt listener run in the request (process_before_response):
it computes its outcome, commits it with its replies (the outbox) and the request's
idempotency key in one transaction, then acks and wakes this worker's delivery loop.
Anything posted later comes from the outbox, so a crash after the ack delays a reply
but never loses it. `guarded` turns a failure into one log line and one short line to
the person, instead of a 500 and a traceback.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from typing import Any

from pydantic import ValidationError
from slack_sdk.errors import SlackApiError

from conversations.service import (
    UNUSABLE,
    Conversations,
    Outcome,
    Place,
    StaleDialog,
    UnusableDialog,
)

log = logging.getLogger("bot.slack.listeners")

COULD_NOT_FINISH = "I couldn't finish this; try again."
UNREADABLE = f"{UNUSABLE} A new `/scale diagnose` starts afresh."


class BadRequest(ValueError):
    """A payload without what its handler needs (Slack never sends it; a forger might)."""


# Failures with a known cause: logged as one line. Anything else also gets a traceback.
FORESEEABLE = (BadRequest, KeyError, TypeError, ValueError, ValidationError, sqlite3.Error,
               SlackApiError, StaleDialog, OSError)


def reason(err: BaseException) -> str:
    if isinstance(err, SlackApiError):
        return f"Slack said {err.response.get('error') or err.response.status_code}"
    if isinstance(err, KeyError):
        return f"missing {err}"
    return f"{type(err).__name__}: {err}"


def guarded(what: str, work: Callable[[], None], tell: Callable[[], None] | str) -> None:
    """Run `work`; if it fails, run `tell` (say so to the person) and log why, once. A
    string for `tell` says in the log why there is no one to tell."""
    try:
        work()
        return
    except Exception as err:  # noqa: BLE001 - every failure is answered, none is a 500
        failure = err
    try:
        if isinstance(tell, str):
            told = tell
        else:
            tell()
            told = "told the person"
    except Exception as err:  # noqa: BLE001 - nowhere left to say it but the log
        told = f"could not tell the person ({reason(err)})"
    foreseeable = isinstance(failure, FORESEEABLE)
    log.warning("could not handle %s: %s; %s", what, reason(failure), told,
                exc_info=None if foreseeable else failure)


def dialog_reply(conv: Conversations, key: str, text: str, place: Place, *,
                 request_key: str | None, question: str | None = None,
                 ephemeral: bool = False) -> Outcome | None:
    """An answer (typed or clicked) to the dialog under `key`. A dialog whose saved state
    cannot be read is set aside and its person told once; else every later message in
    its thread would fail the same way until the dialog expired."""
    try:
        return conv.reply(key, text, place, request_key=request_key, question=question)
    except UnusableDialog:
        return conv.discard_unusable(key, place, UNREADABLE, request_key=request_key,
                                     ephemeral_to=place.user if ephemeral else None)


def acked(ack: Any) -> bool:
    return getattr(ack, "response", None) is not None


def text_of(value: Any) -> str:
    """Slack's text back to what the person typed: Slack escapes `&`, `<` and `>` (and
    nothing else), and the renderer escapes again, so it is undone here, at the edge."""
    if not isinstance(value, str):
        raise BadRequest("text is not a string")
    return value.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
