"""The guide's sizing formulas, each returned with the formula and the worked arithmetic."""

from __future__ import annotations

import math

from advisor.format import num, replicas_worked
from advisor.metrics import MetricName, check_metric
from advisor.models import Observations, Sizing
from advisor.playbook import Playbook, default_playbook


def capacity(
    peak_rps: float, growth: float, safety: float | None = None, playbook: Playbook | None = None
) -> Sizing:
    """Required capacity = peak × growth × safety (safety defaults to the playbook's 1.5)."""
    rule = (playbook or default_playbook()).sizing.capacity
    safety = rule.safety_default if safety is None else safety
    check_metric(MetricName.PEAK_RPS, peak_rps)
    check_metric(MetricName.GROWTH_FACTOR, growth)
    check_metric(MetricName.SAFETY_MARGIN, safety)
    result = peak_rps * growth * safety
    return Sizing(
        kind="capacity",
        inputs={"peak_rps": peak_rps, "growth_factor": growth, "safety_margin": safety},
        formula=rule.formula,
        worked=f"{num(peak_rps)} × {num(growth)} × {num(safety)} = {num(result)} {rule.unit}",
        result=result,
        unit=rule.unit,
    )


def pool(
    cores: int, spindles: int | None = None, ssd: bool = False, playbook: Playbook | None = None
) -> Sizing:
    """Connections per instance = cores × 2 + effective spindles (an SSD counts as one)."""
    rule = (playbook or default_playbook()).sizing.pool
    assumed = spindles is None and not ssd
    if ssd or spindles is None:
        spindles = rule.ssd_spindles
    check_metric(MetricName.CORES, cores)
    check_metric(MetricName.SPINDLES, spindles)
    result = int(cores) * 2 + int(spindles)
    disk = "SSD" if ssd else f"{num(spindles)} spindle{'s' if spindles != 1 else ''}"
    if assumed:
        disk = "SSD (assumed)"
    return Sizing(
        kind="pool",
        inputs={"cores": cores, "spindles": spindles, "disk": disk},
        formula=rule.formula,
        worked=f"({num(cores)} × 2) + {num(spindles)} = {result} connections per instance",
        result=result,
        unit=rule.unit,
    )


def replicas(reads_rps: float, per_replica_rps: float, playbook: Playbook | None = None) -> Sizing:
    """Replicas = ceiling(read traffic / one replica's capacity)."""
    rule = (playbook or default_playbook()).sizing.replicas
    check_metric(MetricName.READS_RPS, reads_rps)
    check_metric(MetricName.PER_REPLICA_RPS, per_replica_rps)
    result = math.ceil(reads_rps / per_replica_rps)
    return Sizing(
        kind="replicas",
        inputs={"reads_rps": reads_rps, "per_replica_rps": per_replica_rps},
        formula=rule.formula,
        worked=replicas_worked(reads_rps, per_replica_rps, result),
        result=result,
        unit=rule.unit,
    )


def cache(working_set_gb: float, playbook: Playbook | None = None) -> Sizing:
    """Redis memory = working set × the playbook's overhead multiplier (1.5)."""
    rule = (playbook or default_playbook()).sizing.cache
    check_metric(MetricName.WORKING_SET_GB, working_set_gb)
    result = working_set_gb * rule.multiplier
    return Sizing(
        kind="cache",
        inputs={"working_set_gb": working_set_gb, "multiplier": rule.multiplier},
        formula=rule.formula,
        worked=f"{num(working_set_gb)}GB × {num(rule.multiplier)} = {num(result)}GB",
        result=result,
        unit=rule.unit,
    )


def cost(stage: int, playbook: Playbook | None = None) -> Sizing:
    """The monthly cost band of the cost table row for a stage."""
    row = (playbook or default_playbook()).cost_for(stage)
    return Sizing(
        kind="cost",
        inputs={"stage": stage, "users": row.users_label},
        formula="cost table: users → architecture → monthly cost",
        worked=f"{row.users_label} users, {row.architecture}: {row.monthly} per month",
        result=row.monthly,
        unit="USD/month",
    )


def sizing_for(obs: Observations, stage: int, playbook: Playbook) -> list[Sizing]:
    """Every formula the known metrics allow, then the cost band for the stage."""
    m = obs.metrics
    out: list[Sizing] = []
    if MetricName.PEAK_RPS in m:
        growth = m.get(MetricName.GROWTH_FACTOR, 1.0)
        out.append(capacity(m[MetricName.PEAK_RPS], growth, m.get(MetricName.SAFETY_MARGIN),
                            playbook))
    if MetricName.CORES in m:
        spindles = m.get(MetricName.SPINDLES)
        out.append(pool(int(m[MetricName.CORES]),
                        None if spindles is None else int(spindles), playbook=playbook))
    if MetricName.READS_RPS in m and MetricName.PER_REPLICA_RPS in m:
        out.append(replicas(m[MetricName.READS_RPS], m[MetricName.PER_REPLICA_RPS], playbook))
    if MetricName.WORKING_SET_GB in m:
        out.append(cache(m[MetricName.WORKING_SET_GB], playbook))
    out.append(cost(stage, playbook))
    return out
