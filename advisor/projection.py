"""What-if with numbers: what the inputs allow us to compute at k times the users and load.

Each number says how it was reached (the formula with the figures put in) and, when it
rests on an assumption (reads derived from other metrics, a working set that grows with
users, one instance serving today's peak), says that too, so nobody mistakes it for a
measurement.
"""

from __future__ import annotations

from advisor.format import num, replicas_worked
from advisor.metrics import MetricName
from advisor.models import Observations, Projection
from advisor.playbook import Playbook
from advisor.sizing import SSD_ASSUMED, ceil_ratio
from advisor.stages import stage_number_for_users

M = MetricName


def _reads(m: dict[MetricName, float], k: float) -> tuple[float, str, str] | None:
    """Database reads per second at k: (value, worked, note), given or derived."""
    if M.READS_RPS in m:
        reads = m[M.READS_RPS] * k
        return reads, f"{num(m[M.READS_RPS])} × {num(k)} = {num(reads)} reads/s", ""
    if M.PEAK_RPS in m and M.QUERIES_PER_REQUEST in m and M.READ_PCT in m:
        peak, qpr, share = m[M.PEAK_RPS], m[M.QUERIES_PER_REQUEST], m[M.READ_PCT]
        reads = peak * k * qpr * share / 100
        worked = (f"{num(peak)} × {num(k)} × {num(qpr)} queries/request × {num(share)}% reads "
                  f"= {num(reads)} reads/s")
        return reads, worked, "derived from peak × queries per request × read share"
    return None


def _capacity(m: dict[MetricName, float], k: float, pb: Playbook) -> Projection | None:
    if M.PEAK_RPS not in m:
        return None
    peak = m[M.PEAK_RPS] * k
    growth = m.get(M.GROWTH_FACTOR, 1.0)
    safety = m.get(M.SAFETY_MARGIN, pb.sizing.capacity.safety_default)
    result = peak * growth * safety
    note = "" if M.GROWTH_FACTOR in m else "no growth factor given, so 1x"
    return Projection(
        kind="capacity", value=result, unit=pb.sizing.capacity.unit,
        worked=(f"{num(m[M.PEAK_RPS])} × {num(k)} = {num(peak)} req/s peak; "
                f"× {num(growth)} growth × {num(safety)} safety = {num(result)} req/s"),
        formula=pb.sizing.capacity.formula, note=note,
    )


def _instances(
    m: dict[MetricName, float], capacity: float, pool: int, pb: Playbook
) -> Projection | None:
    """Instances = capacity / what one instance serves at the server-CPU target.

    One instance's share comes from today's figures: today's peak at today's server CPU,
    stretched to the playbook's target line. That assumes today's peak runs on one instance.
    """
    cpu, peak = m.get(M.SERVER_CPU_PCT), m.get(M.PEAK_RPS)
    rule = pb.key_metric(M.SERVER_CPU_PCT)
    if not cpu or not peak or rule is None:
        return None
    target = rule.target.value
    per_instance = peak * target / cpu
    count = ceil_ratio(capacity, per_instance)
    return Projection(
        kind="instances", value=count, unit="instances",
        worked=(f"ceiling({num(capacity)} / {num(per_instance)} req/s per instance) = "
                f"{num(count)} instances, {num(count * pool)} database connections in all"),
        formula="instances = ceiling(required capacity / one instance's req/s at the CPU target)",
        note=(f"assumes today's {num(peak)} req/s run on one instance at {num(cpu)}% CPU, "
              f"so one instance serves {num(per_instance)} req/s at {num(target)}%"),
    )


def project(obs: Observations, k: float, pb: Playbook) -> list[Projection]:
    """Every number the inputs allow at `k` times today's users and load."""
    m = obs.metrics
    out: list[Projection] = []
    stage = 1
    if M.USERS in m:
        users = m[M.USERS] * k
        stage = int(stage_number_for_users(users, pb))
        out.append(Projection(
            kind="users", value=users, unit="users",
            worked=f"{num(m[M.USERS])} × {num(k)} = {num(users)} users: Stage {stage} "
                   f"({pb.stage(stage).name})",
            formula="users × multiple"))
    capacity = _capacity(m, k, pb)
    if capacity is not None:
        out.append(capacity)
    reads = _reads(m, k)
    if reads is not None:
        value, worked, note = reads
        out.append(Projection(kind="reads", value=value, unit="reads/s", worked=worked,
                              formula="database reads per second × multiple", note=note))
        per = m.get(M.PER_REPLICA_RPS)
        if per:
            count = ceil_ratio(value, per)
            out.append(Projection(
                kind="replicas", value=count, unit=pb.sizing.replicas.unit,
                worked=replicas_worked(value, per, count),
                formula=pb.sizing.replicas.formula, note=note))
    if M.CORES in m:
        rule = pb.sizing.pool
        spindles = int(m.get(M.SPINDLES, rule.ssd_spindles))
        pool = int(m[M.CORES]) * 2 + spindles
        out.append(Projection(
            kind="pool", value=pool, unit=rule.unit, formula=rule.formula,
            worked=f"({num(m[M.CORES])} × 2) + {spindles} = {pool} connections per instance",
            note="" if M.SPINDLES in m else SSD_ASSUMED))
        if capacity is not None:
            instances = _instances(m, float(capacity.value), pool, pb)
            if instances is not None:
                out.append(instances)
    if M.WORKING_SET_GB in m:
        rule = pb.sizing.cache
        working = m[M.WORKING_SET_GB] * k
        memory = working * rule.multiplier
        out.append(Projection(
            kind="cache", value=memory, unit=rule.unit, formula=rule.formula,
            worked=(f"{num(m[M.WORKING_SET_GB])}GB × {num(k)} = {num(working)}GB working set; "
                    f"× {num(rule.multiplier)} = {num(memory)}GB"),
            note="assumes the working set grows in step with users"))
    cost = pb.cost_row(stage, m[M.USERS] * k if M.USERS in m else None)
    out.append(Projection(
        kind="cost", value=cost.monthly, unit="USD/month",
        formula="cost table: users → architecture → monthly cost",
        worked=f"{cost.users_label} users: {cost.architecture}, {cost.monthly} per month",
        note="" if M.USERS in m else "no user count given, so Stage 1's band"))
    return out
