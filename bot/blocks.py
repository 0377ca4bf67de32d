"""The one place that builds Block Kit: every message and view the app sends comes from here.

Builders take plain data (advisor models, small input models below) and return `Message`
or a view dict built from slack_sdk model objects, so slack_sdk checks what it can when
serialising. What it does not check (blocks per message, field lengths) is enforced
here: long content is split across blocks or trimmed with a visible note, never sent
over a limit for Slack to reject. `validate_message` / `validate_view` re-check dicts.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel
from slack_sdk.models.basic_objects import EMPTY_ALLOWED_TYPE_AND_PROPERTY_LIST, JsonObject
from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from advisor.metrics import METRIC_SPECS, MetricName
from advisor.models import (
    AskResult,
    Assessment,
    Finding,
    Ladder,
    Sizing,
    StageCard,
    StageNumber,
    Threshold,
    Trigger,
    WhatIf,
)
from bot.mrkdwn import archive_url, bold, bullets, channel, escape, link, user
from bot.slack.ids import ActionId, BlockId, CallbackId, InputId, indexed, pack
from conversations.dialog import RESTART_KINDS, Reply
from conversations.service import Outbound

# Slack's limits (FACTS.md).
MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_SECTION_TEXT = 3000
MAX_FIELDS = 10
MAX_FIELD_TEXT = 2000
MAX_HEADER = 150
MAX_BUTTON_TEXT = 75
MAX_BUTTON_VALUE = 2000
MAX_ID = 255
MAX_ACTIONS_ELEMENTS = 25
MAX_CONTEXT_ELEMENTS = 10
MAX_VIEW_TITLE = 24
MAX_PRIVATE_METADATA = 3000
MAX_MESSAGE_TEXT = 40_000
MAX_INPUT_LABEL = 2000
MAX_PLACEHOLDER = 150

ELLIPSIS = "…"
WHAT_IF_FACTORS = (10, 100, 1000)
STATUS_MARK = {"ok": ":large_green_circle:", "watch": ":large_yellow_circle:",
               "warning": ":red_circle:"}


class Message(BaseModel):
    """A chat message: fallback `text` (notifications, screen readers) plus blocks."""

    text: str
    blocks: list[dict[str, Any]]

    def kwargs(self) -> dict[str, Any]:
        """Arguments for chat.postMessage / chat.update / respond / ack."""
        return {"text": self.text, "blocks": self.blocks}


class Choice(BaseModel):
    """A quick-answer button: what it says and what it sends back."""

    label: str
    value: str


class FormField(BaseModel):
    """One modal input; `key` names it in view.state (block `field:<key>`)."""

    key: str
    label: str
    hint: str = ""
    placeholder: str = ""
    initial: str = ""
    optional: bool = True


class HistoryRow(BaseModel):
    """One logged piece of advice as the history list and App Home show it."""

    advice_id: str | int
    when: datetime
    channel_id: str
    ts: str | None = None
    thread_ts: str | None = None
    url: str | None = None
    user_id: str | None = None
    stage: StageNumber | None = None
    stage_name: str = ""
    bottleneck: str | None = None
    summary: str = ""


HELP_LINES: tuple[tuple[str, str], ...] = (
    ("/scale diagnose", "a short check-up in a thread, one question at a time"),
    ("/scale diagnose users=50k p95=1.2s db_cpu=85%",
     "an assessment at once from numbers you have"),
    ("/scale ask <question or symptom>", "a direct answer, e.g. `/scale ask db cpu pegged at 95%`"),
    ("/scale size pool|replicas|cache|capacity ...", "sizing with the formula shown"),
    ("/scale stage <users>", "which stage of the journey that many users puts you in"),
    ("/scale history [query]", "advice given before in this channel, newest first"),
    ("/scale diagnose system=NAME ...",
     "file it under a named system: what changed since last time"),
    ("/scale systems", "the named systems this channel can see, with trends"),
    ("/scale help", "this message"),
)


# --------------------------------------------------------------------------- text helpers


def trim(text: str, limit: int, note: str = ELLIPSIS) -> str:
    """`text` cut to `limit` characters, ending with `note` when something was cut."""
    if len(text) <= limit:
        return text
    return text[: max(0, limit - len(note))].rstrip() + note


def split_text(text: str, limit: int = MAX_SECTION_TEXT) -> list[str]:
    """Chunks of at most `limit` characters, cut at line ends, then spaces, then anywhere."""
    chunks: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:
            cut = line.rfind(" ", 0, limit)
            cut = cut if cut > limit // 2 else limit
            piece, line = line[:cut], line[cut:].lstrip(" ")
            if current:
                chunks.append(current)
                current = ""
            chunks.append(piece)
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            chunks.append(current)
            current = line
        else:
            current = candidate
    if current.strip():
        chunks.append(current)
    return [c for c in chunks if c.strip()] or [""]


def number(value: float) -> str:
    """1,400 / 0.92 / 12.5 — no trailing zeros, thousands separated."""
    if float(value).is_integer() and abs(value) < 1e15:
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def with_unit(value: float, unit: str) -> str:
    if unit in ("%", "x"):
        return f"{number(value)}{unit}"
    if unit in ("", "count"):
        return number(value)
    return f"{number(value)} {unit}"


def threshold_text(t: Threshold) -> str:
    return f"{t.op} {with_unit(t.threshold, METRIC_SPECS[t.metric].unit)}"


def metric_label(name: MetricName) -> str:
    return METRIC_SPECS[name].label


def stage_title(number_: StageNumber, name: str | None = None) -> str:
    """"Stage 2 Growth", in the playbook's name for it when known."""
    return f"Stage {int(number_)} {name or StageNumber(number_).name.title()}"


