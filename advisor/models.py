"""Data in and data out of the engine: what a team told us, and what we concluded.

These models are the seam between layers: `conversations/` stores them as JSON and
`bot/` renders them. Everything here is plain data (no Slack, no SQLite).
"""

from __future__ import annotations

from enum import IntEnum, StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from advisor.metrics import MetricName, check_metric


class Strict(BaseModel):
    """The one strict base: unknown keys fail loudly, loaded data cannot be changed."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Layer(StrEnum):
    DATABASE = "database"
    APPLICATION = "application"
    NETWORK = "network"
    STORAGE = "storage"
    EXTERNAL_API = "external_api"


class Symptom(StrEnum):
    SLOW_PAGE_LOADS = "slow_page_loads"
    DATABASE_SLOW = "database_slow"
    API_TIMEOUTS = "api_timeouts"
    HIGH_SERVER_CPU = "high_server_cpu"
    HIGH_MEMORY = "high_memory"


class Topic(StrEnum):
    CONNECTION_POOL = "connection_pool"
    READ_REPLICAS = "read_replicas"
    CACHE_SIZING = "cache_sizing"
    CAPACITY_PLANNING = "capacity_planning"
    SHARDING = "sharding"
    CACHING_STRATEGY = "caching_strategy"
    MULTI_REGION = "multi_region"
    CONSISTENCY = "consistency"
    CDN = "cdn"
    LOAD_BALANCER = "load_balancer"
    JOB_QUEUE = "job_queue"
    STAGE = "stage"


class StageNumber(IntEnum):
    STARTUP = 1
    GROWTH = 2
    SCALE = 3
    ENTERPRISE = 4


Status = Literal["ok", "watch", "warning"]


class Observations(BaseModel):
    """Everything known about a system: numbers, yes/no signals and free text.

    `signals` are qualitative facts the guide's triggers speak of (ids defined in the
    playbook, e.g. "background_tasks_blocking"); `done` holds decision-matrix rungs the
    team says it already tried, so advice starts at the next one.
    """

    metrics: dict[MetricName, float] = Field(default_factory=dict)
    signals: set[str] = Field(default_factory=set)
    text: str = ""
    done: set[str] = Field(default_factory=set)
    deferred: set[str] = Field(default_factory=set)  # rungs marked "not now": skipped, not done

    @field_validator("metrics")
    @classmethod
    def _plausible(cls, metrics: dict[MetricName, float]) -> dict[MetricName, float]:
        return {name: check_metric(name, value) for name, value in metrics.items()}


class Threshold(BaseModel):
    """A comparison that fired or was checked: `value op threshold` for one metric."""

    metric: MetricName
    op: Literal[">", ">=", "<", "<="]
    threshold: float
    value: float | None = None


class StageCard(BaseModel):
    """One stage, with every stage's name in order (`journey`) so a front can draw the
    journey in the playbook's own words without reloading it."""

    number: StageNumber
    name: str
    users_min: int
    users_max: int | None
    architecture: str
    monthly_cost: str
    journey: list[str] = Field(default_factory=list)


class Finding(BaseModel):
    metric: MetricName
    label: str
    value: float
    unit: str
    status: Status
    target: Threshold
    warning: Threshold
    message: str


class Trigger(BaseModel):
    """A "move to the next stage" condition; `fired` says whether the inputs meet it."""

    id: str
    to_stage: StageNumber
    text: str
    fired: bool
    evidence: str = ""
    threshold: Threshold | None = None
    signal: str | None = None


class Addition(BaseModel):
    component: str
    purpose: str
    reason: str
    threshold: Threshold | None = None
    detail: str = ""


class Bottleneck(BaseModel):
    layer: Layer
    confidence: float
    evidence: list[str]
    symptoms: list[str]
    solutions: list[str]


class Rung(BaseModel):
    id: str
    text: str
    done: bool = False
    deferred: bool = False  # "not now": passed over for the next rung, still open


class Ladder(BaseModel):
    symptom: Symptom
    rungs: list[Rung]
    next_index: int | None


