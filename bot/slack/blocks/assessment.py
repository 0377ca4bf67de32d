"""The assessment as mrkdwn: advisor/view.py decides what is shown and formats every
figure; this adds Slack's markup, the feedback and what-if buttons, and the what-if answer."""

from __future__ import annotations

from collections.abc import Sequence

from slack_sdk.models.blocks import Block

from advisor.engine import WHAT_IF_FACTORS
from advisor.models import Assessment, WhatIf
from advisor.view import (
    AssessmentView,
    FindingView,
    LadderView,
    SizingView,
    StageView,
    TriggerView,
    assessment_view,
    metric_label,
    what_if_view,
)
from bot.slack.blocks.kit import (
    Message,
    actions,
    button,
    context,
    fields,
    header,
    message,
    sections,
)
from bot.slack.blocks.mrkdwn import bullets, escape
from bot.slack.ids import ActionId, BlockId, indexed, pack

STATUS_MARK = {"ok": ":large_green_circle:", "watch": ":large_yellow_circle:",
               "warning": ":red_circle:"}


def journey(stage: StageView) -> str:
    """The stages in a row with the "you are here" mark."""
    steps = []
    for s in stage.journey:
        title = f"{s.number}. {escape(s.name)}"
        if s.here:
            steps.append(f"*{title}* :round_pushpin: _you are here_")
        elif s.heading:
            steps.append(f"{title} _(heading here)_")
        else:
            steps.append(title)
    return "  →  ".join(steps)


def stage_blocks(stage: StageView) -> list[Block]:
    """The journey, then users, cost and architecture side by side."""
    return [*sections(journey(stage)),
            fields([("Users", escape(stage.users(" – "))),
                    ("Monthly cost", escape(stage.monthly_cost)),
                    ("Architecture", escape(stage.architecture))])]


def finding_line(f: FindingView) -> str:
    """One finding citing its value and the threshold it was checked against."""
    return (f"{STATUS_MARK.get(f.status, '')} *{escape(f.label)}* {escape(f.value)}: "
            f"{escape(f.status)} (warning {escape(f.warning)}, target {escape(f.target)})")


def trigger_line(t: TriggerView) -> str:
    """The trigger, with the value that fired it (its evidence) or else its threshold."""
    if t.evidence:
        return f"{escape(t.text)} — {escape(t.evidence)}"
    if t.threshold:
        return f"{escape(t.text)} ({escape(t.threshold)})"
    return escape(t.text)


def ladder_lines(ladder: LadderView) -> list[str]:
    """First try / then try / finally, done rungs struck through, the next rung marked."""
    lines = []
    for rung in ladder.rungs:
        text = escape(rung.text)
        if rung.state == "done":
            lines.append(f"{rung.label}: ~{text}~ (done)")
        elif rung.state == "next":
            lines.append(f"*{rung.label}: {text}*  :point_left: _next step_")
        else:
            lines.append(f"{rung.label}: {text}")
    if ladder.note:
        lines.append(f"_{escape(ladder.note)}_")
    return lines


def sizing_text(s: SizingView) -> str:
    head = f"*{escape(s.kind.title())}*: *{escape(s.result)} {escape(s.unit)}*".rstrip()
    formula = escape(s.formula.replace("`", "'"))
    lines = [head, f"`{formula}`"]
    if s.worked:
        lines.append(escape(s.worked))
    return "\n".join(lines)