# --------------------------------------------------------------------------- block helpers


def _sections(mrkdwn: str, block_id: str | None = None) -> list[Block]:
    """One or more sections holding `mrkdwn` (already escaped), split at the text limit."""
    parts = split_text(mrkdwn, MAX_SECTION_TEXT)
    return [
        SectionBlock(text=MarkdownTextObject(text=part),
                     block_id=indexed(block_id, i) if block_id and i else block_id)
        for i, part in enumerate(parts)
    ]


def _header(text: str) -> HeaderBlock:
    return HeaderBlock(text=PlainTextObject(text=trim(text, MAX_HEADER), emoji=True))


def _context(*mrkdwn: str) -> ContextBlock:
    items = [m for m in mrkdwn if m][:MAX_CONTEXT_ELEMENTS]
    elements = [MarkdownTextObject(text=trim(m, MAX_SECTION_TEXT)) for m in items]
    return ContextBlock(elements=elements)


def _fields(pairs: Iterable[tuple[str, str]]) -> SectionBlock:
    """A fields section: at most 10 `*label*\\nvalue` cells of at most 2000 characters."""
    cells = [trim(f"{bold(k)}\n{v}", MAX_FIELD_TEXT) for k, v in pairs][:MAX_FIELDS]
    return SectionBlock(fields=[MarkdownTextObject(text=c) for c in cells])


def _button(text: str, action_id: str, value: str, style: str | None = None) -> ButtonElement:
    if len(value) > MAX_BUTTON_VALUE:
        raise ValueError(f"button value over {MAX_BUTTON_VALUE} characters for {action_id}")
    return ButtonElement(text=PlainTextObject(text=trim(text, MAX_BUTTON_TEXT), emoji=True),
                         action_id=action_id, value=value, style=style)


def _actions(block_id: str, buttons: Sequence[ButtonElement]) -> list[Block]:
    """Buttons in actions blocks of at most 25 elements each."""
    chunks = [buttons[i:i + MAX_ACTIONS_ELEMENTS]
              for i in range(0, len(buttons), MAX_ACTIONS_ELEMENTS)]
    return [ActionsBlock(block_id=indexed(block_id, i) if i else block_id, elements=list(chunk))
            for i, chunk in enumerate(chunks)]


def _fit(content: list[Block], tail: list[Block], limit: int) -> list[dict[str, Any]]:
    """Content then tail (buttons), dropping content from the end with a note if too long."""
    room = limit - len(tail)
    if len(content) > room:
        dropped = len(content) - (room - 1)
        content = content[: room - 1] + [_context(
            f"_{dropped} more part{'s' if dropped != 1 else ''} left out to fit Slack's limits._")]
    return [plain(block) for block in content + tail]


_EMPTY_ALLOWED = frozenset((e["type"], e["property"]) for e in EMPTY_ALLOWED_TYPE_AND_PROPERTY_LIST)


