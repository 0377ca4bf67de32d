"""Readings held against the playbook's key metrics, and the Stage 2 additions they call for.

Every finding and addition cites the threshold and the value behind it, so a reader can
check the advice rather than trust it.
"""

from __future__ import annotations

from advisor.format import replicas_worked, with_unit
from advisor.metrics import METRIC_SPECS, MetricName
from advisor.models import Addition, Finding, Observations, Status
from advisor.playbook import KeyAddition, KeyMetric, Playbook
from advisor.sizing import ceil_ratio


def _status(key: KeyMetric, value: float) -> Status:
    if key.warning.holds(value):
        return "warning"
    if key.target.holds(value):
        return "ok"
    return "watch"


def _message(key: KeyMetric, value: float, status: Status) -> str:
    shown = with_unit(key.metric, value)
    target, warning = key.target.bound(), key.warning.bound()
    if status == "warning":
        return f"{key.label} is {shown}: past the warning line ({warning})."
    if status == "watch":
        return f"{key.label} is {shown}: off target ({target}) but not yet at warning ({warning})."
    return f"{key.label} is {shown}: on target ({target})."


def finding(key: KeyMetric, value: float) -> Finding:
    status = _status(key, value)
    return Finding(
        metric=key.metric,
        label=key.label,
        value=value,
        unit=METRIC_SPECS[key.metric].unit.value,
        status=status,
        target=key.target.threshold(value),
        warning=key.warning.threshold(value),
        message=_message(key, value, status),
    )


def findings(obs: Observations, playbook: Playbook) -> list[Finding]:
    """One finding per key metric the team gave us, in the playbook's order."""
    known = obs.metrics
    return [finding(k, known[k.metric]) for k in playbook.key_metrics if k.metric in known]


def _replica_detail(obs: Observations) -> str:
    reads = obs.metrics.get(MetricName.READS_RPS)
    per = obs.metrics.get(MetricName.PER_REPLICA_RPS)
    if reads is None or per is None:
        return "Give reads per second and one replica's capacity to get a count."
    count = ceil_ratio(reads, per)
    return replicas_worked(reads, per, count)


def _addition(add: KeyAddition, obs: Observations) -> Addition | None:
    if add.condition is not None:
        value = obs.metrics.get(add.condition.metric)
        if value is None or not add.condition.holds(value):
            return None
        cond = add.condition
        reason = f"{cond.evidence(value)} ({add.when})"
        threshold = cond.threshold(value)
    elif add.signal in obs.signals:
        reason = f"reported: {add.when}"
        threshold = None
    else:
        return None
    detail = _replica_detail(obs) if add.id == "read_replicas" else ""
    return Addition(
        component=add.component, purpose=add.purpose, reason=reason,
        threshold=threshold, detail=detail,
    )


def additions(obs: Observations, playbook: Playbook) -> list[Addition]:
    """The Stage 2 components whose when-to-add condition holds."""
    found = (_addition(add, obs) for add in playbook.additions)
    return [a for a in found if a is not None]
