"""The assessment: everything the playbook says about one system, in one pure call.

`assess` places the system on the journey, checks its numbers, names the bottleneck,
climbs the ladder, sizes what it can and says what to hold off on. `what_if` runs the
same assessment with users and load multiplied, to show what growth will demand.
"""

from __future__ import annotations

from advisor.diagnosis import diagnose, ladder, not_yet
from advisor.findings import additions, findings
from advisor.format import num
from advisor.metrics import METRIC_SPECS, MetricName
from advisor.models import (
    Assessment,
    HealthQuery,
    Ladder,
    Layer,
    Match,
    Observations,
    Sizing,
    StageNumber,
    Topic,
    Unweighed,
    WhatIf,
)
from advisor.playbook import Playbook, default_playbook
from advisor.projection import project
from advisor.sizing import short_of, sizing_for
from advisor.stages import evaluate_triggers, pushed_toward, stage_card, stage_number_for_users

# Metrics that grow with users and load in a what-if; shares and latencies do not scale linearly.
SCALED_METRICS = (
    MetricName.USERS,
    MetricName.PEAK_RPS,
    MetricName.READS_RPS,
    MetricName.WORKING_SET_GB,
)
WHAT_IF_FACTORS = (10, 100, 1000)
FIRST_CHANGES = 3  # per stage crossed: the head of its list is what to do first


def with_match(obs: Observations, match: Match | None) -> Observations:
    """Fold what the matcher read from text into the observations (typed flags win)."""
    if match is None:
        return obs
    return Observations(
        metrics={**match.metrics, **obs.metrics},
        signals=obs.signals | match.signals,
        text=obs.text,
        done=obs.done | match.done,
        deferred=obs.deferred,
    )


def _missing(obs: Observations, playbook: Playbook) -> list[MetricName]:
    wanted = list(playbook.sharpening)
    replicas = next((a for a in playbook.additions if a.topic == Topic.READ_REPLICAS), None)
    if replicas is not None and replicas.condition is not None and replicas.condition.met_by(
            obs.metrics):  # replicas are due: sizing them needs the read traffic
        wanted += [MetricName.READS_RPS, MetricName.PER_REPLICA_RPS]
    return [m for m in wanted if m not in obs.metrics]


_FORMULA_NAMES = {"capacity": "the capacity plan", "pool": "the connection pool size",
                  "replicas": "the read replica count", "cache": "the cache size"}


def _unweighed(obs: Observations, sizing: list[Sizing], pb: Playbook, *, read: bool
                ) -> list[Unweighed]:
    """Each reading given that no line of the playbook and no sizing took. With `read`
    (the numbers came with text), the matcher weighed every number it read against its
    own hints, so only what a sizing formula still needs is said."""
    taken = pb.metrics_with_lines() | {MetricName.USERS}
    taken |= {MetricName(k) for s in sizing for k in s.inputs if k in _METRIC_NAMES}
    out = []
    for metric, value in obs.metrics.items():
        if metric in taken:
            continue
        formula, short = short_of(metric, obs.metrics)
        if read and not short:
            continue
        why = (f"{_FORMULA_NAMES[formula]} also needs "
               f"{' and '.join(m.value for m in short)}" if short
               else "the playbook draws no line for it, so it changes no advice")
        out.append(Unweighed(metric=metric, value=value, why=why))
    return out


_METRIC_NAMES = frozenset(m.value for m in MetricName)


def _summary(a: Assessment) -> str:
    parts = [f"Stage {a.stage.number} ({a.stage.name})" if a.stage_known
             else "Stage not placed (no user count)"]
    if a.pushed_toward:
        parts.append(f"metrics push toward Stage {a.pushed_toward}")
    if a.bottleneck:
        parts.append(f"bottleneck: {a.bottleneck.layer.value}")
    if a.ladder and a.ladder.next_index is not None:
        parts.append(f"next: {a.ladder.rungs[a.ladder.next_index].text}")
    warnings = [f.label for f in a.findings if f.status == "warning"]
    if warnings:
        parts.append("warning: " + ", ".join(warnings))
    return "; ".join(parts)