def plain(value: Any) -> Any:
    """`value.to_dict()` without slack_sdk's validators, which run again at every level
    of nesting and cost more than the rest of a message's rendering; the limits they check
    are kept by construction here and re-checked by `validate_message` before a post (the
    tests also run slack_sdk's own validation over every message built)."""
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if not isinstance(value, JsonObject):
        return value
    if type(value).to_dict is not JsonObject.to_dict:  # its own rules (Option, Confirm...)
        return value.to_dict()
    kind = getattr(value, "type", None)
    out = {}
    for key in sorted(value.attributes):
        item = getattr(value, key, None)
        if item is None or (hasattr(item, "__len__") and not len(item)
                            and (kind, key) not in _EMPTY_ALLOWED):
            continue
        out[key] = plain(item)
    return out


def _message(text: str, content: list[Block], tail: Sequence[Block] = ()) -> Message:
    """`text` is plain words (escaped here): it is what notifications show."""
    return Message(text=trim(escape(text), MAX_MESSAGE_TEXT),
                   blocks=_fit(content, list(tail), MAX_MESSAGE_BLOCKS))


# --------------------------------------------------------------------------- help


def help_message(unknown: str | None = None, suggestions: Sequence[str] = ()) -> Message:
    """Usage of `/scale`; with `unknown`, says so and offers up to three close subcommands."""
    content: list[Block] = []
    if unknown is not None:
        lead = f"I don't know `/scale {escape(trim(unknown, 100))}`."
        if suggestions:
            lead += " Did you mean " + " or ".join(
                f"`/scale {escape(s)}`" for s in list(suggestions)[:3]) + "?"
        content += _sections(lead)
    lines = [f"`{escape(usage)}` — {escape(what)}" for usage, what in HELP_LINES]
    content += _sections("*What I can do*\n" + bullets(lines))
    content.append(_context(
        "Mention me in any channel I'm in with a symptom, e.g. _checkout times out and db cpu is "
        "pegged_, and I'll answer in a thread."))
    text = "Scalability Advisor: /scale diagnose, ask, size, stage, history, help"
    return _message(text, content)


def not_understood_message(text: str) -> Message:
    """For a mention that is not a scaling matter: what the bot can help with."""
    content = _sections(
        f"I couldn't tie _{escape(trim(text, 300))}_ to a scaling question or symptom. "
        "I can help with slow pages, a struggling database, timeouts, CPU or memory pressure, "
        "sizing pools, replicas, caches and capacity, and where you are on the scaling journey.")
    content.append(_context("Try `/scale help` for everything I do."))
    return _message("Here is what I can help with", content)


# --------------------------------------------------------------------------- assessment


def journey(card: StageCard, pushed_toward: StageNumber | None = None) -> str:
    """The four stages in a row with the "you are here" mark."""
    steps = []
    names = dict(enumerate(card.journey, start=1)) or {int(card.number): card.name}
    for n, name in names.items():
        title = f"{n}. {escape(name)}"
        if n == card.number:
            steps.append(f"*{title}* :round_pushpin: _you are here_")
        elif n == pushed_toward:
            steps.append(f"{title} _(heading here)_")
        else:
            steps.append(title)
    return "  →  ".join(steps)


def _users_range(card: StageCard) -> str:
    if card.users_max is None:
        return f"{number(card.users_min)}+"
    return f"{number(card.users_min)} – {number(card.users_max)}"


def finding_line(f: Finding) -> str:
    """One finding citing its value and the threshold it was checked against."""
    value = escape(with_unit(f.value, f.unit))
    limits = (f"warning {escape(threshold_text(f.warning))}, "
              f"target {escape(threshold_text(f.target))}")
    return (f"{STATUS_MARK.get(f.status, '')} *{escape(f.label)}* {value}: "
            f"{escape(f.status)} ({limits})")


def trigger_line(t: Trigger) -> str:
    """The trigger, with the value that fired it (its evidence) or else its threshold."""
    if t.evidence:
        return f"{escape(t.text)} — {escape(t.evidence)}"
    if t.threshold is not None:
        return (f"{escape(t.text)} ({escape(metric_label(t.threshold.metric))} "
                f"{escape(threshold_text(t.threshold))})")
    return escape(t.text)


def ladder_lines(ladder: Ladder) -> list[str]:
    """First try / then try / finally, done rungs struck through, the next rung marked."""
    lines = []
    last = len(ladder.rungs) - 1
    for i, rung in enumerate(ladder.rungs):
        label = "First try" if i == 0 else ("Finally" if i == last and last >= 2 else "Then try")
        text = escape(rung.text)
        if rung.done:
            line = f"{label}: ~{text}~ (done)"
        elif i == ladder.next_index:
            line = f"*{label}: {text}*  :point_left: _next step_"
        else:
            line = f"{label}: {text}"
        lines.append(line)
    if ladder.next_index is None and ladder.rungs:
        lines.append("_Every rung has been tried: time for the bottleneck hunt._")
    return lines


