"""The check-up interview: one question at a time in a thread with quick answers and
controls, the thread's opening message, and the "use a form instead" modal."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel
from slack_sdk.models.blocks import Block, InputBlock, PlainTextInputElement, PlainTextObject
from slack_sdk.models.views import View

from bot.slack.blocks.kit import (
    MAX_INPUT_LABEL,
    MAX_PLACEHOLDER,
    MAX_PRIVATE_METADATA,
    MAX_VIEW_BLOCKS,
    MAX_VIEW_TITLE,
    Choice,
    Message,
    actions,
    button,
    context,
    message,
    notice_message,
    sections,
    trim,
)
from bot.slack.blocks.mrkdwn import bold, escape, user
from bot.slack.ids import ActionId, BlockId, CallbackId, InputId, for_question, indexed, pack
from conversations.dialog import RESTART_KINDS, Reply


class FormField(BaseModel):
    """One modal input; `key` names it in view.state (block `field:<key>`)."""

    key: str
    label: str
    hint: str = ""
    placeholder: str = ""
    initial: str = ""
    optional: bool = True


def dialog_question(prompt: str, ref: str, choices: Sequence[Choice] = (), *, hint: str = "",
                    error: str = "", step: tuple[int, int] | None = None,
                    allow_form: bool = True, question: str | None = None) -> Message:
    """One interview question: quick answers, then skip / cancel / use a form instead.

    `ref` identifies the dialog (opaque to Slack) and is packed into every button value.
    `question` is the key of the question asked: the quick answers and skip name it in
    their action ids, so a click once the dialog has moved on answers nothing else.
    `error` is the short re-prompt after an answer that could not be read.
    """
    content: list[Block] = []
    if error:
        content += sections(f":warning: {escape(error)}")
    lead = f"_Question {step[0]}, of at most {step[1]}_\n" if step else ""
    content += sections(lead + bold(prompt), BlockId.DIALOG_PROMPT)
    if hint:
        content.append(context(escape(hint)))
    tail: list[Block] = []
    if choices:
        tail += actions(BlockId.DIALOG_CHOICES, [
            button(c.label, _answering(indexed(ActionId.DIALOG_CHOICE, i), question),
                   pack(ref, c.value))
            for i, c in enumerate(choices)
        ])
    controls = [button("Skip", _answering(ActionId.DIALOG_SKIP, question), ref),
                button("Cancel", ActionId.DIALOG_CANCEL, ref, style="danger")]
    if allow_form:
        controls.append(button("Use a form instead", ActionId.DIALOG_OPEN_FORM, ref))
    tail += actions(BlockId.DIALOG_CONTROLS, controls)
    return message(trim(prompt, 300), content, tail)


def _answering(ident: str, question: str | None) -> str:
    return ident if question is None else for_question(ident, question)


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
        blocks += sections(escape(intro))
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
        blocks += inputs[: room - 1] + [context(f"_{len(inputs) - room + 1} more questions "
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


def dialog_reply_message(reply: Reply, ref: str) -> Message:
    choices = [Choice(label=c.label, value=c.value) for c in reply.choices]
    if reply.kind == "reprompt":
        return dialog_question(reply.text, ref, choices, allow_form=False,
                               question=reply.question_key)
    if reply.kind == "question":
        step = (reply.position, reply.limit) if reply.position and reply.limit else None
        return dialog_question(reply.text, ref, choices, step=step,
                               question=reply.question_key)
    return notice_message(with_restart(reply.kind, reply.text))


def with_restart(kind: str, text: str) -> str:
    """A dialog that ended says how to begin again, in this front's words."""
    return f"{text} Use `/scale diagnose`." if kind in RESTART_KINDS else text


def dialog_parent_message(user_id: str) -> Message:
    """The channel message that opens a check-up thread."""
    content = sections(f":mag: {user(user_id)} started a scaling check-up. Answer the "
                       "questions in this thread; say *skip*, *back*, *done* or *cancel* "
                       "at any point.")
    return message("Scaling check-up started", content)