def assess(
    obs: Observations, playbook: Playbook | None = None, match: Match | None = None
) -> Assessment:
    """Apply the whole playbook to one system. Pure: same input, same assessment."""
    pb = playbook or default_playbook()
    obs = with_match(obs, match)
    users = obs.metrics.get(MetricName.USERS)
    number = stage_number_for_users(users, pb) if users is not None else StageNumber.STARTUP
    triggers = evaluate_triggers(obs, pb)
    push = pushed_toward(triggers, number)
    bottleneck, symptom = diagnose(obs, pb, match)
    sized = sizing_for(obs, number, pb)
    assessment = Assessment(
        stage=stage_card(number, pb),
        stage_known=users is not None,
        pushed_toward=push,
        triggers=[t for t in triggers if t.fired],
        findings=findings(obs, pb),
        additions=additions(obs, pb),
        bottleneck=bottleneck,
        ladder=ladder(symptom, obs.done, pb, obs.deferred) if symptom else None,
        sizing=sized,
        not_yet=not_yet(max(number, push or 0), pb),
        watch=[t for t in triggers if not t.fired and t.to_stage == number + 1],
        missing=_missing(obs, pb),
        unweighed=_unweighed(obs, sized, pb, read=match is not None),
        inputs=obs,
    )
    _point_further(assessment, pb)
    assessment.summary = _summary(assessment)
    return assessment


def with_ladder(a: Assessment, steps: Ladder) -> Assessment:
    """`a` with its ladder redrawn (rungs marked since it was made) and its summary with
    it: the summary line names the ladder's next step, so the two are never apart."""
    redrawn = a.model_copy(update={"ladder": steps})
    redrawn.summary = _summary(redrawn)
    return redrawn


def _point_further(a: Assessment, pb: Playbook) -> None:
    """Show what the playbook holds for where this leaves people: the bottleneck hunt when
    there is trouble but no named bottleneck (or every rung is done), and the database
    health checks and queries with a database bottleneck."""
    trouble = any(f.status != "ok" for f in a.findings) or bool(a.triggers)
    exhausted = a.ladder is not None and a.ladder.next_index is None
    if exhausted or (a.bottleneck is None and trouble):
        a.hunt = [f"{h.step}. {h.question} {h.how} ({', '.join(h.tools)})"
                  for h in pb.bottleneck_hunt]
    if a.bottleneck is not None and a.bottleneck.layer == Layer.DATABASE:
        a.db_checks = [f"{c.area}: {'; '.join(c.checks)}" for c in pb.db_checklist]
        a.db_queries = [HealthQuery(purpose=q.purpose, sql=q.sql) for q in pb.db_queries]


def scaled(obs: Observations, factor: float) -> Observations:
    """The observations with users and load multiplied (held inside the metric's sane bounds)."""
    metrics = dict(obs.metrics)
    for name in SCALED_METRICS:
        if name in metrics:
            metrics[name] = min(metrics[name] * factor, METRIC_SPECS[name].maximum)
    return obs.model_copy(update={"metrics": metrics})


def _changes(start: int, end: int, pb: Playbook) -> list[str]:
    """What each stage crossed on the way from `start` to `end` asks for first."""
    out: list[str] = []
    for number in range(start + 1, end + 1):
        stage = pb.stage(number)
        out.append(f"Stage {number} ({stage.name}): {stage.architecture}")
        if number == pb.additions_stage:
            out += [f"{a.component}: {a.purpose.lower()}" for a in pb.additions]
        checklist = pb.checklist(number)
        if checklist is not None:
            out += list(checklist.items[:FIRST_CHANGES])
    return out


def what_if(
    obs: Observations, factor: float, playbook: Playbook | None = None, match: Match | None = None
) -> WhatIf:
    """The assessment at `factor` times the users and load, with the changes it demands."""
    pb = playbook or default_playbook()
    base = with_match(obs, match)
    now = assess(base, pb)
    later = assess(scaled(base, factor), pb)
    start, end = int(now.stage.number), int(later.stage.number)
    changes = _changes(start, end, pb)
    if MetricName.USERS not in base.metrics:
        changes.insert(0, "Give a user count to see which stage this load lands in.")
    elif end == start:  # the figures come before these lines in every front
        changes.insert(0, f"Still Stage {end} ({later.stage.name}): the same architecture, "
                          "at the sizes above for this load.")
    users = later.inputs.metrics.get(MetricName.USERS)
    if users is not None:
        later.summary = f"At {num(factor)}x: {num(users)} users; {later.summary}"
    return WhatIf(
        factor=factor, users=users, from_stage=now.stage.number, stage=later.stage,
        stage_known=later.stage_known, changes=changes, numbers=project(base, factor, pb),
        assessment=later,
    )


def what_ifs(
    obs: Observations, playbook: Playbook | None = None, match: Match | None = None
) -> list[WhatIf]:
    """The 10x, 100x and 1000x steps."""
    return [what_if(obs, f, playbook, match) for f in WHAT_IF_FACTORS]