def sizing_text(s: Sizing) -> str:
    result = s.result if isinstance(s.result, str) else number(s.result)
    head = f"*{escape(s.kind.title())}*: *{escape(result)} {escape(s.unit)}*".rstrip()
    formula = escape(s.formula.replace("`", "'"))
    lines = [head, f"`{formula}`"]
    if s.worked:
        lines.append(escape(s.worked))
    return "\n".join(lines)


def assessment_message(a: Assessment, advice_id: str | int) -> Message:
    """The full answer to a diagnosis, with feedback and what-if buttons carrying `advice_id`."""
    card = a.stage
    if a.stage_known:
        content: list[Block] = [_header(f"Stage {int(card.number)}: {card.name}")]
        content += _sections(journey(card, a.pushed_toward))
        content.append(_fields([("Users", escape(_users_range(card))),
                                ("Monthly cost", escape(card.monthly_cost)),
                                ("Architecture", escape(card.architecture))]))
    else:
        content = [_header("Scaling assessment")]
        content.append(_context(
            f"_No user count given, so I can't place you on the journey; advice that depends "
            f"on the stage assumes Stage {int(card.number)} ({escape(card.name)})._"))
    if a.summary:
        content += _sections(escape(a.summary))
    fired = [t for t in a.triggers if t.fired]
    ahead = [t for t in fired if int(t.to_stage) > int(card.number)]
    behind = [t for t in fired if int(t.to_stage) <= int(card.number)]
    if ahead:
        content += _sections("*Signs you are outgrowing this stage*\n"
                             + bullets([trigger_line(t) for t in ahead]))
    if behind:
        content += _sections("*Warning signs the guide ties to an earlier stage*\n"
                             + bullets([trigger_line(t) for t in behind]))
    if a.findings:
        content += _sections("*Against the thresholds*\n"
                             + "\n".join(finding_line(f) for f in a.findings))
    if a.bottleneck:
        b = a.bottleneck
        text = (f"*Bottleneck: {escape(b.layer.value.replace('_', ' '))}* "
                f"(confidence {round(b.confidence * 100)}%)")
        if b.evidence:
            text += "\n" + bullets([escape(e) for e in b.evidence])
        content += _sections(text)
    if a.ladder and a.ladder.rungs:
        title = f"*What to try for {escape(a.ladder.symptom.value.replace('_', ' '))}*"
        content += _sections(title + "\n" + "\n".join(ladder_lines(a.ladder)))
    if a.additions:
        lines = []
        for add in a.additions:
            line = f"*{escape(add.component)}*: {escape(add.purpose)} — {escape(add.reason)}"
            if add.detail:
                line += f". {escape(add.detail)}"
            lines.append(line)
        content += _sections("*Add next*\n" + bullets(lines))
    for s in a.sizing:
        content += _sections(sizing_text(s))
    if a.not_yet:
        content += _sections("*Not yet*\n" + bullets([escape(x) for x in a.not_yet]))
    if a.watch:
        content += _sections("*Watch for*\n" + bullets([trigger_line(t) for t in a.watch]))
    if a.hunt:
        content += _sections("*Bottleneck hunt*\n" + "\n".join(escape(s) for s in a.hunt))
    if a.db_checks:
        queries = "\n".join(f"{escape(q.purpose)}:\n```{escape(q.sql.strip())}```"
                            for q in a.db_queries)
        content += _sections("*Database health checks*\n" + bullets(
            [escape(c) for c in a.db_checks]) + ("\n" + queries if queries else ""))
    if a.missing:
        content.append(_context("To sharpen this, tell me: "
                                + ", ".join(escape(metric_label(m)) for m in a.missing)))
    text = f"Stage {int(card.number)}: {card.name}" if a.stage_known else "Scaling assessment"
    if a.bottleneck:
        text += f"; bottleneck: {a.bottleneck.layer.value}"
    return _message(text, content, feedback_blocks(advice_id) + what_if_blocks(advice_id))


def feedback_blocks(advice_id: str | int) -> list[Block]:
    advice_id = str(advice_id)
    return _actions(BlockId.FEEDBACK, [
        _button(":thumbsup: Helpful", ActionId.FEEDBACK_HELPFUL, advice_id),
        _button(":thumbsdown: Not helpful", ActionId.FEEDBACK_NOT_HELPFUL, advice_id),
    ])


