"""Answers to questions, one function per topic, built from the playbook and the numbers asked.

When the question carries the numbers a formula needs ("12k reads/s, one handles 3k"),
the answer computes it and shows the arithmetic; otherwise it shows the guide's worked
example. Questions about patterns that belong to a later stage get a "not yet" first.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from advisor import sizing
from advisor.format import num, with_unit
from advisor.metrics import METRIC_KEYS, MetricError, MetricName
from advisor.models import Topic
from advisor.playbook import KeyAddition, Playbook, Restraint
from advisor.report import stage_text
from advisor.stages import stage_card, stage_number_for_users

Metrics = dict[MetricName, float]
M = MetricName


def _addition(pb: Playbook, topic: Topic) -> KeyAddition:
    return next(a for a in pb.additions if a.topic == topic)


def _addition_check(add: KeyAddition, metrics: Metrics) -> str:
    """The when-to-add rule, held against the asked value when there is one."""
    line = f"Add it when: {add.when}."
    cond = add.condition
    if cond is None or cond.metric not in metrics:
        return line
    value = metrics[cond.metric]
    verdict = "yes, it is time" if cond.holds(value) else "not yet by this rule"
    limit = with_unit(cond.metric, cond.value)
    return f"{line} You have {with_unit(cond.metric, value)} against {cond.op} {limit}: {verdict}."


def _pool(pb: Playbook, m: Metrics) -> list[str]:
    rule = pb.sizing.pool
    if M.CORES in m:
        spindles = m.get(M.SPINDLES)
        s = sizing.pool(int(m[M.CORES]), None if spindles is None else int(spindles), playbook=pb)
        if spindles is None:  # the worked line already says which disk was assumed
            return [rule.formula, s.worked]
        return [rule.formula, f"{s.worked} ({s.inputs['disk']})"]
    ex = rule.example
    return [rule.formula, f"Example ({rule.example_note}): ({ex.cores} × 2) + {ex.spindles} = "
            f"{ex.result} connections per instance. An SSD counts as {rule.ssd_spindles} spindle."]


def _replicas(pb: Playbook, m: Metrics) -> list[str]:
    rule = pb.sizing.replicas
    lines = [rule.formula]
    if M.READS_RPS in m and M.PER_REPLICA_RPS in m:
        lines.append(sizing.replicas(m[M.READS_RPS], m[M.PER_REPLICA_RPS], pb).worked)
    else:
        ex = rule.example
        lines.append(f"Example: ceiling({num(ex.reads_rps)} / {num(ex.per_replica_rps)}) = "
                     f"{ex.result} replicas.")
    lines.append(_addition_check(_addition(pb, Topic.READ_REPLICAS), m))
    return lines


def _cache(pb: Playbook, m: Metrics) -> list[str]:
    rule = pb.sizing.cache
    low, high = num(rule.working_set_share_min_pct), num(rule.working_set_share_max_pct)
    share = f"The working set is the data read often, usually {low}-{high}% of it all."
    if M.WORKING_SET_GB in m:
        worked = sizing.cache(m[M.WORKING_SET_GB], pb).worked
    else:
        worked = f"Example: {sizing.cache(rule.example.working_set_gb, pb).worked}"
    return [f"Redis memory = working set × {num(rule.multiplier)}", worked, share]


def _capacity(pb: Playbook, m: Metrics) -> list[str]:
    rule = pb.sizing.capacity
    if M.PEAK_RPS in m:
        s = sizing.capacity(m[M.PEAK_RPS], m.get(M.GROWTH_FACTOR, 1.0), m.get(M.SAFETY_MARGIN), pb)
        return [rule.formula, s.worked]
    ex = rule.example
    return [rule.formula, f"Example ({rule.example_note}): {num(ex.peak_rps)} × "
            f"{num(ex.growth_factor)} × {num(ex.safety_margin)} = {num(ex.result)} {rule.unit}.",
            f"Safety margin defaults to {num(rule.safety_default)}x."]


def _sharding(pb: Playbook, m: Metrics) -> list[str]:
    return [f"{s.name} ({s.example}): + {s.pro}; - {s.con}" for s in pb.sharding]


def _caching(pb: Playbook, m: Metrics) -> list[str]:
    order = [f"{s.step}. {s.tier} ({s.holds}): on a hit, {s.on_hit}"
             for s in pb.caching.lookup_order]
    ttls = [f"  - {c.item}: TTL {c.ttl}" for c in pb.caching.what_to_cache]
    return ["Lookup order:", *order, "What to cache:", *ttls]


def _multi_region(pb: Playbook, m: Metrics) -> list[str]:
    return [f"{p.name}: consistency {p.consistency}, latency {p.latency}, "
            f"complexity {p.complexity}" for p in pb.multi_region]


def _consistency(pb: Playbook, m: Metrics) -> list[str]:
    out = []
    for c in pb.consistency:
        cap = f" ({c.cap})" if c.cap else ""
        out.append(f"{c.name}{cap}: {'; '.join(c.traits)}. Use for: {', '.join(c.use_for)}.")
    return out


def _cdn(pb: Playbook, m: Metrics) -> list[str]:
    add = _addition(pb, Topic.CDN)
    return [f"{add.component}: {add.purpose}.", _addition_check(add, m)]


def _load_balancer(pb: Playbook, m: Metrics) -> list[str]:
    add = _addition(pb, Topic.LOAD_BALANCER)
    return [f"{add.component}: {add.purpose}.", _addition_check(add, m)]


def _job_queue(pb: Playbook, m: Metrics) -> list[str]:
    add = _addition(pb, Topic.JOB_QUEUE)
    ev = pb.event_driven
    return [f"{add.component}: {add.purpose}.", _addition_check(add, m),
            f"Before: {' → '.join(ev.before)} ({ev.before_speed})",
            f"After: {' → '.join(ev.after)} ({ev.after_speed}); "
            f"{', '.join(ev.async_consumers)} work asynchronously.", ev.summary]


def _stage(pb: Playbook, m: Metrics) -> list[str]:
    if M.USERS in m:
        number = stage_number_for_users(m[M.USERS], pb)
        card = stage_card(number, pb)
        cost = pb.cost_row(number, m[M.USERS])
        return [f"{with_unit(M.USERS, m[M.USERS])} puts you in:", stage_text(card),
                f"Cost table: {cost.users_label} users, {cost.architecture}: {cost.monthly}/month."]
    return [f"Stage {s.number} {s.name}: {s.users_label}, {s.architecture}, about {s.monthly_cost}"
            for s in pb.stages]


TOPIC_ANSWERS: dict[Topic, Callable[[Playbook, Metrics], list[str]]] = {
    Topic.CONNECTION_POOL: _pool,
    Topic.READ_REPLICAS: _replicas,
    Topic.CACHE_SIZING: _cache,
    Topic.CAPACITY_PLANNING: _capacity,
    Topic.SHARDING: _sharding,
    Topic.CACHING_STRATEGY: _caching,
    Topic.MULTI_REGION: _multi_region,
    Topic.CONSISTENCY: _consistency,
    Topic.CDN: _cdn,
    Topic.LOAD_BALANCER: _load_balancer,
    Topic.JOB_QUEUE: _job_queue,
    Topic.STAGE: _stage,
}


def restraints_for(topic: Topic | None, text: str, pb: Playbook) -> list[Restraint]:
    """Restraint entries a question touches, by its topic or by the words in it."""
    lowered = text.lower()
    return [r for r in pb.restraint
            if (topic is not None and r.topic == topic) or any(t in lowered for t in r.terms)]


def restraint_lines(topic: Topic | None, text: str, metrics: Metrics, pb: Playbook) -> list[str]:
    """"Not yet" with the reason when the asker's stage is below the pattern's stage."""
    users = metrics.get(M.USERS)
    out = []
    for r in restraints_for(topic, text, pb):
        if users is None:
            out.append(f"Only from Stage {r.from_stage}: {r.why}")
        elif stage_number_for_users(users, pb) < r.from_stage:
            out.append(f"Not yet: at {with_unit(M.USERS, users)} you are at Stage "
                       f"{stage_number_for_users(users, pb)}. {r.why}")
    return out


def topic_answer(topic: Topic, text: str, metrics: Metrics, pb: Playbook) -> str:
    """The answer to a question on `topic`, using any numbers it carried."""
    entry = pb.topic(topic)
    try:
        body = TOPIC_ANSWERS[topic](pb, metrics)
    except MetricError as err:
        body = [f"Those numbers can't be used: {err}."]
    if topic is Topic.STAGE:
        body += _stage_triggers(text, metrics, pb)
    head = restraint_lines(topic, text, metrics, pb) + key_metric_lines(text, pb)
    return "\n".join([*head, f"{entry.title}: {entry.intro}", *body])


def key_metric_lines(text: str, pb: Playbook) -> list[str]:
    """The playbook's target and warning line for each key metric a question asks a line
    of ("what is a good p95?", "how many queries per request is too many?"): no topic
    holds them, so the nearest topic's answer would leave them out."""
    said = text.lower()
    if _LINE_ASKED.search(said) is None:
        return []
    return [f"{k.label}: target {k.as_written.target}, warning {k.as_written.warning}."
            for k in pb.key_metrics if _names(said, k.metric)]


