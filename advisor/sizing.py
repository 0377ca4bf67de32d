"""The guide's sizing formulas, each returned with the formula and the worked arithmetic."""

from __future__ import annotations

import math

from advisor.format import num, replicas_worked
from advisor.metrics import MetricName, check_metric
from advisor.models import Observations, Sizing
from advisor.playbook import (
    CacheFormula,
    CapacityFormula,
    Playbook,
    PoolFormula,
    ReplicaFormula,
    default_playbook,
)

SSD_ASSUMED = "no disk given: an SSD, one spindle, assumed"

_Formula = CapacityFormula | PoolFormula | ReplicaFormula | CacheFormula

M = MetricName
# What each formula takes, and of that what it cannot do without (the rest has defaults).
FORMULA_TAKES: dict[str, tuple[MetricName, ...]] = {
    "capacity": (M.PEAK_RPS, M.GROWTH_FACTOR, M.SAFETY_MARGIN),
    "pool": (M.CORES, M.SPINDLES),
    "replicas": (M.READS_RPS, M.PER_REPLICA_RPS),
    "cache": (M.WORKING_SET_GB,),
}
FORMULA_NEEDS: dict[str, tuple[MetricName, ...]] = {
    "capacity": (M.PEAK_RPS,),
    "pool": (M.CORES,),
    "replicas": (M.READS_RPS, M.PER_REPLICA_RPS),
    "cache": (M.WORKING_SET_GB,),
}


def _sized(kind: str, rule: _Formula, inputs: dict[str, float | str], worked: str,
           result: float) -> Sizing:
    """A formula's answer, with the formula and unit as the playbook words them."""
    return Sizing(kind=kind, inputs=inputs, formula=rule.formula, worked=worked, result=result,
                  unit=rule.unit)


def _check(values: dict[MetricName, float]) -> None:
    """Refuse any input outside its metric's range, in the order given."""
    for name, value in values.items():
        check_metric(name, value)


def capacity(
    peak_rps: float, growth: float, safety: float | None = None, playbook: Playbook | None = None
) -> Sizing:
    """Required capacity = peak × growth × safety (safety defaults to the playbook's 1.5)."""
    rule = (playbook or default_playbook()).sizing.capacity
    safety = rule.safety_default if safety is None else safety
    _check({MetricName.PEAK_RPS: peak_rps, MetricName.GROWTH_FACTOR: growth,
            MetricName.SAFETY_MARGIN: safety})
    result = peak_rps * growth * safety
    worked = f"{num(peak_rps)} × {num(growth)} × {num(safety)} = {num(result)} {rule.unit}"
    inputs = {"peak_rps": peak_rps, "growth_factor": growth, "safety_margin": safety}
    return _sized("capacity", rule, inputs, worked, result)


def pool(
    cores: int, spindles: int | None = None, ssd: bool = False, playbook: Playbook | None = None
) -> Sizing:
    """Connections per instance = cores × 2 + effective spindles (an SSD counts as one)."""
    rule = (playbook or default_playbook()).sizing.pool
    assumed = spindles is None and not ssd
    if ssd or spindles is None:
        spindles = rule.ssd_spindles
    _check({MetricName.CORES: cores, MetricName.SPINDLES: spindles})
    result = int(cores) * 2 + int(spindles)
    disk = "SSD" if ssd else f"{num(spindles)} spindle{'s' if spindles != 1 else ''}"
    if assumed:
        disk = "SSD (assumed)"
    worked = f"({num(cores)} × 2) + {num(spindles)} = {result} connections per instance"
    if assumed:  # spinning disks would add one each: say what was taken for them
        worked += f" ({SSD_ASSUMED})"
    return _sized("pool", rule, {"cores": cores, "spindles": spindles, "disk": disk}, worked,
                  result)


def ceil_ratio(numerator: float, denominator: float) -> int:
    """The ceiling of a ratio, blind to binary rounding: 4.2 / 1.4 comes out as
    3.0000000000000004, and three replicas are enough for it."""
    return math.ceil(round(numerator / denominator, 9))


def replicas(reads_rps: float, per_replica_rps: float, playbook: Playbook | None = None) -> Sizing:
    """Replicas = ceiling(read traffic / one replica's capacity)."""
    rule = (playbook or default_playbook()).sizing.replicas
    _check({MetricName.READS_RPS: reads_rps, MetricName.PER_REPLICA_RPS: per_replica_rps})
    result = ceil_ratio(reads_rps, per_replica_rps)
    return _sized("replicas", rule, {"reads_rps": reads_rps, "per_replica_rps": per_replica_rps},
                  replicas_worked(reads_rps, per_replica_rps, result), result)


def cache(working_set_gb: float, playbook: Playbook | None = None) -> Sizing:
    """Redis memory = working set × the playbook's overhead multiplier (1.5)."""
    rule = (playbook or default_playbook()).sizing.cache
    _check({MetricName.WORKING_SET_GB: working_set_gb})
    result = working_set_gb * rule.multiplier
    return _sized("cache", rule, {"working_set_gb": working_set_gb, "multiplier": rule.multiplier},
                  f"{num(working_set_gb)}GB × {num(rule.multiplier)} = {num(result)}GB", result)


def cost(stage: int, playbook: Playbook | None = None, users: float | None = None) -> Sizing:
    """The monthly cost band of the cost table: the row for the user count when there is
    one (exactly 10K users is Stage 2 but costs the 10K row), else the stage's row."""
    row = (playbook or default_playbook()).cost_row(stage, users)
    return Sizing(
        kind="cost",
        inputs={"stage": stage, "users": row.users_label},
        formula="cost table: users → architecture → monthly cost",
        worked=f"{row.users_label} users, {row.architecture}: {row.monthly} per month",
        result=row.monthly,
        unit="USD/month",
    )


def _can(formula: str, metrics: dict[MetricName, float]) -> bool:
    return all(m in metrics for m in FORMULA_NEEDS[formula])


def sizing_for(obs: Observations, stage: int, playbook: Playbook) -> list[Sizing]:
    """Every formula the known metrics allow, then the cost band for the stage."""
    m = obs.metrics
    out: list[Sizing] = []
    if _can("capacity", m):
        growth = m.get(M.GROWTH_FACTOR, 1.0)
        out.append(capacity(m[M.PEAK_RPS], growth, m.get(M.SAFETY_MARGIN), playbook))
    if _can("pool", m):
        spindles = m.get(M.SPINDLES)
        out.append(pool(int(m[M.CORES]), None if spindles is None else int(spindles),
                        playbook=playbook))
    if _can("replicas", m):
        out.append(replicas(m[M.READS_RPS], m[M.PER_REPLICA_RPS], playbook))
    if _can("cache", m):
        out.append(cache(m[M.WORKING_SET_GB], playbook))
    out.append(cost(stage, playbook, m.get(M.USERS)))
    return out


def short_of(metric: MetricName, metrics: dict[MetricName, float]) -> tuple[str, list[MetricName]]:
    """The formula that takes `metric` and what else it needs that is not in `metrics`
    (("", []) when no formula takes it or nothing is missing)."""
    for formula, takes in FORMULA_TAKES.items():
        if metric in takes:
            return formula, [m for m in FORMULA_NEEDS[formula] if m not in metrics]
    return "", []