def what_if_blocks(advice_id: str | int) -> list[Block]:
    advice_id = str(advice_id)
    return _actions(BlockId.WHAT_IF, [
        _button(f"What if {factor:,}x?", indexed(ActionId.WHAT_IF, factor), pack(advice_id, factor))
        for factor in WHAT_IF_FACTORS
    ])


# --------------------------------------------------------------------------- ask


def answer_message(result: AskResult, advice_id: str | int | None = None,
                   question: str | None = None) -> Message:
    """A free-text answer; what was matched and read is shown so people can correct it."""
    content: list[Block] = []
    if question:
        content.append(_context(f"> {escape(trim(question, 500))}"))
    content += _sections(escape(result.answer) or "_No answer._")
    matched = [f"{k}: {escape(str(v).replace('_', ' '))}"
               for k, v in (("layer", result.layer), ("symptom", result.symptom),
                            ("topic", result.topic)) if v is not None]
    if matched:
        matched.append(f"confidence {round(result.confidence * 100)}%")
        content.append(_context(" · ".join(matched)))
    if result.metrics:
        read = ", ".join(f"{escape(metric_label(m))} {escape(with_unit(v, METRIC_SPECS[m].unit))}"
                         for m, v in result.metrics.items())
        content.append(_context(f"I read: {read}"))
    tail = feedback_blocks(advice_id) if advice_id is not None else []
    return _message(trim(result.answer, 300) or "Answer", content, tail)


def did_you_mean_message(question: str, candidates: Sequence[Choice], ref: str) -> Message:
    """Up to three likely matches as buttons instead of a guess.

    Each value packs the candidate, then `ref` (free text, e.g. the question itself).
    """
    shown = list(candidates)[:3]
    asked = escape(trim(question, 300))
    content = _sections(f"I'm not sure what _{asked}_ is about. Did you mean:")
    tail = _actions(BlockId.CANDIDATES, [
        _button(c.label, indexed(ActionId.PICK_MATCH, i), pack(c.value, ref))
        for i, c in enumerate(shown)
    ]) if shown else []
    return _message("Did you mean one of these?", content, tail)


# --------------------------------------------------------------------------- dialog


def dialog_question(prompt: str, ref: str, choices: Sequence[Choice] = (), *, hint: str = "",
                    error: str = "", step: tuple[int, int] | None = None,
                    allow_form: bool = True) -> Message:
    """One interview question: quick answers, then skip / cancel / use a form instead.

    `ref` identifies the dialog (opaque to Slack) and is packed into every button value.
    `error` is the short re-prompt after an answer that could not be read.
    """
    content: list[Block] = []
    if error:
        content += _sections(f":warning: {escape(error)}")
    lead = f"_Question {step[0]}, of at most {step[1]}_\n" if step else ""
    content += _sections(lead + bold(prompt), BlockId.DIALOG_PROMPT)
    if hint:
        content.append(_context(escape(hint)))
    tail: list[Block] = []
    if choices:
        tail += _actions(BlockId.DIALOG_CHOICES, [
            _button(c.label, indexed(ActionId.DIALOG_CHOICE, i), pack(ref, c.value))
            for i, c in enumerate(choices)
        ])
    controls = [_button("Skip", ActionId.DIALOG_SKIP, ref),
                _button("Cancel", ActionId.DIALOG_CANCEL, ref, style="danger")]
    if allow_form:
        controls.append(_button("Use a form instead", ActionId.DIALOG_OPEN_FORM, ref))
    tail += _actions(BlockId.DIALOG_CONTROLS, controls)
    return _message(trim(prompt, 300), content, tail)