def _names(said: str, metric: MetricName) -> bool:
    """Whether lower-cased `said` names `metric` by one of its names or aliases."""
    words = [name.replace("_", " ") for name, to in METRIC_KEYS.items() if to == metric]
    words += _SPOKEN.get(metric, [])
    if metric is MetricName.SERVER_CPU_PCT and _DB_CPU.search(said):
        return False  # the database's CPU is no key metric of the server's
    return any(re.search(rf"\b{re.escape(w)}\b", said) for w in words)


# A question about a metric's line: what is good, normal, too much, a target or a warning.
_LINE_ASKED = re.compile(r"\b(?:targets?|good|healthy|acceptable|normal|reasonable|thresholds?|"
                         r"warning|alert|too (?:high|many|much|slow)|ok|okay|aim for)\b")
_SPOKEN: dict[MetricName, list[str]] = {
    MetricName.P95_MS: ["response time", "response times", "latency"],
    MetricName.QUERIES_PER_REQUEST: ["queries per request", "database queries"],
    MetricName.POOL_USED_PCT: ["connections", "connection pool"],
}
_DB_CPU = re.compile(r"\b(?:db|database|postgres|mysql) cpu\b")


def _stage_triggers(text: str, m: Metrics, pb: Playbook) -> list[str]:
    """When to move on, as the playbook's triggers say: to the stage the question names
    ("when should we move to stage 3?"), else to the next one after the users given, else
    to each later stage."""
    named = _stage_named(text, pb)
    if named is not None:
        targets = [max(named, 2)]
    elif M.USERS in m:
        targets = [int(stage_number_for_users(m[M.USERS], pb)) + 1]
    else:
        targets = [s.number for s in pb.stages[1:]]
    lines = []
    for number in targets:
        said = [t.text for t in pb.triggers if t.to_stage == number]
        if said:
            lines.append(f"Move to Stage {number} ({pb.stage(number).name}) when: "
                         f"{'; '.join(said)}.")
    return lines


def _stage_named(text: str, pb: Playbook) -> int | None:
    """The stage a question names, by number ("stage 3") or by name ("the growth stage")."""
    said = text.lower()
    numbered = _STAGE_NUMBER.search(said)
    if numbered is not None:
        return int(numbered.group(1))
    return next((s.number for s in pb.stages
                 if re.search(rf"\b{re.escape(s.name.lower())}\s+(?:stage|phase)\b", said)), None)


_STAGE_NUMBER = re.compile(r"\bstage\s*([1-4])\b")


def help_text(pb: Playbook) -> str:
    topics = ", ".join(t.title.lower() for t in pb.topics)
    return ("That doesn't read like a scaling problem, so I won't guess. I can help with "
            "slow pages, a struggling database, timeouts, CPU or memory pressure, and "
            f"questions on {topics}.")
