"""One presentation of an assessment for every front: what to show, with its figures
formatted once.

The terminal renders it as text (advisor/report.py) and Slack as mrkdwn (bot/slack/blocks/);
a front adds only its own markup, so a range, a threshold or a ladder mark cannot read one
way in the terminal and another in Slack.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from advisor.format import num, percent
from advisor.metrics import METRIC_SPECS, MetricName
from advisor.models import (
    Addition,
    Assessment,
    Finding,
    HealthQuery,
    Ladder,
    Sizing,
    StageCard,
    StageNumber,
    Threshold,
    Trigger,
    WhatIf,
)
from advisor.units import echo, value_text

RungState = Literal["done", "next", "not_now", "open"]
LADDER_DONE = "Every rung is done; look again at the bottleneck hunt."


@dataclass(frozen=True)
class Step:
    """A stage on the journey; `heading` marks where the numbers push toward."""

    number: int
    name: str
    here: bool
    heading: bool


@dataclass(frozen=True)
class StageView:
    number: int
    name: str
    users_low: str
    users_high: str | None  # None: no upper bound
    architecture: str
    monthly_cost: str
    journey: tuple[Step, ...]

    @property
    def heading(self) -> str:
        return f"Stage {self.number}: {self.name}"

    def users(self, dash: str = "-") -> str:
        """The stage's user range, "10,000-100,000" or "1,000,000+"; each front its dash."""
        if self.users_high is None:
            return f"{self.users_low}+"
        return f"{self.users_low}{dash}{self.users_high}"


@dataclass(frozen=True)
class FindingView:
    status: str
    label: str
    value: str  # "92%", "1,400 ms"
    warning: str  # "> 80%"
    target: str  # "< 70%"
    message: str


@dataclass(frozen=True)
class TriggerView:
    text: str
    evidence: str  # the value that fired it, when it fired
    threshold: str  # "database CPU > 70%", or "" when the trigger has none
    to_stage: int


@dataclass(frozen=True)
class RungView:
    label: str  # First try / Then try / Finally
    text: str
    state: RungState


@dataclass(frozen=True)
class LadderView:
    symptom: str  # the symptom id, e.g. database_slow
    topic: str  # the symptom in words
    rungs: tuple[RungView, ...]
    note: str  # said when every rung is done


@dataclass(frozen=True)
class SizingView:
    kind: str
    result: str
    unit: str
    formula: str
    worked: str

    @property
    def headline(self) -> str:
        return f"{self.kind}: {self.result} {self.unit}".strip()


@dataclass(frozen=True)
class BottleneckView:
    layer: str  # the layer id, e.g. external_api
    name: str  # the layer in words
    confidence: str  # "80%"
    evidence: tuple[str, ...]
    solutions: tuple[str, ...]


@dataclass(frozen=True)
class AssessmentView:
    stage: StageView
    stage_known: bool
    unplaced: str  # said instead of the journey when no user count was given
    pushed_toward: int | None
    summary: str
    triggers: tuple[TriggerView, ...]
    findings: tuple[FindingView, ...]
    bottleneck: BottleneckView | None
    ladder: LadderView | None
    additions: tuple[Addition, ...]
    sizing: tuple[SizingView, ...]
    not_yet: tuple[str, ...]
    watch: tuple[TriggerView, ...]
    hunt: tuple[str, ...]
    db_checks: tuple[str, ...]
    db_queries: tuple[HealthQuery, ...]
    missing: tuple[MetricName, ...]
    unweighed: tuple[str, ...]  # "cache hit 40% (the playbook draws no line for it, ...)"

    @property
    def outgrowing(self) -> tuple[TriggerView, ...]:
        """Fired triggers toward a later stage than this one."""
        return tuple(t for t in self.triggers if t.to_stage > self.stage.number)

    @property
    def earlier(self) -> tuple[TriggerView, ...]:
        """Fired triggers the guide ties to this stage or an earlier one."""
        return tuple(t for t in self.triggers if t.to_stage <= self.stage.number)


@dataclass(frozen=True)
class Figure:
    kind: str
    worked: str
    note: str


@dataclass(frozen=True)
class WhatIfView:
    factor: str  # "10"
    users: str | None  # "500,000"
    stage: str  # "Stage 3 Scale"
    stage_number: int
    same_stage: bool
    figures: tuple[Figure, ...]
    changes: tuple[str, ...]


def spoken(ident: object) -> str:
    """An id as words: external_api -> "external api"."""
    return str(ident).replace("_", " ")


def metric_label(name: MetricName) -> str:
    return METRIC_SPECS[name].label