def form_modal(fields: Sequence[FormField], *, title: str = "Scaling check-up",
               private_metadata: str = "", submit: str = "Assess",
               intro: str = "") -> dict[str, Any]:
    """The "use a form instead" modal; values come back at state.values[field:<key>][value].

    `private_metadata` is data, not prose: it is never trimmed, an overlong one is an error.
    """
    if len(private_metadata) > MAX_PRIVATE_METADATA:
        raise ValueError(f"private_metadata over {MAX_PRIVATE_METADATA} characters")
    blocks: list[Block] = []
    if intro:
        blocks += _sections(escape(intro))
    inputs = [
        InputBlock(
            block_id=indexed(BlockId.FORM_FIELD, f.key),
            label=PlainTextObject(text=trim(f.label, MAX_INPUT_LABEL)),
            hint=PlainTextObject(text=trim(f.hint, MAX_INPUT_LABEL)) if f.hint else None,
            optional=f.optional,
            element=PlainTextInputElement(
                action_id=InputId.VALUE,
                placeholder=PlainTextObject(text=trim(f.placeholder, MAX_PLACEHOLDER))
                if f.placeholder else None,
                initial_value=f.initial or None,
            ),
        )
        for f in fields
    ]
    room = MAX_VIEW_BLOCKS - len(blocks)
    if len(inputs) > room:
        blocks += inputs[: room - 1] + [_context(f"_{len(inputs) - room + 1} more questions "
                                                 "left out; answer them in the thread._")]
    else:
        blocks += inputs
    view = View(type="modal", callback_id=CallbackId.DIAGNOSE_FORM,
                title=PlainTextObject(text=trim(title, MAX_VIEW_TITLE)),
                submit=PlainTextObject(text=trim(submit, MAX_VIEW_TITLE)),
                close=PlainTextObject(text="Cancel"),
                blocks=blocks, private_metadata=private_metadata or None)
    return view.to_dict()


def form_errors(errors: dict[str, str]) -> dict[str, Any]:
    """`ack()` body showing errors on the form fields (keys are FormField keys)."""
    return {"response_action": "errors",
            "errors": {indexed(BlockId.FORM_FIELD, k): trim(v, 150) for k, v in errors.items()}}


# --------------------------------------------------------------------------- history / home


def history_line(row: HistoryRow) -> str:
    epoch = int(row.when.replace(tzinfo=row.when.tzinfo or UTC).timestamp())
    fallback = row.when.strftime("%Y-%m-%d %H:%M UTC")
    parts = [f"<!date^{epoch}^{{date_short_pretty}} {{time}}|{fallback}>"]
    url = row.url or (archive_url(row.channel_id, row.ts, row.thread_ts) if row.ts else None)
    where = channel(row.channel_id) if row.channel_id[:1] in "CG" else "a DM"
    parts.append(f"{link(url, 'thread')} in {where}" if url else f"in {where}")
    if row.stage is not None:
        parts.append(escape(stage_title(row.stage, row.stage_name)))
    if row.bottleneck:
        parts.append(f"bottleneck: {escape(row.bottleneck.replace('_', ' '))}")
    line = " · ".join(parts)
    if row.summary:
        line += f"\n      {escape(trim(row.summary, 300))}"
    if row.user_id:
        line += f" _(asked by {user(row.user_id)})_"
    return line


def _row_sections(rows: Sequence[HistoryRow]) -> list[Block]:
    return _sections("\n".join(f"• {history_line(r)}" for r in rows)) if rows else []


def history_message(rows: Sequence[HistoryRow], query: str | None = None,
                    more: int = 0) -> Message:
    """Past advice visible from this channel, newest first, with links to the threads."""
    what = f" matching _{escape(trim(query, 100))}_" if query else ""
    if not rows:
        content = _sections(f"No advice{what} has been given where this channel can see it yet.")
        return _message("No advice found", content)
    content = _sections(f"*Advice given before{what}*, newest first")
    content += _row_sections(rows)
    if more:
        content.append(_context(f"_{more} older not shown; add a word to narrow the list._"))
    count = "1 piece" if len(rows) == 1 else f"{len(rows)} pieces"
    return _message(f"{count} of advice", content)


def home_view(mine: Sequence[HistoryRow], team: Sequence[HistoryRow]) -> dict[str, Any]:
    """The App Home tab: the person's recent diagnoses, then the team's."""
    blocks: list[Block] = [_header("Scalability Advisor")]
    blocks += _sections("Where is your system on the scaling journey, and what should you do "
                        "next? Run `/scale diagnose` in a channel, or mention me with a symptom.")
    blocks.append(DividerBlock())
    blocks.append(_header("Your recent diagnoses"))
    blocks += _row_sections(mine) or _sections("_None yet._")
    blocks.append(DividerBlock())
    blocks.append(_header("Your team's recent diagnoses"))
    blocks += _row_sections(team) or _sections("_None yet._")
    blocks.append(_context("Advice from private channels and DMs is shown only there."))
    dicts = _fit(blocks, [], MAX_VIEW_BLOCKS)
    return View(type="home", callback_id=CallbackId.HOME, blocks=dicts).to_dict()


