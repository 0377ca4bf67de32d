"""What changed since a system's last assessment, judged against the playbook's thresholds.

A metric got better when it moved toward its target (or out of a warning); which way is
"toward" comes from the playbook itself: a target of `< 500` means lower is better, a
trigger of `> 70` means higher is worse. Counts that only say how big the system is
(users, peak traffic) are neither better nor worse, and say so with `better = None`.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from advisor.format import with_unit
from advisor.metrics import MetricName
from advisor.models import Assessment, Layer, StageNumber
from advisor.playbook import Playbook


class Snapshot(BaseModel):
    """The parts of one assessment a later one is compared with."""

    metrics: dict[MetricName, float] = Field(default_factory=dict)
    stage: StageNumber | None = None  # None when no user count placed it
    layer: Layer | None = None

    @classmethod
    def of(cls, a: Assessment) -> Snapshot:
        return cls(metrics=dict(a.inputs.metrics),
                   stage=a.stage.number if a.stage_known else None,
                   layer=a.bottleneck.layer if a.bottleneck else None)


class MetricChange(BaseModel):
    metric: MetricName
    before: float
    after: float
    better: bool | None  # None: unchanged, or a size that is neither good nor bad


class Changes(BaseModel):
    metrics: list[MetricChange] = Field(default_factory=list)
    stage_before: StageNumber | None = None
    stage_after: StageNumber | None = None
    layer_before: Layer | None = None
    layer_after: Layer | None = None
    rungs_done: list[str] = Field(default_factory=list)  # rung texts marked done since


def lower_is_better(metric: MetricName, pb: Playbook) -> bool | None:
    """Which way is better for `metric` by the playbook's thresholds; None when no rule says."""
    key = pb.key_metric(metric)
    if key is not None:
        return key.target.op in ("<", "<=")
    conditions = [t.condition for t in pb.triggers if t.condition is not None]
    conditions += [a.condition for a in pb.additions if a.condition is not None]
    conditions += [r.condition for r in pb.layer_rules]
    ops = {c.op for c in conditions if c.metric == metric}
    if ops and ops <= {">", ">="}:
        return True
    if ops and ops <= {"<", "<="}:
        return False
    return None


def compare(before: Snapshot, after: Snapshot, pb: Playbook,
            rungs_done: list[str] | None = None) -> Changes:
    """Each metric given both times (in the metric list's order), plus stage and layer."""
    metrics = []
    for name in MetricName:
        if name not in before.metrics or name not in after.metrics:
            continue
        old, new = before.metrics[name], after.metrics[name]
        direction = lower_is_better(name, pb)
        better = None if direction is None or old == new else (new < old) == direction
        metrics.append(MetricChange(metric=name, before=old, after=new, better=better))
    return Changes(metrics=metrics, stage_before=before.stage, stage_after=after.stage,
                   layer_before=before.layer, layer_after=after.layer,
                   rungs_done=list(rungs_done or []))


def change_lines(c: Changes) -> list[str]:
    """The changes as short lines, metrics first; empty when nothing was given twice."""
    lines = []
    for m in c.metrics:
        if m.better is not None:
            verdict = "better" if m.better else "worse"
        else:
            verdict = "same" if m.before == m.after else "up" if m.after > m.before else "down"
        lines.append(f"{m.metric.value}: {with_unit(m.metric, m.before)} -> "
                     f"{with_unit(m.metric, m.after)} ({verdict})")
    if c.stage_before is not None and c.stage_after is not None:
        if c.stage_before != c.stage_after:
            lines.append(f"stage: {int(c.stage_before)} -> {int(c.stage_after)}")
        else:
            lines.append(f"stage: still {int(c.stage_after)}")
    if c.layer_before != c.layer_after:
        old = c.layer_before.value if c.layer_before else "none"
        new = c.layer_after.value if c.layer_after else "none"
        lines.append(f"bottleneck moved: {old} -> {new}")
    if c.rungs_done:
        lines.append("done since: " + ", ".join(c.rungs_done))
    return lines
