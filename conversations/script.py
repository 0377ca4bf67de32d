"""The interview script: questions as validated data, and the rule for which to ask next.

What quotes the playbook is not in the script's file: the symptoms question's quick
answers (the decision matrix's labels) and the layer each pick names (the matrix row's
layer) are filled in from the playbook in use, so there is one mapping, the playbook's.
Prompts, help texts and `when` values name the guide's figures by placeholder
(`{p95_ms.warning}`, `{stage.2.users}`, see `playbook_refs`), filled from the same
playbook; an unknown placeholder fails when the script is built, so at start-up.
"""

from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from importlib import resources
from typing import Any, Literal

from pydantic import Field, model_validator

from advisor.format import compact, num, with_unit
from advisor.metrics import METRIC_SPECS, MetricName, Unit
from advisor.models import Layer, Strict, Symptom
from advisor.playbook import Condition, Playbook, PlaybookError, default_playbook


class Choice(Strict):
    label: str
    value: str


class When(Strict):
    """One reason to ask: a known layer/symptom, or a metric compared with a value.

    `layer = "none"` means no layer is known yet (planning ahead, or unclear symptoms).
    The comparison is written flat in the file (`metric`, `op`, `value`) and held as the
    playbook's own `Condition`.
    """

    layer: Layer | Literal["none"] | None = None
    symptom: Symptom | None = None
    compare: Condition | None = None

    @model_validator(mode="before")
    @classmethod
    def _flat(cls, data: Any) -> Any:
        if isinstance(data, dict) and "metric" in data:
            data = dict(data)
            data["compare"] = {k: data.pop(k) for k in ("metric", "op", "value") if k in data}
        return data


class Question(Strict):
    key: str
    kind: Literal["number", "symptoms", "yesno", "system"]
    prompt: str
    help: str
    example: str
    metric: MetricName | None = None
    signal: str | None = None
    choices: list[Choice] = Field(default_factory=list)
    when: list[When] = Field(default_factory=list)


class Script(Strict):
    max_questions: int
    symptom_layers: dict[Symptom, Layer]  # from the playbook's decision matrix
    questions: list[Question]

    def question(self, key: str) -> Question:
        return next(q for q in self.questions if q.key == key)


SYMPTOM_PREFIX = "symptom:"


@lru_cache(maxsize=1)
def _script_data() -> str:
    return resources.files("conversations").joinpath("data/questions.toml").read_text("utf-8")


Refs = dict[str, tuple[float | None, str]]
PLACEHOLDER = re.compile(r"\{([a-z0-9_.]+)\}")


def _shown(cond: Condition) -> str:
    """A threshold as a person writes it: whole seconds as seconds ("1s", not "1,000ms")."""
    if METRIC_SPECS[cond.metric].unit is Unit.MS and cond.value >= 1000 and cond.value % 100 == 0:
        return f"{num(cond.value / 1000)}s"
    return with_unit(cond.metric, cond.value)


def playbook_refs(playbook: Playbook) -> Refs:
    """Every figure the script may quote, by placeholder name: (number, as shown).

    `stage.N.name`, `stage.N.users` (its lower bound, "10K"), `<metric>.target` and
    `<metric>.warning` for each key metric, `trigger.<id>` and `addition.<id>` for those
    with a condition, `sizing.safety`, `sizing.cache_multiplier`,
    `sizing.working_set_min` and `sizing.working_set_max`.
    """
    refs: Refs = {}
    for stage in playbook.stages:
        refs[f"stage.{stage.number}.name"] = (None, stage.name)
        refs[f"stage.{stage.number}.users"] = (stage.users_min, compact(stage.users_min))
    for key in playbook.key_metrics:
        for kind, cond in (("target", key.target), ("warning", key.warning)):
            refs[f"{key.metric.value}.{kind}"] = (cond.value, _shown(cond))
    for item in [*playbook.triggers, *playbook.additions]:
        if item.condition is not None:
            kind = "trigger" if item in playbook.triggers else "addition"
            cond = item.condition
            refs[f"{kind}.{item.id}"] = (cond.value, _shown(cond))
    sizing = playbook.sizing
    for name, value, shown in (
        ("safety", sizing.capacity.safety_default, f"{num(sizing.capacity.safety_default)}x"),
        ("cache_multiplier", sizing.cache.multiplier, f"{num(sizing.cache.multiplier)}x"),
        ("working_set_min", sizing.cache.working_set_share_min_pct,
         f"{num(sizing.cache.working_set_share_min_pct)}%"),
        ("working_set_max", sizing.cache.working_set_share_max_pct,
         f"{num(sizing.cache.working_set_share_max_pct)}%"),
    ):
        refs[f"sizing.{name}"] = (value, shown)
    return refs


def _ref(refs: Refs, name: str, where: str) -> tuple[float | None, str]:
    if name not in refs:
        raise PlaybookError(f"questions.toml: {where}: unknown placeholder {{{name}}}")
    return refs[name]


def _fill_text(text: str, refs: Refs, where: str) -> str:
    return PLACEHOLDER.sub(lambda m: _ref(refs, m.group(1), where)[1], text)


def _fill_value(value: Any, refs: Refs, where: str) -> Any:
    """A `when` value written as one placeholder becomes the playbook's number."""
    whole = PLACEHOLDER.fullmatch(value) if isinstance(value, str) else None
    if whole is None:
        return value
    number = _ref(refs, whole.group(1), where)[0]
    if number is None:
        raise PlaybookError(f"questions.toml: {where}: {{{whole.group(1)}}} is not a number")
    return number


def _fill_question(question: dict[str, Any], refs: Refs) -> None:
    key = question.get("key", "?")
    for field in ("prompt", "help", "example"):
        if isinstance(question.get(field), str):
            question[field] = _fill_text(question[field], refs, f"{key}.{field}")
    for cond in question.get("when", []):
        if "value" in cond:
            cond["value"] = _fill_value(cond["value"], refs, f"{key}.when")


def script_for(playbook: Playbook) -> Script:
    """The interview with the playbook's symptom labels, layers and figures filled in."""
    data = tomllib.loads(_script_data())
    refs = playbook_refs(playbook)
    for question in data.get("questions", []):
        _fill_question(question, refs)
    matrix = [{"label": row.label, "value": f"{SYMPTOM_PREFIX}{row.symptom.value}"}
              for row in playbook.decision_matrix]
    for question in data.get("questions", []):
        if question.get("kind") == "symptoms":
            question["choices"] = [*matrix, *question.get("choices", [])]
    data["symptom_layers"] = {row.symptom.value: row.layer.value
                              for row in playbook.decision_matrix}
    return Script.model_validate(data)


@lru_cache(maxsize=1)
def default_script() -> Script:
    return script_for(default_playbook())


def holds(
    cond: When,
    *,
    layer: Layer | None,
    symptom: Symptom | None,
    metrics: dict[MetricName, float],
) -> bool:
    """Whether one `when` condition is met by what is known so far."""
    if cond.layer is not None:
        return (layer is None) if cond.layer == "none" else layer == cond.layer
    if cond.symptom is not None:
        return symptom == cond.symptom
    return cond.compare is not None and cond.compare.met_by(metrics)
