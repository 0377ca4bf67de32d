"""Plain-text renderings of engine results, for the CLI and for `ask` answers.

Pure string building: every line that states a conclusion cites the threshold and the
value behind it. Both this and Slack's Block Kit (bot/slack/blocks/) render advisor/view.py.
"""

from __future__ import annotations

from collections.abc import Iterable

from advisor.models import Assessment, Sizing, StageCard, WhatIf
from advisor.view import (
    AssessmentView,
    SizingView,
    StageView,
    assessment_view,
    sizing_view,
    stage_view,
    what_if_view,
)

_MARK = {"ok": "ok", "watch": "watch", "warning": "WARNING"}
_RUNG_MARK = {"done": " (done)", "not_now": " (not now)", "next": " <- next", "open": ""}


def users_range(stage: StageView) -> str:
    return f"{stage.users()} users"


def journey(stage: StageView) -> str:
    """The stages in a row, in the playbook's names, with a "you are here" mark."""
    return "  ".join(
        f"[{s.number} {s.name}]" if s.here else f" {s.number} {s.name} " for s in stage.journey
    ) + "   <- you are here: " + stage.name


def stage_text(card: StageCard | StageView) -> str:
    stage = card if isinstance(card, StageView) else stage_view(card)
    return (
        f"{stage.heading} ({users_range(stage)})\n"
        f"  Architecture: {stage.architecture}\n"
        f"  Monthly cost: about {stage.monthly_cost}"
    )


def sizing_text(s: Sizing | SizingView, indent: str = "  ") -> str:
    v = s if isinstance(s, SizingView) else sizing_view(s)
    return f"{v.kind}: {v.worked}\n{indent}formula: {v.formula}"


def _ladder_lines(v: AssessmentView) -> list[str]:
    if v.ladder is None:
        return []
    lines = [f"Decision ladder ({v.ladder.symptom}):"]
    lines += [f"  {r.label}: {r.text}{_RUNG_MARK[r.state]}" for r in v.ladder.rungs]
    if v.ladder.note:
        lines.append(f"  {v.ladder.note}")
    return lines


def _part(title: str, items: Iterable[str]) -> list[str]:
    """A titled part of the text, left out when it has nothing to say."""
    lines = list(items)
    return [title, *lines] if lines else []


def _bottleneck_lines(v: AssessmentView) -> list[str]:
    b = v.bottleneck
    if b is None:
        return []
    lines = [f"Bottleneck: {b.layer} (confidence {b.confidence})"]
    if b.evidence:
        lines.append("  evidence: " + "; ".join(b.evidence))
    return [*lines, "  usual fixes: " + ", ".join(b.solutions)]


def _db_lines(v: AssessmentView) -> list[str]:
    if not v.db_checks:
        return []
    lines = [f"  - {check}" for check in v.db_checks]
    for q in v.db_queries:
        lines.append(f"  {q.purpose}:")
        lines += [f"    {line}" for line in q.sql.strip().splitlines()]
    return lines


def assessment_text(a: Assessment) -> str:
    """The whole assessment as a terminal or chat reader would want it."""
    v = assessment_view(a)
    lines = [journey(v.stage), stage_text(v.stage)] if v.stage_known else [v.unplaced]
    if v.pushed_toward:
        lines.append(f"What you report pushes toward Stage {v.pushed_toward}.")
    lines += _part("Triggers fired:", (f"  - {t.text} ({t.evidence})" for t in v.triggers))
    lines += _part("Findings:", (f"  [{_MARK[f.status]}] {f.message}" for f in v.findings))
    lines += _bottleneck_lines(v)
    lines += _ladder_lines(v)
    lines += _part("Add now:", (f"  - {add.component}: {add.reason}"
                                + (f" [{add.detail}]" if add.detail else "")
                                for add in v.additions))
    lines += _part("Sizing:", (f"  - {sizing_text(s, indent='    ')}" for s in v.sizing))
    lines += _part("Not yet:", (f"  - {text}" for text in v.not_yet))
    if v.watch:
        lines += _part(f"Watch for (move to Stage {v.watch[0].to_stage}):",
                       (f"  - {t.text}" for t in v.watch))
    lines += _part("Bottleneck hunt:", (f"  {step}" for step in v.hunt))
    lines += _part("Database health checks:", _db_lines(v))
    if v.unweighed:
        lines.append("Given but not weighed: " + "; ".join(v.unweighed))
    if v.missing:
        lines.append("Would sharpen this: " + ", ".join(m.value for m in v.missing))
    return "\n".join(lines)


def what_if_text(w: WhatIf) -> str:
    v = what_if_view(w)
    users = f"{v.users} users, " if v.users is not None else ""
    lines = [f"At {v.factor}x ({users}{v.stage}):"]
    lines += [f"  {f.kind}: {f.worked}" + (f" ({f.note})" if f.note else "") for f in v.figures]
    lines += [f"  - {c}" for c in v.changes]
    return "\n".join(lines)