class Sizing(BaseModel):
    kind: Literal["capacity", "pool", "replicas", "cache", "cost"]
    inputs: dict[str, float | str]
    formula: str
    worked: str
    result: float | str
    unit: str


class HealthQuery(BaseModel):
    """A database health query from the playbook, shown with a database bottleneck."""

    purpose: str
    sql: str


class Unweighed(BaseModel):
    """A reading given that changed no advice, and why, so that nothing given goes unseen."""

    metric: MetricName
    value: float
    why: str


class Assessment(BaseModel):
    """`stage_known` is False when no user count was given: `stage` is then only the
    baseline the stage-specific advice assumed, and must not be shown as "you are here"."""

    stage: StageCard
    stage_known: bool = True
    pushed_toward: StageNumber | None = None
    triggers: list[Trigger] = Field(default_factory=list)
    findings: list[Finding] = Field(default_factory=list)
    additions: list[Addition] = Field(default_factory=list)
    bottleneck: Bottleneck | None = None
    ladder: Ladder | None = None
    sizing: list[Sizing] = Field(default_factory=list)
    not_yet: list[str] = Field(default_factory=list)
    watch: list[Trigger] = Field(default_factory=list)
    missing: list[MetricName] = Field(default_factory=list)
    unweighed: list[Unweighed] = Field(default_factory=list)
    hunt: list[str] = Field(default_factory=list)  # the playbook's steps, when they are next
    db_checks: list[str] = Field(default_factory=list)  # with a database bottleneck
    db_queries: list[HealthQuery] = Field(default_factory=list)  # likewise
    inputs: Observations
    summary: str = ""


class SignatureRef(BaseModel):
    """A recognised error signature: which one, and the text of the message that matched."""

    id: str
    component: str
    name: str  # how the answer names the component: "HikariCP" for `hikaricp`
    meaning: str
    matched: str


class Candidate(BaseModel):
    """One likely reading of a text whose trouble is clear but whose layer is not."""

    layer: Layer
    symptom: Symptom | None = None
    confidence: float


class Match(BaseModel):
    """What free text is about, and how sure the matcher is."""

    kind: Literal["symptom", "question", "noise"]
    layer: Layer | None = None
    symptom: Symptom | None = None
    topic: Topic | None = None
    confidence: float = 0.0
    evidence: list[str] = Field(default_factory=list)
    metrics: dict[MetricName, float] = Field(default_factory=dict)
    signals: set[str] = Field(default_factory=set)
    done: set[str] = Field(default_factory=set)
    alternatives: list[str] = Field(default_factory=list)
    signature: SignatureRef | None = None
    candidates: list[Candidate] = Field(default_factory=list)


class AskResult(BaseModel):
    """The `ask` contract of DESIGN.md, plus the match behind it."""

    layer: Layer | None
    symptom: Symptom | None
    topic: Topic | None
    confidence: float
    metrics: dict[MetricName, float]
    answer: str
    signature: SignatureRef | None = None
    candidates: list[Candidate] = Field(default_factory=list)
    match: Match
    # The assessment a symptom's answer was written from, so the advice log can index what
    # it says about this problem rather than the stage's standing advice; not in the JSON.
    assessment: Assessment | None = Field(default=None, exclude=True)
    # The numbers read and refused, as the answer's last line says them ("Read: ...",
    # "Not read: ..."), for fronts that show a question back instead of the answer; kept
    # in the outbox's copy, left out of `ask --json` (the answer has it).
    read: str = ""


class Projection(BaseModel):
    """One number a what-if computes (capacity, replicas...), with the arithmetic shown."""

    kind: Literal["users", "capacity", "reads", "replicas", "pool", "instances", "cache",
                  "cost"]
    value: float | str
    unit: str
    worked: str
    formula: str
    note: str = ""  # the assumption it rests on, if any


class WhatIf(BaseModel):
    """The same system at `factor` times the users and load: where it lands, what must change."""

    factor: float
    users: float | None = None
    from_stage: StageNumber
    stage: StageCard
    # False without a user count: `stage` is then only the default card, not where it lands
    stage_known: bool = True
    changes: list[str] = Field(default_factory=list)
    numbers: list[Projection] = Field(default_factory=list)
    assessment: Assessment
