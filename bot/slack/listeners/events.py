"""Events API listeners: thread replies that answer a dialog, and @-mentions.

Each listener commits its outcome before Bolt acks the event; Bolt drops the bot's own
events. Messages with a subtype (edits, deletions, joins, bot posts) or without a user
are ignored, except the two subtypes that carry a person's words. Slack retries a slow
event with the same `event_id`; the id is claimed in the same transaction as the answer
it leads to, so a retry changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from advisor.metrics import METRIC_KEYS
from bot.slack.deps import Deps
from bot.slack.listeners import COULD_NOT_FINISH, BadRequest, dialog_reply, guarded, text_of
from bot.slack.listeners.commands import metric_key, read_one_shot
from bot.slack.listeners.places import event_place, thread_key
from conversations.service import Conversations, Outcome, Place

PERSON_SUBTYPES = frozenset({"thread_broadcast", "file_share"})
MENTION = re.compile(r"<@([A-Z0-9]+)(?:\|[^>]*)?>")
MARKUP = re.compile(r"<([^<>|]*)(?:\|([^<>]*))?>")


def is_person_message(event: dict[str, Any]) -> bool:
    """A message a person wrote (not an edit, deletion, join or bot post; never one
    without a `user`, which no person's message lacks)."""
    subtype = event.get("subtype")
    return ((subtype is None or subtype in PERSON_SUBTYPES) and not event.get("bot_id")
            and isinstance(event.get("user"), str) and bool(event["user"]))


def thread_of(event: dict[str, Any]) -> str:
    """The thread to answer in: the event's thread, or a new one under the event itself."""
    return event.get("thread_ts") or event["ts"]


def is_thread_reply(event: dict[str, Any]) -> bool:
    return bool(event.get("thread_ts")) and event.get("thread_ts") != event.get("ts")


def words_of(raw: Any) -> str:
    """What a person wrote, as words: Slack's markup for people and broadcasts (`<@U…>`,
    `<!here>`) goes, a channel reads as its name and a link as its label (or address);
    then what Slack escaped is undone. Markup is read first, while every `<` and `>` in
    the text is still Slack's own. Runs of spaces become one, but lines stay lines: a
    pasted table, top's screen or an alert is read line by line."""
    if not isinstance(raw, str):
        raise BadRequest("text is not a string")

    def plain(m: re.Match[str]) -> str:
        target, label = m.group(1), m.group(2)
        if target.startswith(("@", "!")):
            return " "
        if target.startswith("#"):
            return f" #{label} " if label else " "
        return f" {label or target} "

    lines = (" ".join(line.split()) for line in text_of(MARKUP.sub(plain, raw)).splitlines())
    return "\n".join(line for line in lines if line)


# What a person says to the bot that is a request, not a symptom or a question.
_HELP = re.compile(r"^(help|usage|\?|what can you do|how do i use (you|this))$")
_CHECK_UP = re.compile(r"^(diagnose|check[- ]?up|start|start a check[- ]?up|run a check[- ]?up"
                       r"|diagnose (this|us|me)|/scale diagnose)$")
_THANKS = re.compile(r"^(thanks|thank you|thx|ty|cheers|ta|much appreciated)\b.{0,30}$")
THANKED = "Glad to help. Mention me again with a symptom or a question any time."


def intent_of(text: str) -> str | None:
    """`help`, `check-up` or `thanks` when that is all a mention says; None otherwise."""
    said = " ".join(text.lower().split()).strip(" !.?") or text.strip()
    for name, pattern in (("help", _HELP), ("check-up", _CHECK_UP), ("thanks", _THANKS)):
        if pattern.match(said):
            return name
    return None


# /scale subcommands that list or change what is stored: a mention names them, the slash
# command does them (its answer reaches only the person, as a listing should).
SLASH_ONLY = frozenset({"history", "systems", "done", "not-now", "reopen"})


def slash_command_named(text: str) -> str | None:
    """The `/scale` subcommand a mention names, when it is one only the slash command does:
    the word alone (`@bot history`) or typed as the command (`@bot /scale done shop
    indexes`). None otherwise: "history page is slow" is a complaint."""
    said = text.strip().lower()
    words = said.removeprefix("/scale").split()
    if not words or words[0] not in SLASH_ONLY:
        return None
    return words[0] if said.startswith("/scale") or len(words) == 1 else None


def numbers_given(text: str) -> str | None:
    """The `name=value` arguments a mention gives for a one-shot diagnose (`users=50k
    db_cpu=90%`, `diagnose system=shop users=50k`); None when it does not start with one."""
    words = text.split(maxsplit=1)
    args = words[1] if len(words) == 2 and words[0].lower() == "diagnose" else text
    name, sep, _ = args.split(maxsplit=1)[0].partition("=") if args.strip() else ("", "", "")
    key = metric_key(name)
    return args if sep and (key in METRIC_KEYS or key == "system") else None


def mentions_bot(text: str, bot_user_id: str | None) -> bool:
    return bool(bot_user_id) and any(m == bot_user_id for m in MENTION.findall(text or ""))


class Events:
    """The Events API listeners of one app, with the Deps they share."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def register(self, app: Any) -> None:
        app.event("message")(self.on_message)
        app.event("app_mention")(self.on_mention)

    def conv(self) -> Conversations:
        if self.deps.conversations is None:
            raise BadRequest("no database configured")
        return self.deps.conversations

    def handled(self, body: dict[str, Any], event: dict[str, Any], what: str,
                work: Callable[[], Outcome | None]) -> None:
        """Run `work` (which commits); if it fails, say so in the event's thread, once."""
        def run() -> None:
            work()
            self.deps.wake()

        def tell() -> None:
            place = event_place(body, event, self.deps.is_private, thread_of(event))
            self.conv().notice(place, COULD_NOT_FINISH, request_key=body.get("event_id"))
            self.deps.wake()

        guarded(f"{what} {body.get('event_id')}", run, tell)

    def on_message(self, body, event, context):
        if not is_person_message(event):
            return
        if mentions_bot(event.get("text") or "", context.get("bot_user_id")):
            return  # the app_mention listener handles it, once
        if event.get("channel_type") == "im":
            self.handled(body, event, "direct message",  # a DM is addressed to us
                         lambda: self.answer(body, event, text_of(event.get("text"))))
            return
        if not is_thread_reply(event):
            return  # in channels, only thread replies can answer a dialog
        key = thread_key(body["team_id"], event["channel"], event["thread_ts"])
        if self.deps.conversations is None or not self.deps.conversations.has_dialog(key):
            return  # a thread we do not own

        def reply() -> Outcome | None:
            place = event_place(body, event, self.deps.is_private, event["thread_ts"])
            return dialog_reply(self.conv(), key, words_of(event.get("text")), place,
                                request_key=body.get("event_id"))

        self.handled(body, event, "dialog reply", reply)

    def on_mention(self, body, event):
        if is_person_message(event):
            self.handled(body, event, "mention", lambda: self.answer(
                body, event, words_of(event.get("text"))))

    def answer(self, body: dict[str, Any], event: dict[str, Any], text: str) -> Outcome | None:
        """Words addressed to the bot: a dialog answer in its thread, else ask the advisor."""
        thread = thread_of(event)
        key = thread_key(body["team_id"], event["channel"], thread)
        request_key = body.get("event_id")
        place = event_place(body, event, self.deps.is_private, thread)
        if is_thread_reply(event) and self.conv().has_dialog(key):
            return dialog_reply(self.conv(), key, text, place, request_key=request_key)
        intent = intent_of(text) if text else "help"
        if intent == "help":
            return self.conv().notice(place, "", kind="help", request_key=request_key)
        if intent == "check-up":  # the check-up runs in this thread, as /scale's does in its own
            return self.conv().begin(key, place, request_key=request_key)
        if intent == "thanks":
            return self.conv().notice(place, THANKED, request_key=request_key)
        named = slash_command_named(text)
        if named is not None:
            typed = text.strip().removeprefix("/scale").strip()
            return self.conv().notice(
                place, f"That is `/scale {named}`: type `/scale {typed}` in the channel (only "
                "you will see the answer).", request_key=request_key)
        pairs = numbers_given(text)
        if pairs is not None:  # `users=50k db_cpu=90%`: the one-shot diagnose, as /scale's
            return self.diagnose(pairs, place, key, request_key)
        return self.conv().ask(text, place, key=key, request_key=request_key)

    def diagnose(self, args: str, place: Place, key: str,
                 request_key: str | None) -> Outcome:
        given = read_one_shot(args, self.conv().playbook)
        if isinstance(given, str):
            return self.conv().notice(place, given, request_key=request_key)
        return self.conv().diagnose(given.obs, place, match=given.match, key=key,
                                    system=given.system, request_key=request_key,
                                    notes=given.notes)
