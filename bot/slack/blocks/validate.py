"""Every Slack limit a built message or view breaks, checked on the dicts about to be sent:
the builders keep the limits by construction, this is the check before a post and in tests."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.slack.blocks.kit import (
    MAX_ACTIONS_ELEMENTS,
    MAX_BUTTON_TEXT,
    MAX_BUTTON_VALUE,
    MAX_CONTEXT_ELEMENTS,
    MAX_FIELD_TEXT,
    MAX_FIELDS,
    MAX_HEADER,
    MAX_ID,
    MAX_INPUT_LABEL,
    MAX_MESSAGE_BLOCKS,
    MAX_MESSAGE_TEXT,
    MAX_PLACEHOLDER,
    MAX_PRIVATE_METADATA,
    MAX_SECTION_TEXT,
    MAX_VIEW_BLOCKS,
    MAX_VIEW_TITLE,
)


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
