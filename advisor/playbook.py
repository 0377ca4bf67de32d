"""The playbook schema and loader: the guide's knowledge as validated data.

Every model forbids unknown keys, so a typo in a team's own playbook fails at start-up
with the file and the field named, instead of silently dropping a threshold.
The loader reads a path it is given; choosing that path (SCALE_PLAYBOOK) is the caller's job.
"""

from __future__ import annotations

import operator
import tomllib
from collections.abc import Mapping
from functools import lru_cache
from importlib import resources
from typing import ClassVar, Literal

from pydantic import Field, ValidationError, field_validator, model_validator

from advisor.format import with_unit
from advisor.metrics import MetricName, check_metric
from advisor.models import Layer, StageNumber, Strict, Symptom, Threshold, Topic

Op = Literal[">", ">=", "<", "<="]
OPS = {">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le}


class PlaybookError(ValueError):
    """A playbook file that cannot be used; the message names the file and the field."""


class Condition(Strict):
    """`metric op value`, in the metric's own unit: the one comparison every layer uses."""

    metric: MetricName
    op: Op
    value: float = Field(ge=0, allow_inf_nan=False)  # every metric is a count, time or share

    @model_validator(mode="after")
    def _a_reading(self) -> Condition:
        """A line no reading can cross (a share past 100%) would never fire, silently."""
        check_metric(self.metric, self.value)
        return self

    def holds(self, value: float) -> bool:
        return OPS[self.op](value, self.value)

    def met_by(self, metrics: Mapping[MetricName, float]) -> bool:
        known = metrics.get(self.metric)
        return known is not None and self.holds(known)

    def bound(self) -> str:
        """The condition without its metric, in the metric's unit: "> 70%"."""
        return f"{self.op} {with_unit(self.metric, self.value)}"

    def evidence(self, value: float) -> str:
        """How a reading that meets this condition is cited: "db_cpu_pct 92% > 70%"."""
        return f"{self.metric.value} {with_unit(self.metric, value)} {self.bound()}"

    def threshold(self, value: float | None = None) -> Threshold:
        return Threshold(metric=self.metric, op=self.op, threshold=self.value, value=value)


class Stage(Strict):
    number: StageNumber
    name: str
    users_min: int
    users_max: int | None = None
    users_label: str
    architecture: str
    components: list[str]
    monthly_cost: str


class AsWritten(Strict):
    target: str
    warning: str


class KeyMetric(Strict):
    metric: MetricName
    label: str
    target: Condition
    warning: Condition
    as_written: AsWritten

    @model_validator(mode="after")
    def _one_metric(self) -> KeyMetric:
        if {self.target.metric, self.warning.metric} != {self.metric}:
            raise ValueError(f"target and warning of {self.metric.value} must compare "
                             f"{self.metric.value}")
        return self

    @model_validator(mode="after")
    def _target_short_of_warning(self) -> KeyMetric:
        """The warning line is the worse side of the target: a value past the warning
        cannot also be on target, or a finding would call one reading both."""
        worse_is_higher = self.warning.op in (">", ">=")
        crossed = (self.target.value > self.warning.value if worse_is_higher
                   else self.target.value < self.warning.value)
        if crossed:
            side = "above" if worse_is_higher else "below"
            raise ValueError(f"target of {self.metric.value} ({self.target.bound()}) must not "
                             f"be {side} its warning line ({self.warning.bound()})")
        return self


class Advice(Strict):
    id: str
    text: str
    until_stage: StageNumber | None = None


class Focus(Strict):
    do: list[Advice]
    dont: list[Advice]


class Restraint(Strict):
    id: str
    topic: Topic | None = None
    terms: list[str] = Field(default_factory=list)
    from_stage: StageNumber
    dont: str
    why: str


class _FiresOn(Strict):
    """Fires on a measured condition or on a named signal, never both."""

    what: ClassVar[str]
    condition: Condition | None = None
    signal: str | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> _FiresOn:
        if (self.condition is None) == (self.signal is None):
            raise ValueError(f"{self.what} needs exactly one of `condition` or `signal`")
        return self


class StageTrigger(_FiresOn):
    what = "a trigger"
    id: str
    to_stage: StageNumber
    text: str
    inferred_from: list[Condition] = Field(default_factory=list)


class KeyAddition(_FiresOn):
    what = "an addition"
    id: str
    component: str
    purpose: str
    when: str
    topic: Topic


class LookupStep(Strict):
    step: int
    tier: str
    holds: str
    on_hit: str


class CacheItem(Strict):
    item: str
    ttl: str


class Caching(Strict):
    lookup_order: list[LookupStep]
    what_to_cache: list[CacheItem]


class DbQuery(Strict):
    id: str
    purpose: str
    sql: str


class ShardingStrategy(Strict):
    id: str
    name: str
    example: str
    pro: str
    con: str


class EventDriven(Strict):
    before: list[str]
    before_speed: str
    after: list[str]
    after_speed: str
    async_consumers: list[str]
    summary: str


class Checklist(Strict):
    id: str
    stage: StageNumber
    title: str
    items: list[str]


class RegionPattern(Strict):
    name: str
    consistency: str
    latency: str
    complexity: str


class ConsistencyStrategy(Strict):
    id: str
    name: str
    cap: str | None = None
    traits: list[str]
    use_for: list[str]


class HuntStep(Strict):
    step: int
    question: str
    how: str
    tools: list[str]
    layer: Layer | None = None


class LayerEntry(Strict):
    layer: Layer
    label: str
    symptoms: list[str]
    solutions: list[str]
    symptom: Symptom | None = None


class LayerRule(Strict):
    layer: Layer
    symptom: Symptom
    condition: Condition


class DbCheckArea(Strict):
    id: str
    area: str
    checks: list[str]
    seq_scan_limit: int | None = None


class CapacityExample(Strict):
    peak_rps: float
    growth_factor: float
    safety_margin: float
    result: float


class CapacityFormula(Strict):
    formula: str
    safety_default: float = Field(ge=1, allow_inf_nan=False)  # below 1 removes headroom
    example: CapacityExample
    example_note: str
    unit: str


class PoolExample(Strict):
    cores: int
    spindles: int
    result: int


class PoolFormula(Strict):
    formula: str
    ssd_spindles: int = Field(ge=0)
    example: PoolExample
    example_note: str
    unit: str


class ReplicaExample(Strict):
    reads_rps: float
    per_replica_rps: float
    result: int


class ReplicaFormula(Strict):
    formula: str
    example: ReplicaExample
    unit: str


class CacheExample(Strict):
    working_set_gb: float
    result: float


class CacheFormula(Strict):
    formula: str
    multiplier: float = Field(ge=1, allow_inf_nan=False)  # the working set plus overhead
    working_set_share_min_pct: float
    working_set_share_max_pct: float
    example: CacheExample
    overhead_note: str
    unit: str

    @model_validator(mode="after")
    def _share_range(self) -> CacheFormula:
        if not 0 <= self.working_set_share_min_pct <= self.working_set_share_max_pct <= 100:
            raise ValueError("working_set_share_min_pct and working_set_share_max_pct must be "
                             "shares from 0 to 100, the first no more than the second")
        return self


class SizingFormulas(Strict):
    capacity: CapacityFormula
    pool: PoolFormula
    replicas: ReplicaFormula
    cache: CacheFormula


class MatrixRung(Strict):
    id: str
    text: str
    # Other ways people name the rung ("scale out" for horizontal scale), so `done`,
    # `not-now` and `reopen` find it however it is said.
    aliases: list[str] = Field(default_factory=list)


class MatrixRow(Strict):
    symptom: Symptom
    label: str
    layer: Layer
    rungs: list[MatrixRung] = Field(min_length=3, max_length=3)


class CostRow(Strict):
    users: int = Field(gt=0)
    users_label: str
    architecture: str
    monthly: str
    monthly_min: int
    monthly_max: int | None = None
    stage: StageNumber


class TopicEntry(Strict):
    id: Topic
    title: str
    intro: str
    stage: StageNumber


class Playbook(Strict):
    version: int
    stages: list[Stage] = Field(min_length=4, max_length=4)
    key_metrics: list[KeyMetric]
    focus: Focus
    restraint: list[Restraint]
    triggers: list[StageTrigger]
    additions: list[KeyAddition]
    additions_stage: StageNumber = StageNumber.GROWTH  # the stage whose key additions they are
    caching: Caching
    db_queries: list[DbQuery]
    sharding: list[ShardingStrategy]
    event_driven: EventDriven
    checklists: list[Checklist]
    multi_region: list[RegionPattern]
    consistency: list[ConsistencyStrategy]
    bottleneck_hunt: list[HuntStep]
    layers: list[LayerEntry]
    layer_rules: list[LayerRule]
    db_checklist: list[DbCheckArea]
    sizing: SizingFormulas
    decision_matrix: list[MatrixRow]
    costs: list[CostRow]
    topics: list[TopicEntry]
    sharpening: list[MetricName]

    @field_validator("stages")
    @classmethod
    def _ranges_meet(cls, stages: list[Stage]) -> list[Stage]:
        """Each stage's user range ends where the next begins: an overlap would put one
        user count in two stages, a gap in none."""
        for stage, after in zip(stages, stages[1:], strict=False):
            if stage.users_max != after.users_min:
                raise ValueError(f"stage {stage.number} ends at users_max "
                                 f"{stage.users_max} but stage {after.number} starts at "
                                 f"users_min {after.users_min}; each range must end where "
                                 "the next begins")
        return stages

    @model_validator(mode="after")
    def _complete(self) -> Playbook:
        if [s.number for s in self.stages] != [1, 2, 3, 4]:
            raise ValueError("stages must be numbered 1, 2, 3, 4 in order")
        if {r.symptom for r in self.decision_matrix} != set(Symptom):
            raise ValueError("decision_matrix needs exactly one row per symptom")
        if {t.id for t in self.topics} != set(Topic):
            raise ValueError("topics needs exactly one entry per topic")
        if {entry.layer for entry in self.layers} != set(Layer):
            raise ValueError("layers needs exactly one entry per layer")
        return self

    # Lookups: small helpers so the engine reads like the guide.
    def stage(self, number: int) -> Stage:
        return self.stages[int(number) - 1]

    def row(self, symptom: Symptom) -> MatrixRow:
        return next(r for r in self.decision_matrix if r.symptom == symptom)

    def layer(self, layer: Layer) -> LayerEntry:
        return next(e for e in self.layers if e.layer == layer)

    def topic(self, topic: Topic) -> TopicEntry:
        return next(t for t in self.topics if t.id == topic)

    def label(self, name: str) -> str:
        """How a decision-matrix row or a topic, named by its id, is shown to people."""
        labels = {r.symptom.value: r.label for r in self.decision_matrix}
        labels |= {t.id.value: t.title for t in self.topics}
        return labels.get(name, name.replace("_", " "))

    def cost_for(self, stage: int) -> CostRow:
        return next(c for c in self.costs if c.stage == stage)

    def cost_row(self, stage: int, users: float | None) -> CostRow:
        """The cost table's row for a user count: the first row at or above it, since the
        table says what 10K users cost (not what Stage 2 costs); the last row past the
        table's end. With no user count, the stage's own row."""
        if users is None:
            return self.cost_for(stage)
        rows = sorted(self.costs, key=lambda c: c.users)
        return next((c for c in rows if users <= c.users), rows[-1])

    def checklist(self, stage: int) -> Checklist | None:
        return next((c for c in self.checklists if c.stage == stage), None)

    def key_metric(self, metric: MetricName) -> KeyMetric | None:
        return next((k for k in self.key_metrics if k.metric == metric), None)

    def metrics_with_lines(self) -> frozenset[MetricName]:
        """The metrics some line of this playbook is drawn on (a key metric's target or
        warning, a trigger, an addition, a layer rule): a reading of any other one changes
        no advice unless a sizing formula takes it."""
        lines = [c for k in self.key_metrics for c in (k.target, k.warning)]
        lines += [c for t in self.triggers for c in (t.condition, *t.inferred_from)]
        lines += [a.condition for a in self.additions] + [r.condition for r in self.layer_rules]
        return frozenset(c.metric for c in lines if c is not None)


def _where(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in loc) or "(top level)"


def parse_playbook(text: str, source: str) -> Playbook:
    """Validate playbook TOML text; `source` names it in any error."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise PlaybookError(f"{source}: not valid TOML: {err}") from err
    try:
        return Playbook.model_validate(data)
    except ValidationError as err:
        # An unknown key (a typo) explains the "missing" error beside it, so name it first.
        errors = sorted(err.errors(), key=lambda e: e["type"] != "extra_forbidden")
        shown = "; ".join(f"field {_where(e['loc'])}: {e['msg']}" for e in errors[:3])
        more = f" (and {len(errors) - 3} more)" if len(errors) > 3 else ""
        raise PlaybookError(f"{source}: {shown}{more}") from err


@lru_cache(maxsize=1)
def default_playbook() -> Playbook:
    """The packaged playbook, parsed once (models are frozen, so sharing is safe)."""
    text = resources.files("advisor").joinpath("data/playbook.toml").read_text(encoding="utf-8")
    return parse_playbook(text, "advisor/data/playbook.toml")
