"""The one entry point front ends use: dialogs, one-shot advice, feedback and history.

Front ends hand in text and an opaque `Place`; they get back `Outcome`s holding plain
`Outbound` messages. For chat front ends every outbound message is written to the
outbox in the same transaction as the state it follows from and, when the front end
gives one, the request's idempotency key (`request_key`): a crash can delay a reply but
never lose it, and a replayed request never acts twice (it gets `duplicate`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError

from advisor.ask import answer_as, candidates, is_clear
from advisor.ask import ask as advisor_ask
from advisor.engine import assess, what_ifs
from advisor.models import AskResult, Assessment, Match, Observations, WhatIf
from advisor.playbook import Playbook, default_playbook
from advisor.units import valid_text
from conversations.advice_log import AdviceEntry, AdviceRow, Viewer, search_columns
from conversations.dialog import (
    DialogState,
    Reply,
    StepResult,
    effective_match,
    fill_all,
    finish,
    observations,
    read_form,
    start,
    step,
    system_answer,
)
from conversations.script import Choice, Script, script_for
from conversations.store import (
    DialogRow,
    LogRows,
    OutgoingMessage,
    StaleDialog,
    Store,
    log_rows,
)
from conversations.systems import get_system
from conversations.tracking import Since, SystemsMixin, Tracked

HISTORY_MAX = 1000  # rows one history request may return (CLI --limit, /scale history)

# "opening": the message that opens a dialog's thread (its text: who started it); the
# front posts it first and moves the dialog to the thread it opened.
OutboundKind = Literal["dialog", "assessment", "ask", "what_if", "notice", "help", "opening",
                       "expired"]


class Place(BaseModel):
    """Where a request came from, opaque to this layer (for Slack: team/channel/thread)."""

    team: str
    channel: str
    user: str
    thread: str | None = None
    private: bool | None = None  # None: not known here; treated as private when logging


class Outbound(BaseModel):
    """A message for a front end to render: plain data, never markup."""

    kind: OutboundKind
    reply: Reply | None = None
    assessment: Assessment | None = None
    ask: AskResult | None = None
    what_ifs: list[WhatIf] = Field(default_factory=list)
    text: str = ""
    notes: list[str] = Field(default_factory=list)
    candidates: list[Choice] = Field(default_factory=list)
    clear: bool = True
    system: str | None = None  # the named system an assessment was filed under
    system_id: int | None = None
    since: Since | None = None  # its previous assessment, and what changed since


class Outcome(BaseModel):
    messages: list[Outbound] = Field(default_factory=list)
    advice_id: int | None = None
    outbox_ids: list[int] = Field(default_factory=list)
    finished: bool = False
    duplicate: bool = False
    # An answer meant for a question that is no longer the open one changes nothing:
    # `moved_on` says so, and `open_question` is the key of the question open now.
    moved_on: bool = False
    open_question: str | None = None


MAX_STEP_TRIES = 5


class _Prepared(BaseModel):
    state: dict[str, Any]
    finished: bool
    messages: list[Outbound]
    advice: AdviceEntry | None
    outbox: list[OutgoingMessage]

    def rows(self) -> LogRows:
        return log_rows(self.advice, self.outbox)


EXPIRED = ("This diagnosis sat idle too long and has expired; nothing from the old one was "
           "assessed.")  # each front adds how to start a fresh one


UNUSABLE = ("Your unfinished diagnosis was saved in a form that cannot be read any more, so "
            "it cannot be resumed.")  # each front adds how a fresh one starts


class UnusableDialog(ValueError):
    """A saved dialog whose state no longer reads as a dialog (an older or damaged row):
    the front tells its person and offers a fresh start instead of failing each time."""


def saved_state(state: dict[str, Any]) -> DialogState:
    """A stored dialog state as a DialogState. Text saved before input was made valid
    (undecodable bytes kept as lone surrogates) is repaired, since the advice log could
    not store it; UnusableDialog when the state does not validate."""
    try:
        return DialogState.model_validate(_valid_strings(state))
    except ValidationError as err:
        raise UnusableDialog(f"the saved dialog cannot be read ({err.error_count()} "
                             "problem(s))") from err


def _valid_strings(value: Any) -> Any:
    """`value` (parsed JSON) with `valid_text` applied to every string in it."""
    if isinstance(value, str):
        return valid_text(value)
    if isinstance(value, dict):
        return {_valid_strings(k): _valid_strings(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_valid_strings(v) for v in value]
    return value


def warm_up_advisor(playbook: Playbook | None = None) -> None:
    """Load what the matcher reads lazily (vocabulary, signature catalogue, learned
    arrays: about 0.4 s) now, so a serving process's first free-text request does not
    wait for it and the data is in memory before the process freezes its long-lived
    objects. The data is packaged and read-only: a parent may load it before it forks."""
    advisor_ask("db cpu 92% and checkout times out", playbook)


class Conversations(SystemsMixin):
    """Dialog and advice operations over one Store; safe to share between threads."""

    def __init__(
        self,
        store: Store,
        playbook: Playbook | None = None,
        *,
        script: Script | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.playbook = playbook or default_playbook()
        self.script = script or script_for(self.playbook)
        self.clock = clock

    @classmethod
    def open(cls, path: str | Path, playbook: Playbook, *, dialog_ttl_s: float) -> Conversations:
        """The service over the SQLite file at `path`, for a front that needs nothing
        else of the database (DatabaseProblem, nothing written, when it is unusable)."""
        return cls(Store(path, dialog_ttl_s=dialog_ttl_s), playbook)

    def close(self) -> None:
        """Release the database (a one-command front closes it when done)."""
        self.store.close()

    def warm_up(self) -> None:
        """Load what the matcher reads lazily now (see `warm_up_advisor`)."""
        warm_up_advisor(self.playbook)

    # -- dialogs ------------------------------------------------------------------

    def begin(self, key: str, place: Place, *, deliver: bool = True,
              request_key: str | None = None, opening: bool = False) -> Outcome:
        """Open a dialog under `key` (replacing any old one) and ask the first question.

        With `opening`, an "opening" message goes out first: a front whose threads exist
        only once a message is posted begins under a provisional key and moves the
        dialog to its thread when that message is delivered."""
        first_step = start(self.script, systems=self.system_choices(place))
        prepared = self._prepare(key, place, first_step, deliver=deliver)
        if opening and deliver:
            first = Outbound(kind="opening", text=place.user)
            prepared.messages.insert(0, first)
            prepared.outbox[:0] = self._outbox(key, place, [first])
        rows = prepared.rows()
        return self._once(request_key,
                          lambda: self._commit(key, place, prepared, rows, version=None))

    def _once(self, request_key: str | None, work: Callable[[], Outcome]) -> Outcome:
        """Run `work` in one transaction with the claim of `request_key`; a key claimed
        before means a replayed request: nothing is done and the outcome says so."""
        with self.store.transaction():
            if request_key is not None and not self.store.claim_event(
                    request_key, now=self.clock()):
                return Outcome(duplicate=True)
            return work()

    def notice(self, place: Place, text: str, *, key: str | None = None,
               ephemeral_to: str | None = None, request_key: str | None = None,
               kind: Literal["notice", "help"] = "notice") -> Outcome:
        """Queue one short line (or the front's help) for `place`, in its thread; only
        `ephemeral_to`, when given, sees it."""
        message = Outbound(kind=kind, text=text)

        def work() -> Outcome:
            outbox = self._outbox(key, place, [message], ephemeral_to=ephemeral_to)
            return Outcome(messages=[message], finished=True,
                           outbox_ids=self.store.enqueue(outbox, now=self.clock()))

        return self._once(request_key, work)

    def current(self, key: str) -> tuple[DialogState, bool] | None:
        """The open dialog under `key` and whether it has expired; None if there is none
        (UnusableDialog if its saved state cannot be read)."""
        row = self.store.load_dialog(key, now=self.clock())
        if row is None or row.finished:
            return None
        return saved_state(row.state), row.expired

    def open_dialog_for(self, user: str, prefix: str) -> DialogRow | None:
        """`user`'s most recent unfinished dialog among the keys starting with `prefix`
        (expired ones included: the caller decides what an expired one means)."""
        return self.store.latest_open_dialog_for(user, now=self.clock(), prefix=prefix)

    def discard_dialog(self, key: str) -> bool:
        """Forget the dialog under `key` (its person chose to start afresh)."""
        return self.store.delete_dialog(key)

    def discard_unusable(self, key: str, place: Place, text: str, *,
                         ephemeral_to: str | None = None,
                         request_key: str | None = None) -> Outcome:
        """Forget the dialog under `key`, whose saved state cannot be read (UnusableDialog),
        and queue `text` (UNUSABLE in the front's words) in the same transaction: its person
        is told once, where each later message would fail until the dialog expired."""
        with self.store.transaction():
            self.store.delete_dialog(key)
            return self.notice(place, text, ephemeral_to=ephemeral_to, request_key=request_key)

    def reply(
        self, key: str, text: str, place: Place, *, request_key: str | None = None,
        deliver: bool = True, question: str | None = None,
    ) -> Outcome | None:
        """Feed one answer to the dialog under `key`; None when no dialog lives there.

        `question`, when given, is the question the answer was meant for (a button under
        an earlier message): if another is open now, nothing changes and the outcome
        says `moved_on`, checked against the same state the step would be computed from.

        With `request_key`, the request is claimed in the same transaction, so a retried
        delivery of the same event changes nothing and says `duplicate`. The step itself
        is computed outside the write lock and committed only if the dialog did not move
        meanwhile (else it is recomputed), so other writers never wait on the engine.
        """
        text = valid_text(text)  # a chat front may hand in lone surrogates too (JSON "\\udcff")
        for _ in range(MAX_STEP_TRIES):
            row = self.store.load_dialog(key, now=self.clock())
            if row is None or row.finished:
                return None
            if place.private is None:
                place = place.model_copy(update={"private": row.private})
            if row.expired:
                return self._once(request_key,
                                  lambda p=place: self._expire(key, p, deliver=deliver))
            state = saved_state(row.state)
            if question is not None and question != state.current:
                return Outcome(moved_on=True, open_question=state.current)
            prepared = self._prepare(key, place, step(state, text, self.script, self.playbook),
                                     deliver=deliver)
            rows = prepared.rows()
            try:
                return self._once(request_key, lambda p=place, v=row.version, r=prepared,
                                  w=rows: self._commit(key, p, r, w, version=v))
            except StaleDialog:
                continue  # someone answered in between: step again from their state
        raise StaleDialog(f"dialog {key} kept changing; gave up after {MAX_STEP_TRIES} tries")

    def form_errors(self, answers: dict[str, str]) -> dict[str, str]:
        """Why each of a form's answers (question key -> text) cannot be read; {} if all can."""
        return fill_all(DialogState(), answers, self.script)[1]

    def complete_with(
        self, key: str, answers: dict[str, str], place: Place, *, deliver: bool = True,
        request_key: str | None = None,
    ) -> Outcome | None:
        """Finish the dialog under `key` from a form that showed every question.

        The form's answers replace the dialog's (it was prefilled with them; a cleared
        field is a withdrawn answer); answers that cannot be read are left out, so check
        them with `form_errors` first. None, changing nothing, when no open and unexpired
        dialog lives under `key`. A private dialog stays private whatever `place` says.
        """
        for _ in range(MAX_STEP_TRIES):
            row = self.store.load_dialog(key, now=self.clock())
            if row is None or row.finished or row.expired:
                return None
            state, _errors, notes = read_form(DialogState(), answers, self.script)
            place = place.model_copy(update={"private": bool(place.private) or row.private})
            prepared = self._prepare(key, place, finish(state, self.script, self.playbook,
                                                        notes=notes), deliver=deliver)
            rows = prepared.rows()
            try:  # computed outside the write lock; committed only if nothing moved
                return self._once(request_key, lambda p=place, v=row.version, r=prepared,
                                  w=rows: self._commit(key, p, r, w, version=v))
            except StaleDialog:
                continue
        raise StaleDialog(f"dialog {key} kept changing; gave up after {MAX_STEP_TRIES} tries")

    def _expire(self, key: str, place: Place, *, deliver: bool) -> Outcome:
        notice = Outbound(kind="expired", text=EXPIRED)
        saved = self.store.accept_step(
            key, DialogState(status="cancelled").model_dump(mode="json"), now=self.clock(),
            rows=self._rows(None, [notice], key, place, deliver), finished=True,
        )
        return Outcome(messages=[notice], outbox_ids=saved.outbox_ids, finished=True)

    def _prepare(self, key: str, place: Place, result: StepResult, *, deliver: bool
                 ) -> _Prepared:
        """Everything a step writes, built before any lock is taken."""
        messages = _fold(result.replies)
        advice = None
        if result.assessment is not None:
            name = system_answer(result.state)
            if name:
                tracked = self.track(name, observations(result.state, self.script), place,
                                     effective_match(result.state, self.script))
                messages = [_tracked_message(m, tracked) for m in messages]
                advice = _with_since(self._entry(tracked.assessment, place, key,
                                                 kind="diagnose", system_id=tracked.system.id),
                                     tracked)
            else:
                advice = self._entry(result.assessment, place, key, kind="diagnose")
        return _Prepared(
            state=result.state.model_dump(mode="json"), finished=result.finished,
            messages=messages, advice=advice,
            outbox=self._outbox(key, place, messages) if deliver else [],
        )

    def _commit(self, key: str, place: Place, p: _Prepared, rows: LogRows, *,
                version: int | None) -> Outcome:
        saved = self.store.accept_step(
            key, p.state, now=self.clock(), rows=rows, finished=p.finished,
            expected_version=version,
            owner=None if version else place.user, team=place.team, channel=place.channel,
            private=place.private,
        )
        return Outcome(messages=p.messages, advice_id=saved.advice_id,
                       outbox_ids=saved.outbox_ids, finished=p.finished)

    # -- one-shot advice ----------------------------------------------------------

    def diagnose(
        self, obs: Observations, place: Place, *, match: Match | None = None,
        key: str | None = None, deliver: bool = True, system: str | None = None,
        request_key: str | None = None, notes: list[str] | None = None,
    ) -> Outcome:
        """Assess at once from what is already known (flags, `key=value` text).

        With `system`, the assessment is filed under that named system: it starts from the
        system's recorded rungs and says what changed since its last assessment. `notes`
        (how the front read the numbers it was given) lead the answer.
        """
        lead = list(notes or [])
        if system:
            def tracked_work() -> Outcome:
                tracked = self.track(system, obs, place, match)
                message = _tracked_message(Outbound(kind="assessment", notes=lead), tracked)
                entry = _with_since(self._entry(tracked.assessment, place, key,
                                                kind="diagnose", system_id=tracked.system.id),
                                    tracked)
                return self._log(entry, [message], key, place, deliver)

            return self._once(request_key, tracked_work)
        assessment = assess(obs, self.playbook, match=match)
        message = Outbound(kind="assessment", assessment=assessment, notes=lead)
        rows = self._rows(self._entry(assessment, place, key, kind="diagnose"), [message],
                          key, place, deliver)
        return self._once(request_key, lambda: self._logged(rows, [message]))

    def record(self, assessment: Assessment, place: Place) -> int:
        """Log an assessment a front computed itself and shows whether or not the log is
        writable (the terminal's one-shot diagnosis); its advice id."""
        return self.store.log_advice(self._entry(assessment, place, None, kind="diagnose"))

    def ask(
        self, text: str, place: Place, *, key: str | None = None, deliver: bool = True,
        request_key: str | None = None,
    ) -> Outcome:
        """Answer a free-text question or symptom; clear scaling matters are logged.

        An unclear text gets candidate symptoms/topics to pick from instead of a guess.
        With `request_key`, a retried delivery of the same event is answered only once.
        """
        result = advisor_ask(text, self.playbook)  # outside the write lock
        rows, messages = self._answer(text, result, place, key, deliver)
        return self._once(request_key, lambda: self._logged(rows, messages))

    def has_dialog(self, key: str) -> bool:
        """Whether `key` is (or was) a dialog thread, finished or not."""
        return self.store.load_dialog(key, now=self.clock()) is not None

    def ask_as(
        self, name: str, text: str, place: Place, *, key: str | None = None,
        deliver: bool = True, request_key: str | None = None,
    ) -> Outcome:
        """Answer `text` as the symptom or topic a person picked from the candidates."""
        result = answer_as(name, text, self.playbook)
        rows, messages = self._answer(text, result, place, key, deliver)
        return self._once(request_key, lambda: self._logged(rows, messages))

    def _answer(
        self, text: str, result: AskResult, place: Place, key: str | None, deliver: bool
    ) -> tuple[LogRows, list[Outbound]]:
        """The rows an answer logs and the messages it sends, before any lock."""
        clear = is_clear(result)
        message = Outbound(kind="ask", ask=result, text=text, clear=clear,
                           candidates=[] if clear else self._choices(candidates(result)))
        if not clear:
            return self._rows(None, [message], key, place, deliver), [message]
        entry = AdviceEntry(
            created_at=self.clock(), team=place.team, channel=place.channel,
            conversation_key=key, thread_ts=place.thread, private=place.private is not False,
            asked_by=place.user, kind="ask", inputs={"text": text},
            result=result.model_dump(mode="json"),
            layer=result.layer.value if result.layer else None,
            symptom=result.symptom.value if result.symptom else None,
            topic=result.topic.value if result.topic else None,
            summary=self._ask_summary(text, result), **_ask_columns(text, result),
        )
        return self._rows(entry, [message], key, place, deliver), [message]

    def _ask_summary(self, text: str, result: AskResult) -> str:
        """How a logged answer is listed in history: what was asked and what it named
        (the answer's first line is the same stage preface for most questions)."""
        if result.layer is not None:
            named = f"bottleneck: {result.layer.value}"
            if result.symptom is not None:
                named += f" ({self.playbook.label(result.symptom.value)})"
        else:
            named = self.playbook.label(result.topic.value) if result.topic else "answered"
        asked = " ".join(text.split())
        asked = asked if len(asked) <= 200 else asked[:199] + "…"
        return f"{asked} → {named}"

    def _choices(self, names: list[str]) -> list[Choice]:
        return [Choice(label=self.playbook.label(n), value=n) for n in names]

    def what_if(
        self, advice_id: int, place: Place, *, key: str | None = None, deliver: bool = True,
        factors: tuple[float, ...] | None = None, request_key: str | None = None,
    ) -> Outcome | None:
        """Re-run a logged assessment at 10x/100x/1000x (only those of `factors`, if given);
        None if the viewer may not see it, or `factors` names none of the three: an empty
        what-if is nothing to post."""
        row = self.visible_advice(advice_id, place)
        if row is None or row.result is None or row.kind != "diagnose":
            return None
        assessment = Assessment.model_validate(row.result)
        results = what_ifs(assessment.inputs, self.playbook)
        if factors:
            results = [w for w in results if w.factor in factors]
        if not results:
            return None
        message = Outbound(kind="what_if", what_ifs=results)
        rows = self._rows(None, [message], key, place, deliver)
        return self._once(request_key, lambda: self._logged(rows, [message]))

    def _entry(
        self, assessment: Assessment, place: Place, key: str | None, *, kind: str,
        system_id: int | None = None,
    ) -> AdviceEntry:
        return AdviceEntry.from_assessment(
            assessment, kind=kind, created_at=self.clock(), team=place.team,
            channel=place.channel, conversation_key=key, thread_ts=place.thread,
            private=place.private is not False, asked_by=place.user, system_id=system_id,
        )

    def _log(
        self, entry: AdviceEntry | None, messages: list[Outbound], key: str | None,
        place: Place, deliver: bool,
    ) -> Outcome:
        return self._logged(self._rows(entry, messages, key, place, deliver), messages)

    def _rows(
        self, entry: AdviceEntry | None, messages: list[Outbound], key: str | None,
        place: Place, deliver: bool,
    ) -> LogRows:
        """What `_logged` writes, serialised: built before the write lock is taken."""
        return log_rows(entry, self._outbox(key, place, messages) if deliver else [])

    def _logged(self, rows: LogRows, messages: list[Outbound]) -> Outcome:
        """Log the advice and queue its replies (linked to it) in one transaction."""
        advice_id, ids = self.store.log(rows, now=self.clock())
        return Outcome(messages=messages, advice_id=advice_id, outbox_ids=ids, finished=True)

    @staticmethod
    def _outbox(
        key: str | None, place: Place, messages: list[Outbound], advice_id: int | None = None,
        *, ephemeral_to: str | None = None,
    ) -> list[OutgoingMessage]:
        return [
            OutgoingMessage(channel=place.channel, thread_ts=place.thread, key=key,
                            advice_id=advice_id, payload=m.model_dump(mode="json"),
                            ephemeral_to=ephemeral_to)
            for m in messages
        ]

    # -- the log ------------------------------------------------------------------

    def visible_advice(self, advice_id: int, place: Place) -> AdviceRow | None:
        """A logged piece of advice, if it may be shown at `place` (privacy rule)."""
        return self.store.get_advice(advice_id, viewer=_viewer(place))

    def feedback(self, advice_id: int, place: Place, helpful: bool, *,
                 thanks: str | None = None, request_key: str | None = None) -> bool:
        """Record a vote (and queue `thanks` to the voter with it); False when the advice
        is unknown or not visible here."""
        if self.visible_advice(advice_id, place) is None:
            return False

        def work() -> Outcome:
            self.store.record_feedback(advice_id, place.user, helpful, now=self.clock())
            if thanks:
                return self.notice(place, thanks, ephemeral_to=place.user)
            return Outcome()

        self._once(request_key, work)
        return True

    def history(self, query: str | None, viewer: Viewer, limit: int = 20, *,
                brief: bool = False) -> list[AdviceRow]:
        """`brief`: each row's result holds only its stage name (see Store.search_advice)."""
        return self.store.search_advice(query, viewer=viewer,
                                        limit=max(1, min(limit, HISTORY_MAX)), brief=brief)

    def home_rows(self, team: str, user: str, *, limit: int = 10, scan: int = 50
                  ) -> tuple[list[AdviceRow], list[AdviceRow]]:
        """(`user`'s own recent diagnoses, private places included: only they see their
        Home; the team's recent diagnoses as `user` may see them from no channel), each
        at most `limit`, found among the `scan` newest rows."""
        mine = self.store.recent_for_user(team, user, limit=scan)
        seen = self.store.search_advice(None, viewer=Viewer(team=team, user=user), limit=scan)
        return _diagnoses(mine, limit), _diagnoses(seen, limit)

    def system_names(self, system_ids: set[int]) -> dict[int, str]:
        """The names of these systems ("" for one that is gone)."""
        return {i: getattr(get_system(self.store, i), "name", "") for i in system_ids}


def _viewer(place: Place) -> Viewer:
    """Who is looking from `place`: its team, its channel and its person."""
    return Viewer(team=place.team, channel=place.channel, user=place.user)


def _with_since(entry: AdviceEntry, tracked: Tracked) -> AdviceEntry:
    """Keep "what changed since" with the logged result, so a message redrawn later has it."""
    if tracked.since is not None and entry.result is not None:
        entry.result["since"] = tracked.since.model_dump(mode="json")
    return entry


def _tracked_message(message: Outbound, tracked: Tracked) -> Outbound:
    """An assessment message re-made for a named system (others pass unchanged)."""
    if message.kind != "assessment":
        return message
    reply = None
    if message.reply is not None:
        reply = message.reply.model_copy(update={"assessment": tracked.assessment})
    return message.model_copy(update={
        "assessment": tracked.assessment, "reply": reply, "system": tracked.system.name,
        "system_id": tracked.system.id, "since": tracked.since})


def _diagnoses(rows: list[AdviceRow], limit: int) -> list[AdviceRow]:
    return [r for r in rows if r.kind == "diagnose"][:limit]


_LEADING = {"note", "help", "restarted"}


def _fold(replies: list[Reply]) -> list[Outbound]:
    """One message per question: notes and help ride along with what follows them.

    Slack takes about one message a second per channel, and a thread reads better
    when each message is one step of the dialog.
    """
    messages: list[Outbound] = []
    notes: list[str] = []
    for reply in replies:
        if reply.kind in _LEADING:
            notes.append(reply.text)
            continue
        kind = "assessment" if reply.assessment is not None else "dialog"
        messages.append(Outbound(kind=kind, reply=reply, assessment=reply.assessment,
                                 notes=notes))
        notes = []
    if notes:
        messages.append(Outbound(kind="notice", text="\n".join(notes)))
    return messages


def _ask_columns(text: str, result: AskResult) -> dict[str, str]:
    """What an answer is found by in history: a symptom's assessment as a diagnosis is
    (without the stage's standing advice), with the recognised message's meaning; a
    question's answer whole (it is about that topic only)."""
    if result.assessment is None:
        return {"symptoms": text, "recommendations": result.answer}
    columns = search_columns(result.assessment)
    if result.signature is not None:
        meaning = f"{result.signature.name}: {result.signature.meaning}"
        columns["findings"] = "\n".join(filter(None, [meaning, columns["findings"]]))
    return columns
