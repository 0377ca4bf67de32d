"""The one view of an assessment both fronts render: figures formatted once, marks decided once."""

from __future__ import annotations

from advisor.engine import assess
from advisor.metrics import METRIC_SPECS
from advisor.metrics import MetricName as M
from advisor.models import Ladder, Observations, Rung, Symptom, Threshold, Trigger
from advisor.playbook import default_playbook
from advisor.report import assessment_text
from advisor.view import (
    LADDER_DONE,
    RungView,
    Step,
    TriggerView,
    assessment_view,
    ladder_view,
    trigger_view,
)
from bot.slack.blocks.assessment import assessment_message


def test_stage_range_journey_and_findings_are_formatted_once() -> None:
    v = assessment_view(assess(Observations(metrics={M.USERS: 40_000, M.P95_MS: 1400}),
                               default_playbook()))
    assert (v.stage.number, v.stage.users_low, v.stage.users_high) == (2, "10,000", "100,000")
    assert [(s.number, s.here) for s in v.stage.journey] == [(1, False), (2, True), (3, False),
                                                             (4, False)]
    p95 = next(f for f in v.findings if f.label.startswith("Response time"))
    assert (p95.value, p95.warning, p95.status) == ("1,400 ms", "> 1,000 ms", "warning")


def test_ladder_marks_every_state_and_says_when_all_are_done() -> None:
    ladder = Ladder(symptom=Symptom.DATABASE_SLOW, next_index=2, rungs=[
        Rung(id="a", text="Add indexes", done=True), Rung(id="b", text="Replicas", deferred=True),
        Rung(id="c", text="Cache"), Rung(id="d", text="Shard")])
    v = ladder_view(ladder)
    assert v.rungs == (RungView("First try", "Add indexes", "done"),
                       RungView("Then try", "Replicas", "not_now"),
                       RungView("Then try", "Cache", "next"),
                       RungView("Finally", "Shard", "open"))
    assert (v.topic, v.note) == ("database slow", "")
    assert ladder_view(ladder.model_copy(update={"next_index": None})).note == LADDER_DONE


def test_trigger_cites_its_threshold_in_the_metric_unit() -> None:
    t = Trigger(id="p95", to_stage=3, text="Pages get slow", fired=False,
                threshold=Threshold(metric=M.P95_MS, op=">", threshold=1000))
    label = METRIC_SPECS[M.P95_MS].label
    assert trigger_view(t) == TriggerView(text="Pages get slow", evidence="",
                                          threshold=f"{label} > 1,000 ms", to_stage=3)


def test_both_fronts_say_the_same_confidence_and_ladder_note() -> None:
    a = assess(Observations(metrics={M.USERS: 40_000, M.DB_CPU_PCT: 92}), default_playbook())
    ladder = a.ladder.model_copy(update={"next_index": None})
    a = a.model_copy(update={"ladder": ladder})
    v = assessment_view(a)
    slack = str(assessment_message(a, 1).blocks)
    text = assessment_text(a)
    assert v.bottleneck is not None
    for said in (f"confidence {v.bottleneck.confidence}", LADDER_DONE):
        assert said in text and said in slack


def test_unplaced_stage_is_said_instead_of_the_journey() -> None:
    v = assessment_view(assess(Observations(metrics={M.DB_CPU_PCT: 92}), default_playbook()))
    assert not v.stage_known
    assert v.unplaced == ("Stage: not placed, since no user count was given. Advice that "
                          f"depends on the stage assumes Stage {v.stage.number} "
                          f"({v.stage.name}).")
    assert Step(v.stage.number, v.stage.name, True, False) in v.stage.journey
