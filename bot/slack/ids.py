"""Every action_id, callback_id and block_id the app puts into Slack, in one place.

Buttons that repeat within one block (choices, candidates, what-if factors) get an index
suffix, `dialog_choice:2`, because Slack wants action ids unique inside a block; listeners
match them with `pattern()`. Button values carry several parts joined by `pack()`.
"""

from __future__ import annotations

import re
from enum import StrEnum

SEP = ":"
VALUE_SEP = "|"
MAX_ID = 255


class ActionId(StrEnum):
    FEEDBACK_HELPFUL = "feedback_helpful"
    FEEDBACK_NOT_HELPFUL = "feedback_not_helpful"
    WHAT_IF = "what_if"
    DIALOG_CHOICE = "dialog_choice"
    DIALOG_SKIP = "dialog_skip"
    DIALOG_CANCEL = "dialog_cancel"
    DIALOG_OPEN_FORM = "dialog_open_form"
    PICK_MATCH = "pick_match"
    RUNG_DONE = "rung_done"
    RUNG_NOT_NOW = "rung_not_now"
    REMIND = "remind"
    REMIND_CANCEL = "remind_cancel"


class CallbackId(StrEnum):
    DIAGNOSE_FORM = "diagnose_form"
    HOME = "home"


class BlockId(StrEnum):
    FEEDBACK = "feedback"
    WHAT_IF = "what_if"
    DIALOG_PROMPT = "dialog_prompt"
    DIALOG_CHOICES = "dialog_choices"
    DIALOG_CONTROLS = "dialog_controls"
    CANDIDATES = "candidates"
    FORM_FIELD = "field"
    SINCE = "since"
    LADDER_MARKS = "ladder_marks"
    REMIND = "remind"


class InputId(StrEnum):
    """action_ids of modal input elements: read from view.state, never dispatched."""

    VALUE = "value"


def indexed(base: StrEnum | str, suffix: object) -> str:
    """`base:suffix`, e.g. `dialog_choice:0`, `what_if:100`, `field:users`."""
    ident = f"{base}{SEP}{suffix}"
    if len(ident) > MAX_ID:
        raise ValueError(f"id longer than {MAX_ID} characters: {ident[:40]}...")
    return ident


def for_question(ident: str, question: str) -> str:
    """A dialog button's id naming the question it answers, last: `dialog_skip:users`,
    `dialog_choice:2:users`. Slack sends the id back with the click, so a click on an
    earlier question's button is told apart from an answer to the open one."""
    return indexed(ident, question)


def question_of(ident: str) -> str | None:
    """The question `for_question` put in `ident`; None for ids made before buttons named
    their question (`dialog_skip`, `dialog_choice:2`), whose last part is the base or an
    index (question keys are names, never numbers)."""
    base, _, last = ident.rpartition(SEP)
    return last if base and not last.isdigit() else None


def pattern(base: StrEnum | str) -> re.Pattern[str]:
    """Matches `base` itself and every `indexed(base, ...)`."""
    return re.compile(rf"^{re.escape(str(base))}(?:{re.escape(SEP)}.+)?$")


def suffix_of(ident: str) -> str | None:
    parts = ident.split(SEP, 1)
    return parts[1] if len(parts) == 2 else None


def pack(*parts: object) -> str:
    """Join button-value parts; only the last part may contain the separator."""
    texts = [str(p) for p in parts]
    if any(VALUE_SEP in t for t in texts[:-1]):
        raise ValueError(f"only the last value part may contain {VALUE_SEP!r}: {texts}")
    return VALUE_SEP.join(texts)


def unpack(value: str, parts: int) -> list[str]:
    """Inverse of `pack` for a value packed from `parts` parts."""
    pieces = value.split(VALUE_SEP, parts - 1)
    if len(pieces) != parts:
        raise ValueError(f"expected {parts} parts in button value {value!r}")
    return pieces