def _advice_blocks(v: AssessmentView) -> list[Block]:
    """Everything after the stage: signs, findings, bottleneck, ladder and the rest."""
    content: list[Block] = []
    if v.summary:
        content += sections(escape(v.summary))
    if v.outgrowing:
        content += sections("*Signs you are outgrowing this stage*\n"
                            + bullets([trigger_line(t) for t in v.outgrowing]))
    if v.earlier:
        content += sections("*Warning signs the guide ties to an earlier stage*\n"
                            + bullets([trigger_line(t) for t in v.earlier]))
    if v.findings:
        content += sections("*Against the thresholds*\n"
                            + "\n".join(finding_line(f) for f in v.findings))
    if v.bottleneck:
        b = v.bottleneck
        text = f"*Bottleneck: {escape(b.name)}* (confidence {b.confidence})"
        if b.evidence:
            text += "\n" + bullets([escape(e) for e in b.evidence])
        content += sections(text)
    if v.ladder:
        content += sections(f"*What to try for {escape(v.ladder.topic)}*\n"
                            + "\n".join(ladder_lines(v.ladder)))
    if v.additions:
        lines = [f"*{escape(add.component)}*: {escape(add.purpose)} — {escape(add.reason)}"
                 + (f". {escape(add.detail)}" if add.detail else "") for add in v.additions]
        content += sections("*Add next*\n" + bullets(lines))
    for s in v.sizing:
        content += sections(sizing_text(s))
    if v.not_yet:
        content += sections("*Not yet*\n" + bullets([escape(x) for x in v.not_yet]))
    if v.watch:
        content += sections("*Watch for*\n" + bullets([trigger_line(t) for t in v.watch]))
    if v.hunt:
        content += sections("*Bottleneck hunt*\n" + "\n".join(escape(s) for s in v.hunt))
    if v.db_checks:
        queries = "\n".join(f"{escape(q.purpose)}:\n```{escape(q.sql.strip())}```"
                            for q in v.db_queries)
        content += sections("*Database health checks*\n" + bullets(
            [escape(c) for c in v.db_checks]) + ("\n" + queries if queries else ""))
    if v.unweighed:
        content.append(context("Given but not weighed: "
                               + "; ".join(escape(u) for u in v.unweighed)))
    if v.missing:
        content.append(context("To sharpen this, tell me: "
                               + ", ".join(escape(metric_label(m)) for m in v.missing)))
    return content


def assessment_message(a: Assessment, advice_id: str | int) -> Message:
    """The full answer to a diagnosis, with feedback and what-if buttons carrying `advice_id`."""
    v = assessment_view(a)
    if v.stage_known:
        content: list[Block] = [header(v.stage.heading), *stage_blocks(v.stage)]
    else:
        content = [header("Scaling assessment"), context(f"_{escape(v.unplaced)}_")]
    content += _advice_blocks(v)
    text = v.stage.heading if v.stage_known else "Scaling assessment"
    if v.bottleneck:
        text += f"; bottleneck: {v.bottleneck.layer}"
    return message(text, content, feedback_blocks(advice_id) + what_if_blocks(advice_id))


def feedback_blocks(advice_id: str | int) -> list[Block]:
    advice_id = str(advice_id)
    return actions(BlockId.FEEDBACK, [
        button(":thumbsup: Helpful", ActionId.FEEDBACK_HELPFUL, advice_id),
        button(":thumbsdown: Not helpful", ActionId.FEEDBACK_NOT_HELPFUL, advice_id),
    ])


def what_if_blocks(advice_id: str | int) -> list[Block]:
    advice_id = str(advice_id)
    return actions(BlockId.WHAT_IF, [
        button(f"What if {factor:,}x?", indexed(ActionId.WHAT_IF, factor), pack(advice_id, factor))
        for factor in WHAT_IF_FACTORS
    ])


def what_if_message(steps: Sequence[WhatIf]) -> Message:
    """Where 10x / 100x / 1000x the users and load would land, and what each step needs."""
    views = [what_if_view(w) for w in steps]
    content: list[Block] = []
    for v in views:
        users = f"{v.users} users, " if v.users is not None else ""
        head = f"*At {v.factor}x* ({escape(users)}{escape(v.stage)})"
        if v.same_stage:
            head += " — same stage as today"
        changes = bullets([escape(c) for c in v.changes]) if v.changes else "_No stage change._"
        figures = bullets([f"*{escape(f.kind)}*: {escape(f.worked)}"
                           + (f" _({escape(f.note)})_" if f.note else "") for f in v.figures])
        content += sections(f"{head}\n{figures}\n{changes}" if figures else f"{head}\n{changes}")
    text = "What if: " + ", ".join(f"{v.factor}x → stage {v.stage_number}"
                                   for v in views)
    return message(text or "What if", content)
