"""Slack's limits and the element helpers every surface builds with.

Builders return `Message` or a view dict made from slack_sdk model objects. What slack_sdk
does not check (blocks per message, field lengths) is kept here by construction: long
content is split across blocks or trimmed with a visible note, never sent over a limit
for Slack to reject. bot/slack/blocks/validate.py re-checks the dicts.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from pydantic import BaseModel
from slack_sdk.models.basic_objects import EMPTY_ALLOWED_TYPE_AND_PROPERTY_LIST, JsonObject
from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from bot.slack.blocks.mrkdwn import bold, escape
from bot.slack.ids import indexed

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


def sections(mrkdwn: str, block_id: str | None = None) -> list[Block]:
    """One or more sections holding `mrkdwn` (already escaped), split at the text limit."""
    parts = split_text(mrkdwn, MAX_SECTION_TEXT)
    return [
        SectionBlock(text=MarkdownTextObject(text=part),
                     block_id=indexed(block_id, i) if block_id and i else block_id)
        for i, part in enumerate(parts)
    ]


def header(text: str) -> HeaderBlock:
    return HeaderBlock(text=PlainTextObject(text=trim(text, MAX_HEADER), emoji=True))


def context(*mrkdwn: str) -> ContextBlock:
    items = [m for m in mrkdwn if m][:MAX_CONTEXT_ELEMENTS]
    elements = [MarkdownTextObject(text=trim(m, MAX_SECTION_TEXT)) for m in items]
    return ContextBlock(elements=elements)


def read_lines(notes: Sequence[str]) -> list[ContextBlock]:
    """How converted or worded values were read, as one context line above an answer."""
    return [context("\n".join(escape(n) for n in notes))] if notes else []


def fields(pairs: Iterable[tuple[str, str]]) -> SectionBlock:
    """A fields section: at most 10 `*label*\\nvalue` cells of at most 2000 characters."""
    cells = [trim(f"{bold(k)}\n{v}", MAX_FIELD_TEXT) for k, v in pairs][:MAX_FIELDS]
    return SectionBlock(fields=[MarkdownTextObject(text=c) for c in cells])


def button(text: str, action_id: str, value: str, style: str | None = None) -> ButtonElement:
    if len(value) > MAX_BUTTON_VALUE:
        raise ValueError(f"button value over {MAX_BUTTON_VALUE} characters for {action_id}")
    return ButtonElement(text=PlainTextObject(text=trim(text, MAX_BUTTON_TEXT), emoji=True),
                         action_id=action_id, value=value, style=style)


def actions(block_id: str, buttons: Sequence[ButtonElement]) -> list[Block]:
    """Buttons in actions blocks of at most 25 elements each."""
    chunks = [buttons[i:i + MAX_ACTIONS_ELEMENTS]
              for i in range(0, len(buttons), MAX_ACTIONS_ELEMENTS)]
    return [ActionsBlock(block_id=indexed(block_id, i) if i else block_id, elements=list(chunk))
            for i, chunk in enumerate(chunks)]


def left_out(count: int, what: str = "part") -> ContextBlock:
    """The note that stands in for blocks cut to fit a limit."""
    return context(f"_{count} more {what}{'s' if count != 1 else ''} left out to fit "
                   "Slack's limits._")


def fit(content: Sequence[Any], tail: Sequence[Any], limit: int) -> list[dict[str, Any]]:
    """Content then tail (buttons), dropping content from the end with a note if too long."""
    room = limit - len(tail)
    if len(content) > room:
        content = [*content[: room - 1], left_out(len(content) - (room - 1))]
    return [plain(block) for block in [*content, *tail]]


_EMPTY_ALLOWED = frozenset((e["type"], e["property"]) for e in EMPTY_ALLOWED_TYPE_AND_PROPERTY_LIST)


def plain(value: Any) -> Any:
    """`value.to_dict()` without slack_sdk's validators, which run again at every level
    of nesting and cost more than the rest of a message's rendering; the limits they check
    are kept by construction here and re-checked by `validate_message` before a post (the
    tests also run slack_sdk's own validation over every message built). Dicts pass as
    they are."""
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    kind_of = type(value)
    keys = _KEYS.get(kind_of, _UNSEEN)
    if keys is _UNSEEN:
        keys = _KEYS[kind_of] = _keys_of(value)
    if keys is None:
        return value
    if keys is _OWN:  # its own rules (Option, Confirm...)
        return value.to_dict()
    kind = getattr(value, "type", None)
    out = {}
    for key in keys:
        item = getattr(value, key, None)
        if item is None or (hasattr(item, "__len__") and not len(item)
                            and (kind, key) not in _EMPTY_ALLOWED):
            continue
        out[key] = plain(item)
    return out


# Per class: its attribute names in order, _OWN when it renders itself, None when it is
# not a Block Kit object. slack_sdk's `attributes` depend on the class only, and both
# they and the abstract-class test behind isinstance are slow enough to matter here.
_UNSEEN: Any = object()
_OWN: Any = ("<own>",)
_KEYS: dict[type, tuple[str, ...] | None] = {}


def _keys_of(value: Any) -> tuple[str, ...] | None:
    if not isinstance(value, JsonObject):
        return None
    if type(value).to_dict is not JsonObject.to_dict:
        return _OWN
    return tuple(sorted(value.attributes))


def message(text: str, content: Sequence[Any], tail: Sequence[Any] = ()) -> Message:
    """`text` is plain words (escaped here): it is what notifications show."""
    return Message(text=trim(escape(text), MAX_MESSAGE_TEXT),
                   blocks=fit(content, tail, MAX_MESSAGE_BLOCKS))


def notice_message(text: str) -> Message:
    return message(text, sections(escape(text)))


def error_message(text: str) -> Message:
    """A short ephemeral explanation of why a request could not be done."""
    return message(text, sections(f":warning: {escape(text)}"))