# --------------------------------------------------------------------------- validation


def validate_message(blocks: Sequence[dict[str, Any]], text: str) -> list[str]:
    """Every Slack limit this message breaks; empty when it can be sent as is."""
    problems: list[str] = []
    if not text and not blocks:
        problems.append("message has neither text nor blocks")
    if len(text) > MAX_MESSAGE_TEXT:
        problems.append(f"text is {len(text)} characters (max {MAX_MESSAGE_TEXT})")
    if len(blocks) > MAX_MESSAGE_BLOCKS:
        problems.append(f"{len(blocks)} blocks (max {MAX_MESSAGE_BLOCKS})")
    _check_blocks(blocks, problems)
    return problems


def validate_view(view: dict[str, Any]) -> list[str]:
    """Every Slack limit this modal or Home view breaks; empty when it can be sent."""
    problems: list[str] = []
    kind = view.get("type")
    blocks = view.get("blocks") or []
    if kind not in ("modal", "home"):
        problems.append(f"view type {kind!r} is not modal or home")
    if len(blocks) > MAX_VIEW_BLOCKS:
        problems.append(f"{len(blocks)} blocks (max {MAX_VIEW_BLOCKS})")
    if kind == "modal" and not view.get("title"):
        problems.append("modal has no title")
    for key in ("title", "submit", "close"):
        _limit(problems, f"view {key}", _text_of(view.get(key)), MAX_VIEW_TITLE)
    _limit(problems, "callback_id", view.get("callback_id") or "", MAX_ID)
    _limit(problems, "private_metadata", view.get("private_metadata") or "", MAX_PRIVATE_METADATA)
    if kind == "modal" and any(b.get("type") == "input" for b in blocks) and not view.get("submit"):
        problems.append("modal with inputs has no submit button")
    _check_blocks(blocks, problems)
    return problems


def _text_of(obj: Any) -> str:
    if isinstance(obj, dict):
        return str(obj.get("text", ""))
    return "" if obj is None else str(obj)


def _limit(problems: list[str], what: str, text: str, limit: int) -> None:
    if len(text) > limit:
        problems.append(f"{what} is {len(text)} characters (max {limit})")


def _check_blocks(blocks: Sequence[dict[str, Any]], problems: list[str]) -> None:
    seen_block_ids: set[str] = set()
    for i, block in enumerate(blocks):
        where = f"block {i} ({block.get('type')})"
        block_id = block.get("block_id")
        if block_id is not None:
            _limit(problems, f"{where} block_id", block_id, MAX_ID)
            if block_id in seen_block_ids:
                problems.append(f"{where} repeats block_id {block_id!r}")
            seen_block_ids.add(block_id)
        _check_block(block, where, problems)


def _check_block(block: dict[str, Any], where: str, problems: list[str]) -> None:
    kind = block.get("type")
    if kind == "section":
        if block.get("text") is None and not block.get("fields"):
            problems.append(f"{where} has neither text nor fields")
        _limit(problems, f"{where} text", _text_of(block.get("text")), MAX_SECTION_TEXT)
        fields = block.get("fields") or []
        if len(fields) > MAX_FIELDS:
            problems.append(f"{where} has {len(fields)} fields (max {MAX_FIELDS})")
        for j, f in enumerate(fields):
            _limit(problems, f"{where} field {j}", _text_of(f), MAX_FIELD_TEXT)
        if block.get("accessory"):
            _check_element(block["accessory"], where, problems)
    elif kind == "header":
        _limit(problems, f"{where} text", _text_of(block.get("text")), MAX_HEADER)
    elif kind == "context":
        elements = block.get("elements") or []
        if not elements or len(elements) > MAX_CONTEXT_ELEMENTS:
            problems.append(f"{where} has {len(elements)} elements (1..{MAX_CONTEXT_ELEMENTS})")
        for e in elements:
            _limit(problems, f"{where} element", _text_of(e), MAX_SECTION_TEXT)
    elif kind == "actions":
        elements = block.get("elements") or []
        if not elements or len(elements) > MAX_ACTIONS_ELEMENTS:
            problems.append(f"{where} has {len(elements)} elements (1..{MAX_ACTIONS_ELEMENTS})")
        action_ids = [e.get("action_id") for e in elements if e.get("action_id")]
        if len(action_ids) != len(set(action_ids)):
            problems.append(f"{where} repeats an action_id")
        for e in elements:
            _check_element(e, where, problems)
    elif kind == "input":
        _limit(problems, f"{where} label", _text_of(block.get("label")), MAX_INPUT_LABEL)
        _limit(problems, f"{where} hint", _text_of(block.get("hint")), MAX_INPUT_LABEL)
        _check_element(block.get("element") or {}, where, problems)


