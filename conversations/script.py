"""The interview script: questions as validated data, and the rule for which to ask next.

What quotes the playbook is not in the script's file: the symptoms question's quick
answers (the decision matrix's labels) and the layer each pick names (the matrix row's
layer) are filled in from the playbook in use, so there is one mapping, the playbook's.
"""

from __future__ import annotations

import tomllib
from functools import lru_cache
from importlib import resources
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from advisor.metrics import MetricName
from advisor.models import Layer, Symptom
from advisor.playbook import Playbook, default_playbook

Op = Literal[">", ">=", "<", "<="]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Choice(Strict):
    label: str
    value: str


class Condition(Strict):
    """One reason to ask: a known layer/symptom, or a metric compared with a value.

    `layer = "none"` means no layer is known yet (planning ahead, or unclear symptoms).
    """

    layer: Layer | Literal["none"] | None = None
    symptom: Symptom | None = None
    metric: MetricName | None = None
    op: Op | None = None
    value: float | None = None


class Question(Strict):
    key: str
    kind: Literal["number", "symptoms", "yesno", "system"]
    prompt: str
    help: str
    example: str
    metric: MetricName | None = None
    signal: str | None = None
    choices: list[Choice] = Field(default_factory=list)
    when: list[Condition] = Field(default_factory=list)


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


def script_for(playbook: Playbook) -> Script:
    """The interview with the playbook's symptom labels and layers filled in."""
    data = tomllib.loads(_script_data())
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


_OPS = {
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
}


def holds(
    cond: Condition,
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
    if cond.metric is not None and cond.op is not None and cond.value is not None:
        known = metrics.get(cond.metric)
        return known is not None and _OPS[cond.op](known, cond.value)
    return False
