"""Systems in Slack: `system=NAME` in `/scale diagnose`, `/scale systems`, the ladder's
Done / Not now buttons (the message is updated in place) and re-check reminders
(`chat.scheduleMessage`, cancellable with `chat.deleteScheduledMessage`).

Each click is handled in the request: the mark is committed and the message redrawn, then
the click is acked; a failure is told to the person in one line and logged once.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from slack_sdk.errors import SlackApiError

from advisor.rungs import UnknownRung
from bot.slack.blocks.kit import error_message
from bot.slack.blocks.systems import systems_message
from bot.slack.blocks.tracked import (
    reminder_message,
    reminder_taken_message,
    tracked_assessment_message,
)
from bot.slack.deps import Deps
from bot.slack.ids import ActionId, pattern, unpack
from bot.slack.listeners import COULD_NOT_FINISH, guarded
from bot.slack.listeners.places import action_place, message_thread
from conversations.advice_log import Viewer
from conversations.service import Conversations, Place
from conversations.systems import MAX_NAME, MarkState, SystemNameError, clean_name
from conversations.tracking import NoSuchSystem, SystemSummary, TrackedView

if TYPE_CHECKING:
    from bot.slack.listeners.commands import Invocation

DAY_S = 86400
SYSTEMS_LIMIT = 15
GONE = "That system's assessment isn't available here any more."
# `system=` with nothing after it is an empty name, not an unknown metric called system.
_SYSTEM_PAIR = re.compile(r"(?:^|\s)system=(\"[^\"]*\"|'[^']*'|\S*)", re.IGNORECASE)


def split_system(args: str) -> tuple[str | None, str, str | None]:
    """(`system=NAME` value, the other words, a problem) from `/scale diagnose` arguments.

    A name with spaces is quoted: `system="checkout api"`.
    """
    found = _SYSTEM_PAIR.search(args)
    if found is None:
        return None, args, None
    rest = (args[:found.start()] + " " + args[found.end():]).strip()
    raw = found.group(1).strip("\"'")
    try:
        return clean_name(raw), rest, None
    except SystemNameError as err:
        return None, rest, f"`system`: {err} (at most {MAX_NAME} characters, e.g. checkout-api)."


def run_systems(inv: Invocation) -> None:
    """`/scale systems`, answered in the ack (ephemeral): what this channel may see.

    Scoped to the channel like history: public systems of the team, plus this channel's
    own; another channel's private systems never, whoever asks.
    """
    conversations = inv.deps.conversations
    found: list[SystemSummary] = []
    named = inv.args.strip().strip("\"'") or None  # `/scale systems checkout-api`: that one
    if conversations is not None:
        viewer = Viewer(team=inv.command["team_id"], channel=inv.command["channel_id"])
        try:
            found = conversations.systems(viewer, limit=SYSTEMS_LIMIT, named=named)
        except SystemNameError as err:
            inv.fail(_sentence(err))
            return
    inv.ack(response_type="ephemeral", **systems_message(found, named=named).kwargs())


MARKS: dict[str, MarkState] = {"done": "done", "not-now": "not_now", "reopen": "open"}
_NAME_FIRST = re.compile(r"^\s*(\"[^\"]+\"|'[^']+'|\S+)\s*(.*)$", re.DOTALL)


def _sentence(err: Exception) -> str:
    """A lower-case reason ("no system called 'x' has been assessed here") as a sentence."""
    said = str(err)
    return f"{said[:1].upper()}{said[1:]}."


def run_mark(inv: Invocation) -> None:
    """`/scale done NAME RUNG`, `/scale not-now ...`, `/scale reopen ...`: what the ladder's
    buttons do, typed as in the terminal; answered in the ack, to the person only."""
    state = MARKS[inv.name]
    found = _NAME_FIRST.match(inv.args)
    name, rung = (found.group(1).strip("\"'"), found.group(2).strip()) if found else ("", "")
    if not rung:
        inv.fail(f"Say which system and which rung, e.g. `/scale {inv.name} checkout-api add "
                 "indexes` (quote a name with spaces).")
        return
    try:
        marked = inv.conv.mark_rung(name, rung, inv.place(), state)
    except (SystemNameError, NoSuchSystem, UnknownRung) as err:
        inv.fail(_sentence(err))
        return
    inv.ack(response_type="ephemeral",
            text=f"{marked.system.name}: {marked.rung.text} {marked.said()}")


def home_systems(conversations: Conversations | None, team: str, user: str
                 ) -> tuple[list[SystemSummary], list[SystemSummary]]:
    """App Home: (systems the person named, the team's), from public channels only."""
    if conversations is None:
        return [], []
    public = conversations.systems(Viewer(team=team), limit=50)
    mine = [s for s in public if s.created_by == user][:10]
    return mine, [s for s in public if s.created_by != user][:10]


def tracked_message(view: TrackedView):
    return tracked_assessment_message(
        view.assessment, view.advice_id, system=view.system.name, system_id=view.system.id,
        since=view.since, reminder=view.reminder)


class Systems:
    """The ladder's buttons on a tracked system (rung marks, reminders), with the Deps
    they share."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def register(self, app: Any) -> None:
        app.action(pattern(ActionId.RUNG_DONE))(self.handled("rung done", self.on_done))
        app.action(pattern(ActionId.RUNG_NOT_NOW))(self.handled("rung not now", self.on_not_now))
        app.action(pattern(ActionId.REMIND))(self.handled("reminder", self.on_remind))
        app.action(pattern(ActionId.REMIND_CANCEL))(self.handled("reminder cancel", self.on_cancel))

    def conv(self) -> Conversations:
        assert self.deps.conversations is not None
        return self.deps.conversations

    def place_of(self, body: dict[str, Any]) -> Place:
        place = action_place(body, message_thread(body))
        return place.model_copy(update={"private": self.deps.is_private(place.channel)})

    def tell(self, client: Any, place: Place, text: str) -> None:
        client.chat_postEphemeral(channel=place.channel, user=place.user,
                                  **error_message(text).kwargs())

    def redraw(self, client: Any, body: dict[str, Any], place: Place, advice_id: int) -> None:
        view = self.conv().tracked_advice(advice_id, place)
        if view is None:
            self.tell(client, place, GONE)
            return
        ts = (body.get("container") or {}).get("message_ts") or body["message"]["ts"]
        client.chat_update(channel=place.channel, ts=ts, **tracked_message(view).kwargs())

    def mark(self, body: dict[str, Any], client: Any, state: str) -> None:
        place = self.place_of(body)
        try:
            system_id, rung, advice_id = unpack(body["actions"][0].get("value") or "", 3)
        except ValueError:
            self.tell(client, place, GONE)
            return
        if not (system_id.isdigit() and advice_id.isdigit()) or self.conv().mark_rung_of(
                int(system_id), rung, place, state) is None:  # type: ignore[arg-type]
            self.tell(client, place, GONE)
            return
        self.redraw(client, body, place, int(advice_id))

    def on_done(self, body, client):
        self.mark(body, client, "done")

    def on_not_now(self, body, client):
        self.mark(body, client, "not_now")

    def on_remind(self, body, client):
        place = self.place_of(body)
        advice_id, days = unpack(body["actions"][0].get("value") or "|", 2)
        view = self.conv().tracked_advice(int(advice_id), place) if advice_id.isdigit() else None
        if view is None or not days.isdigit():
            self.tell(client, place, GONE)
            return
        post_at = int(self.deps.clock()) + int(days) * DAY_S
        held, new = self.conv().reserve_reminder(view.advice_id, place, post_at)
        if not new:  # a second click, or another person's: one reminder is enough
            client.chat_postEphemeral(channel=place.channel, user=place.user,
                                      **reminder_taken_message(held).kwargs())
            return
        row = self.conv().visible_advice(view.advice_id, place)
        message = reminder_message(view.system.name, view.assessment,
                                   row.created_at if row else self.deps.clock())
        try:
            sent = client.chat_scheduleMessage(channel=place.channel, post_at=post_at,
                                               thread_ts=place.thread, **message.kwargs())
            scheduled_id = str(sent["scheduled_message_id"])
        except Exception as err:
            self.conv().release_reminder(held.id)  # nothing was scheduled: free the slot
            if not isinstance(err, SlackApiError):
                raise
            self.tell(client, place, f"Slack would not schedule the reminder "
                                f"({err.response.get('error', 'error')}).")
            return
        self.conv().confirm_reminder(held.id, scheduled_id)
        self.redraw(client, body, place, view.advice_id)

    def on_cancel(self, body, client):
        place = self.place_of(body)
        advice_id, scheduled_id = unpack(body["actions"][0].get("value") or "|", 2)
        if not advice_id.isdigit() or self.conv().tracked_advice(int(advice_id), place) is None:
            self.tell(client, place, GONE)
            return
        try:
            client.chat_deleteScheduledMessage(channel=place.channel,
                                               scheduled_message_id=scheduled_id)
        except SlackApiError as err:
            if err.response.get("error") != "invalid_scheduled_message_id":  # already sent
                self.tell(client, place, "Slack would not cancel the reminder "
                                    f"({err.response.get('error', 'error')}).")
                return
        self.conv().cancel_reminder(int(advice_id), scheduled_id)
        self.redraw(client, body, place, int(advice_id))

    def handled(self, what: str, work: Any) -> Any:
        def listener(ack, body, client):
            guarded(what, lambda: work(body, client),
                    lambda: self.tell(client, self.place_of(body), COULD_NOT_FINISH))
            ack()

        return listener
