"""Systems over time, as service operations: file an assessment under a named system,
compare it with the last one, keep the ladder's marks, list systems with their trends.

A mixin of `Conversations` (it uses its store, playbook and clock), kept in its own
module so the dialog service stays readable.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from pydantic import BaseModel, Field

from advisor.changes import Changes, Snapshot, compare, lower_is_better
from advisor.diagnosis import ladder
from advisor.engine import assess, with_ladder
from advisor.metrics import MetricName
from advisor.models import Assessment, Layer, Match, Observations, Symptom
from advisor.playbook import MatrixRung, Playbook
from advisor.rungs import find_rung
from conversations import systems as sysdb
from conversations.advice_log import AdviceRow, Viewer
from conversations.systems import MarkState, Reminder, RungMark, SystemRow

if TYPE_CHECKING:
    from conversations.service import Conversations, Place

BARS = "▁▂▃▄▅▆▇█"
CHOICES = 5  # systems offered as quick answers to "Which system is this about?"
MAX_LISTED = 10_000  # systems looked through for one by name


class Since(BaseModel):
    """The earlier assessment of the same system, and what changed since."""

    advice_id: int
    at: float
    age_s: float = 0.0  # how long before the new assessment it was made
    changes: Changes


class Tracked(BaseModel):
    """An assessment made for a named system, before it is logged."""

    assessment: Assessment
    system: SystemRow
    since: Since | None = None


class SystemSummary(BaseModel):
    id: int
    name: str
    channel: str
    private: bool
    created_by: str
    assessments: int
    last_advice_id: int | None
    last_assessed: float | None
    stage: int | None
    layer: str | None
    symptom: str | None
    next_rung: str | None
    open_rungs: list[str] = Field(default_factory=list)
    done_rungs: list[str] = Field(default_factory=list)
    not_now_rungs: list[str] = Field(default_factory=list)
    trends: dict[str, list[float]] = Field(default_factory=dict)


class TrackedView(BaseModel):
    """A logged system assessment as it stands now: ladder per today's marks, reminder."""

    advice_id: int
    assessment: Assessment
    system: SystemRow
    since: Since | None = None
    reminder: Reminder | None = None


_MARK_SAID: dict[str, str] = {
    "done": "is done; the next assessment climbs past it.",
    "not_now": "is put off for now; the next assessment passes over it to the rung after.",
    "open": "is open again; the next assessment counts it as not yet tried."}
_ALREADY: dict[str, str] = {"done": "was already done", "not_now": "was already put off for now",
                            "open": "was already open"}


class Marked(NamedTuple):
    """A rung just marked: the system, the rung, the state asked for, and the state it was
    in before (a rung never marked is "open"), so a front can say when nothing changed."""

    system: SystemRow
    rung: MatrixRung
    state: MarkState
    before: MarkState

    def said(self) -> str:
        """What the mark did, said so that "not now" reads as putting the rung off, and a
        mark that changed nothing says so; the same words in every front."""
        if self.state == self.before:
            return f"{_ALREADY[self.state]}; nothing changed."
        return _MARK_SAID[self.state]


class NoSuchSystem(LookupError):
    """No system of that name is visible here."""


def sparkline(values: list[float]) -> str:
    """Values as block characters, oldest to newest, lowest ▁ to highest █."""
    if not values:
        return ""
    lo, hi = min(values), max(values)
    if hi == lo:
        return BARS[3] * len(values)
    return "".join(BARS[round((v - lo) / (hi - lo) * (len(BARS) - 1))] for v in values)


def trend_metrics(pb: Playbook) -> list[MetricName]:
    """The metrics with a trend line: the size of the system, then each the playbook judges."""
    judged = [m for m in MetricName if lower_is_better(m, pb) is not None]
    return [MetricName.USERS, MetricName.PEAK_RPS, *judged]


def _state_of(marks: list[RungMark]) -> tuple[set[str], set[str]]:
    done = {m.rung for m in marks if m.state == "done"}
    deferred = {m.rung for m in marks if m.state == "not_now"}
    return done, deferred


