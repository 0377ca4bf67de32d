"""Where a system sits on the scaling journey, and what pushes it to the next stage.

Stage boundaries come from the playbook (10K, 100K, 1M). A lower bound is inclusive for
the higher stage: exactly 10,000 users is Stage 2, matching how "1M+" reads in the guide.
"""

from __future__ import annotations

from advisor.metrics import MetricName
from advisor.models import Observations, StageCard, StageNumber, Trigger
from advisor.playbook import Condition, Playbook, StageTrigger


def stage_card(number: int, playbook: Playbook) -> StageCard:
    stage = playbook.stage(number)
    return StageCard(
        number=stage.number,
        name=stage.name,
        users_min=stage.users_min,
        users_max=stage.users_max,
        architecture=stage.architecture,
        monthly_cost=stage.monthly_cost,
        journey=[s.name for s in playbook.stages],
    )


def stage_number_for_users(users: float, playbook: Playbook) -> StageNumber:
    for stage in reversed(playbook.stages):
        if users >= stage.users_min:
            return stage.number
    return StageNumber.STARTUP


def stage_for_users(users: float, playbook: Playbook) -> StageCard:
    """The stage card for a user count."""
    return stage_card(stage_number_for_users(users, playbook), playbook)


def _compare(cond: Condition, metrics: dict[MetricName, float]) -> str | None:
    """Evidence text when the condition holds on the metrics, else None."""
    return cond.evidence(metrics[cond.metric]) if cond.met_by(metrics) else None


def evaluate_trigger(trigger: StageTrigger, obs: Observations) -> Trigger:
    """Check one "move on" trigger against what is known, keeping the evidence."""
    if trigger.condition is not None:
        cond = trigger.condition
        evidence = _compare(cond, obs.metrics)
        return Trigger(
            id=trigger.id,
            to_stage=trigger.to_stage,
            text=trigger.text,
            fired=evidence is not None,
            evidence=evidence or "",
            threshold=cond.threshold(obs.metrics.get(cond.metric)),
        )
    if trigger.signal in obs.signals:
        return Trigger(
            id=trigger.id,
            to_stage=trigger.to_stage,
            text=trigger.text,
            fired=True,
            evidence=f"reported: {trigger.signal}",
            signal=trigger.signal,
        )
    for cond in trigger.inferred_from:
        evidence = _compare(cond, obs.metrics)
        if evidence is not None:
            return Trigger(
                id=trigger.id,
                to_stage=trigger.to_stage,
                text=trigger.text,
                fired=True,
                evidence=evidence,
                threshold=cond.threshold(obs.metrics[cond.metric]),
                signal=trigger.signal,
            )
    return Trigger(
        id=trigger.id, to_stage=trigger.to_stage, text=trigger.text, fired=False,
        signal=trigger.signal,
    )


def evaluate_triggers(obs: Observations, playbook: Playbook) -> list[Trigger]:
    return [evaluate_trigger(t, obs) for t in playbook.triggers]


def pushed_toward(fired: list[Trigger], current: int) -> StageNumber | None:
    """The highest stage above `current` that a fired trigger points to, if any."""
    beyond = [t.to_stage for t in fired if t.fired and t.to_stage > current]
    return StageNumber(max(beyond)) if beyond else None