def threshold_text(t: Threshold) -> str:
    """"> 80%": the comparison and the line, in the metric's unit."""
    return f"{t.op} {value_text(t.metric, t.threshold)}"


def stage_title(number: StageNumber | int, name: str | None = None) -> str:
    """"Stage 2 Growth", in the playbook's name for it when known."""
    return f"Stage {int(number)} {name or StageNumber(number).name.title()}"


def stage_view(card: StageCard, pushed_toward: StageNumber | None = None) -> StageView:
    names = dict(enumerate(card.journey, start=1)) or {int(card.number): card.name}
    steps = tuple(Step(number=n, name=name, here=n == card.number, heading=n == pushed_toward)
                  for n, name in names.items())
    return StageView(number=int(card.number), name=card.name, users_low=num(card.users_min),
                     users_high=None if card.users_max is None else num(card.users_max),
                     architecture=card.architecture, monthly_cost=card.monthly_cost,
                     journey=steps)


def finding_view(f: Finding) -> FindingView:
    return FindingView(status=f.status, label=f.label, value=value_text(f.metric, f.value),
                       warning=threshold_text(f.warning), target=threshold_text(f.target),
                       message=f.message)


def trigger_view(t: Trigger) -> TriggerView:
    threshold = ("" if t.threshold is None else
                 f"{metric_label(t.threshold.metric)} {threshold_text(t.threshold)}")
    return TriggerView(text=t.text, evidence=t.evidence, threshold=threshold,
                       to_stage=int(t.to_stage))


def ladder_view(ladder: Ladder) -> LadderView:
    """First try / then try / finally, each rung with its mark."""
    last = len(ladder.rungs) - 1
    rungs = []
    for i, rung in enumerate(ladder.rungs):
        label = "First try" if i == 0 else ("Finally" if i == last and last >= 2 else "Then try")
        state: RungState = ("done" if rung.done else "next" if i == ladder.next_index
                            else "not_now" if rung.deferred else "open")
        rungs.append(RungView(label=label, text=rung.text, state=state))
    note = LADDER_DONE if ladder.next_index is None else ""
    return LadderView(symptom=ladder.symptom.value, topic=spoken(ladder.symptom.value),
                      rungs=tuple(rungs), note=note)


def sizing_view(s: Sizing) -> SizingView:
    result = s.result if isinstance(s.result, str) else num(s.result)
    return SizingView(kind=s.kind, result=result, unit=s.unit, formula=s.formula,
                      worked=s.worked)


def unplaced_note(card: StageCard) -> str:
    return ("Stage: not placed, since no user count was given. Advice that depends on "
            f"the stage assumes Stage {int(card.number)} ({card.name}).")


def assessment_view(a: Assessment) -> AssessmentView:
    """Everything a front shows of an assessment, in the order fronts show it."""
    b = a.bottleneck
    bottleneck = None if b is None else BottleneckView(
        layer=b.layer.value, name=spoken(b.layer.value), confidence=percent(b.confidence),
        evidence=tuple(b.evidence), solutions=tuple(b.solutions))
    return AssessmentView(
        stage=stage_view(a.stage, a.pushed_toward), stage_known=a.stage_known,
        unplaced=unplaced_note(a.stage),
        pushed_toward=None if a.pushed_toward is None else int(a.pushed_toward),
        summary=a.summary, triggers=tuple(trigger_view(t) for t in a.triggers),
        findings=tuple(finding_view(f) for f in a.findings), bottleneck=bottleneck,
        ladder=ladder_view(a.ladder) if a.ladder and a.ladder.rungs else None,
        additions=tuple(a.additions), sizing=tuple(sizing_view(s) for s in a.sizing),
        not_yet=tuple(a.not_yet), watch=tuple(trigger_view(t) for t in a.watch),
        hunt=tuple(a.hunt), db_checks=tuple(a.db_checks), db_queries=tuple(a.db_queries),
        missing=tuple(a.missing),
        unweighed=tuple(f"{echo(u.metric, u.value)} ({u.why})" for u in a.unweighed))


STAGE_NEEDS_USERS = "stage needs a user count"


def what_if_view(w: WhatIf) -> WhatIfView:
    return WhatIfView(
        factor=num(w.factor), users=None if w.users is None else num(w.users),
        stage=(stage_title(w.stage.number, w.stage.name) if w.stage_known
               else STAGE_NEEDS_USERS), stage_number=int(w.stage.number),
        same_stage=w.stage_known and int(w.stage.number) == int(w.from_stage),
        figures=tuple(Figure(kind=p.kind, worked=p.worked, note=p.note) for p in w.numbers),
        changes=tuple(w.changes))
