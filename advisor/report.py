"""Plain-text renderings of engine results, for the CLI and for `ask` answers.

Pure string building: every line that states a conclusion cites the threshold and the
value behind it. Slack's Block Kit rendering lives in bot/, built from the same models.
"""

from __future__ import annotations

from advisor.format import num
from advisor.models import Assessment, Sizing, StageCard, WhatIf

_MARK = {"ok": "ok", "watch": "watch", "warning": "WARNING"}


def users_range(card: StageCard) -> str:
    if card.users_max is None:
        return f"{num(card.users_min)}+ users"
    return f"{num(card.users_min)}-{num(card.users_max)} users"


def journey(card: StageCard) -> str:
    """The stages in a row, in the playbook's names, with a "you are here" mark."""
    names = dict(enumerate(card.journey, start=1)) or {int(card.number): card.name}
    return "  ".join(
        f"[{n} {name}]" if n == card.number else f" {n} {name} " for n, name in names.items()
    ) + "   <- you are here: " + card.name


def stage_text(card: StageCard) -> str:
    return (
        f"Stage {card.number}: {card.name} ({users_range(card)})\n"
        f"  Architecture: {card.architecture}\n"
        f"  Monthly cost: about {card.monthly_cost}"
    )


def sizing_text(s: Sizing, indent: str = "  ") -> str:
    return f"{s.kind}: {s.worked}\n{indent}formula: {s.formula}"


def _ladder_lines(a: Assessment) -> list[str]:
    if a.ladder is None:
        return []
    labels = ["First try", "Then try", "Finally"]
    lines = [f"Decision ladder ({a.ladder.symptom.value}):"]
    for i, rung in enumerate(a.ladder.rungs):
        mark = " (done)" if rung.done else " (not now)" if rung.deferred else (
            " <- next" if i == a.ladder.next_index else "")
        lines.append(f"  {labels[i]}: {rung.text}{mark}")
    if a.ladder.next_index is None:
        lines.append("  Every rung is done; look again at the bottleneck hunt.")
    return lines


def assessment_text(a: Assessment) -> str:
    """The whole assessment as a terminal or chat reader would want it."""
    if a.stage_known:
        lines = [journey(a.stage), stage_text(a.stage)]
    else:
        lines = ["Stage: not placed, since no user count was given. Advice that depends on "
                 f"the stage assumes Stage {a.stage.number} ({a.stage.name})."]
    if a.pushed_toward:
        lines.append(f"Your numbers push toward Stage {a.pushed_toward}.")
    if a.triggers:
        lines.append("Triggers fired:")
        lines += [f"  - {t.text} ({t.evidence})" for t in a.triggers]
    if a.findings:
        lines.append("Findings:")
        lines += [f"  [{_MARK[f.status]}] {f.message}" for f in a.findings]
    if a.bottleneck:
        b = a.bottleneck
        lines.append(f"Bottleneck: {b.layer.value} (confidence {b.confidence:.2f})")
        if b.evidence:
            lines.append("  evidence: " + "; ".join(b.evidence))
        lines.append("  usual fixes: " + ", ".join(b.solutions))
    lines += _ladder_lines(a)
    if a.additions:
        lines.append("Add now:")
        for add in a.additions:
            extra = f" [{add.detail}]" if add.detail else ""
            lines.append(f"  - {add.component}: {add.reason}{extra}")
    if a.sizing:
        lines.append("Sizing:")
        lines += [f"  - {sizing_text(s, indent='    ')}" for s in a.sizing]
    if a.not_yet:
        lines.append("Not yet:")
        lines += [f"  - {text}" for text in a.not_yet]
    if a.watch:
        lines.append(f"Watch for (move to Stage {a.watch[0].to_stage}):")
        lines += [f"  - {t.text}" for t in a.watch]
    if a.hunt:
        lines.append("Bottleneck hunt:")
        lines += [f"  {step}" for step in a.hunt]
    if a.db_checks:
        lines.append("Database health checks:")
        lines += [f"  - {check}" for check in a.db_checks]
        for q in a.db_queries:
            lines.append(f"  {q.purpose}:")
            lines += [f"    {line}" for line in q.sql.strip().splitlines()]
    if a.missing:
        lines.append("Would sharpen this: " + ", ".join(m.value for m in a.missing))
    return "\n".join(lines)


def what_if_text(w: WhatIf) -> str:
    users = f"{num(w.users)} users, " if w.users is not None else ""
    head = f"At {num(w.factor)}x ({users}Stage {w.stage.number} {w.stage.name}):"
    lines = [head]
    for p in w.numbers:
        note = f" ({p.note})" if p.note else ""
        lines.append(f"  {p.kind}: {p.worked}{note}")
    lines += [f"  - {c}" for c in w.changes]
    return "\n".join(lines)