def _check_element(element: dict[str, Any], where: str, problems: list[str]) -> None:
    _limit(problems, f"{where} action_id", element.get("action_id") or "", MAX_ID)
    if element.get("type") == "button":
        _limit(problems, f"{where} button text", _text_of(element.get("text")), MAX_BUTTON_TEXT)
        _limit(problems, f"{where} button value", element.get("value") or "", MAX_BUTTON_VALUE)
    if "placeholder" in element:
        _limit(problems, f"{where} placeholder", _text_of(element["placeholder"]), MAX_PLACEHOLDER)


# --------------------------------------------------------------------------- outbound


def what_if_message(steps: Sequence[WhatIf]) -> Message:
    """Where 10x / 100x / 1000x the users and load would land, and what each step needs."""
    content: list[Block] = []
    for w in steps:
        users = f"{number(w.users)} users, " if w.users is not None else ""
        head = (f"*At {number(w.factor)}x* ({escape(users)}"
                f"{escape(stage_title(w.stage.number, w.stage.name))})")
        if int(w.stage.number) == int(w.from_stage):
            head += " — same stage as today"
        changes = bullets([escape(c) for c in w.changes]) if w.changes else "_No stage change._"
        figures = bullets([f"*{escape(p.kind)}*: {escape(p.worked)}"
                           + (f" _({escape(p.note)})_" if p.note else "") for p in w.numbers])
        content += _sections(f"{head}\n{figures}\n{changes}" if figures else f"{head}\n{changes}")
    text = "What if: " + ", ".join(f"{number(w.factor)}x → stage {int(w.stage.number)}"
                                   for w in steps)
    return _message(text or "What if", content)


def stage_message(card: StageCard, cost: Sizing, users: float) -> Message:
    content: list[Block] = [_header(f"{number(users)} users: Stage {int(card.number)}, "
                                     f"{card.name}")]
    content += _sections(journey(card))
    content.append(_fields([("Users", escape(_users_range(card))),
                            ("Monthly cost", escape(card.monthly_cost)),
                            ("Architecture", escape(card.architecture))]))
    content += _sections(sizing_text(cost))
    return _message(f"Stage {int(card.number)}: {card.name}", content)


def sizing_message(s: Sizing) -> Message:
    result = s.result if isinstance(s.result, str) else number(s.result)
    return _message(f"{s.kind}: {result} {s.unit}".strip(), _sections(sizing_text(s)))


def notice_message(text: str) -> Message:
    return _message(text, _sections(escape(text)))


def dialog_reply_message(reply: Reply, ref: str) -> Message:
    choices = [Choice(label=c.label, value=c.value) for c in reply.choices]
    if reply.kind == "reprompt":
        return dialog_question(reply.text, ref, choices, allow_form=False)
    if reply.kind == "question":
        step = (reply.position, reply.limit) if reply.position and reply.limit else None
        return dialog_question(reply.text, ref, choices, step=step)
    return notice_message(with_restart(reply.kind, reply.text))


def with_restart(kind: str, text: str) -> str:
    """A dialog that ended says how to begin again, in this front's words."""
    return f"{text} Use `/scale diagnose`." if kind in RESTART_KINDS else text


def ask_message(out: Outbound, advice_id: int | None) -> Message:
    """An answer; "did you mean" buttons when the match is unsure; else what I can do."""
    assert out.ask is not None
    if out.clear:
        return answer_message(out.ask, advice_id, out.text)
    if out.candidates:
        choices = [Choice(label=c.label, value=c.value) for c in out.candidates]
        return did_you_mean_message(out.text, choices, trim(out.text, 1500))
    return not_understood_message(out.text)


def dialog_parent_message(user_id: str) -> Message:
    """The channel message that opens a check-up thread."""
    content = _sections(f":mag: {user(user_id)} started a scaling check-up. Answer the "
                        "questions in this thread; say *skip*, *back*, *done* or *cancel* "
                        "at any point.")
    return _message("Scaling check-up started", content)


def error_message(text: str) -> Message:
    """A short ephemeral explanation of why a request could not be done."""
    return _message(text, _sections(f":warning: {escape(text)}"))