class SystemsMixin:
    """System operations of the dialog service (see the module docstring)."""

    def _place_viewer(self: Conversations, place: Place) -> Viewer:
        return sysdb.place_viewer(place.team, place.channel)

    def _find(self: Conversations, name: str, place: Place) -> SystemRow | None:
        """The system of that name as this place sees it; a private place sees its own."""
        return sysdb.find_system(self.store, name, self._place_viewer(place),
                                 own_channel=place.private is not False)

    def _sees(self: Conversations, system: SystemRow, place: Place) -> bool:
        """Whether `place` may see and act on `system` (the same rule as `_find`)."""
        if system.team != place.team:
            return False
        if place.private is not False or system.private:
            return system.channel == place.channel
        return True

    def system_choices(self: Conversations, place: Place) -> list[str]:
        """Names of the systems already assessed here, most recent first (quick answers)."""
        rows = sysdb.visible_systems(self.store, self._place_viewer(place), limit=CHOICES,
                                     own_channel=True)
        return [r.name for r in rows]

    def track(self: Conversations, name: str, obs: Observations, place: Place,
              match: Match | None = None) -> Tracked:
        """Assess for system `name`: its recorded rungs first, then compare with last time.

        Creates the system in this place on first use (a row with no assessments yet).
        """
        system = self._find(name, place) or sysdb.ensure_system(
            self.store, name, team=place.team, channel=place.channel,
            private=place.private is not False, asked_by=place.user, now=self.clock())
        marks = sysdb.marks(self.store, [system.id])[system.id]
        done, deferred = _state_of(marks)
        obs = obs.model_copy(update={"done": obs.done | done,
                                     "deferred": obs.deferred | (deferred - obs.done)})
        assessment = assess(obs, self.playbook, match)
        last = sysdb.previous(self.store, system.id, self._place_viewer(place))
        since = None
        if last is not None:
            before = Snapshot(metrics=last.metrics, stage=last.stage,
                              layer=Layer(last.layer) if last.layer else None)
            texts = self._rung_texts()
            done_since = [texts.get(m.rung, m.rung) for m in marks
                          if m.state == "done" and m.at > last.at]
            since = Since(advice_id=last.advice_id, at=last.at, age_s=self.clock() - last.at,
                          changes=compare(before, Snapshot.of(assessment), self.playbook,
                                          done_since))
        return Tracked(assessment=assessment, system=system, since=since)

    def _rung_texts(self: Conversations) -> dict[str, str]:
        return {r.id: r.text for row in self.playbook.decision_matrix for r in row.rungs}

    def mark_rung(self: Conversations, name: str, rung_text: str, place: Place,
                  state: MarkState) -> Marked:
        """Mark a rung of system `name` done, not now, or open again (fuzzy rung name)."""
        system = self._find(name, place)
        if system is None:
            raise NoSuchSystem(f"no system called '{name.strip()}' has been assessed here")
        last = sysdb.previous(self.store, system.id, self._place_viewer(place))
        prefer = Symptom(last.symptom) if last and last.symptom else None
        rung = find_rung(rung_text, self.playbook, prefer)
        before = next((m.state for m in sysdb.marks(self.store, [system.id])[system.id]
                       if m.rung == rung.id), "open")
        sysdb.set_mark(self.store, system.id, rung.id, state, by=place.user, now=self.clock())
        return Marked(system, rung, state, before)

    def mark_rung_of(self: Conversations, system_id: int, rung_id: str, place: Place,
                     state: MarkState) -> SystemRow | None:
        """A button's mark: by system id and exact rung id; None when not visible here."""
        system = sysdb.get_system(self.store, system_id)
        if system is None or rung_id not in self._rung_texts() or not self._sees(system, place):
            return None
        sysdb.set_mark(self.store, system.id, rung_id, state, by=place.user, now=self.clock())
        return system

    def systems(self: Conversations, viewer: Viewer, *, limit: int = 50,
                own_channel: bool = False, named: str | None = None) -> list[SystemSummary]:
        """Systems `viewer` may see, most recently assessed first, with rungs and trends;
        only the one called `named` (any case) when given (SystemNameError if no name)."""
        if named is not None:
            key = sysdb.name_key(named)
            rows = [r for r in sysdb.visible_systems(self.store, viewer, limit=MAX_LISTED,
                                                     own_channel=own_channel)
                    if sysdb.name_key(r.name) == key][:limit]
        else:
            rows = sysdb.visible_systems(self.store, viewer, limit=limit,
                                         own_channel=own_channel)
        all_marks = sysdb.marks(self.store, [r.id for r in rows])
        texts = self._rung_texts()
        metrics = [m.value for m in trend_metrics(self.playbook)]
        out = []
        for row in rows:
            points = sysdb.points_of(row)  # newest first
            last = points[0] if points else None
            done, deferred = _state_of(all_marks[row.id])
            symptom = Symptom(last.symptom) if last and last.symptom else None
            steps = ladder(symptom, done, self.playbook, deferred) if symptom else None
            trends = {m: [p.metrics[m] for p in reversed(points) if m in p.metrics]
                      for m in metrics}
            out.append(SystemSummary(
                id=row.id, name=row.name, channel=row.channel, private=row.private,
                created_by=row.asked_by,
                assessments=row.assessments, last_advice_id=last.advice_id if last else None,
                last_assessed=last.at if last else None,
                stage=last.stage if last else None, layer=last.layer if last else None,
                symptom=symptom.value if symptom else None,
                next_rung=(steps.rungs[steps.next_index].text
                           if steps and steps.next_index is not None else None),
                # each rung in one list: a rung put off is not also open
                open_rungs=([r.text for r in steps.rungs if not (r.done or r.deferred)]
                            if steps else []),
                done_rungs=[texts.get(m.rung, m.rung) for m in all_marks[row.id]
                            if m.state == "done"],
                not_now_rungs=[texts.get(m.rung, m.rung) for m in all_marks[row.id]
                               if m.state == "not_now"],
                trends={k: v for k, v in trends.items() if v},
            ))
        return out

    def tracked_advice(self: Conversations, advice_id: int, place: Place) -> TrackedView | None:
        """A system assessment visible at `place`, its ladder redrawn from the marks now."""
        row = self.visible_advice(advice_id, place)
        if row is None or row.system_id is None or not isinstance(row.result, dict):
            return None
        system = sysdb.get_system(self.store, row.system_id)
        if system is None:
            return None
        assessment = Assessment.model_validate(row.result)
        if assessment.ladder is not None:
            done, deferred = _state_of(sysdb.marks(self.store, [system.id])[system.id])
            assessment = with_ladder(assessment, ladder(
                assessment.ladder.symptom, done | assessment.inputs.done, self.playbook,
                deferred))
        since = row.result.get("since")
        reminder = sysdb.active_reminder(self.store, advice_id, now=self.clock())
        if reminder is not None and not reminder.scheduled_id:
            reminder = None  # still being scheduled: there is nothing yet to cancel
        return TrackedView(advice_id=advice_id, assessment=assessment, system=system,
                           since=Since.model_validate(since) if since else None,
                           reminder=reminder)

    def reserve_reminder(self: Conversations, advice_id: int, place: Place, post_at: float
                         ) -> tuple[Reminder, bool]:
        """The assessment's one re-check reminder: the one already set (False), or a new
        one held for `place`'s person (True), to schedule and then confirm or release."""
        return sysdb.reserve_reminder(self.store, advice_id, channel=place.channel,
                                      post_at=post_at, by=place.user, now=self.clock())

    def confirm_reminder(self: Conversations, reminder_id: int, scheduled_id: str) -> None:
        sysdb.confirm_reminder(self.store, reminder_id, scheduled_id)

    def release_reminder(self: Conversations, reminder_id: int) -> None:
        sysdb.release_reminder(self.store, reminder_id)

    def cancel_reminder(self: Conversations, advice_id: int, scheduled_id: str) -> bool:
        return sysdb.cancel_reminder(self.store, advice_id, scheduled_id, now=self.clock())

    def system_history(self: Conversations, name: str, viewer: Viewer, limit: int = 20
                       ) -> list[AdviceRow]:
        return sysdb.system_history(self.store, name, viewer, max(1, min(limit, 1000)))

