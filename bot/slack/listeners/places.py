"""Turning Slack payloads into the opaque places and keys `conversations` works with.

Keys are `team:channel:thread_ts`: one dialog per thread, found again from any reply,
button click or worker process.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from conversations.service import Place

PRIVATE_CHANNEL_TYPES = frozenset({"group", "im", "mpim", "private_channel"})


def thread_key(team: str, channel: str, thread_ts: str) -> str:
    return f"{team}:{channel}:{thread_ts}"


def key_parts(key: str) -> tuple[str, str, str] | None:
    parts = key.split(":")
    return (parts[0], parts[1], parts[2]) if len(parts) == 3 and all(parts) else None


def event_place(body: dict[str, Any], event: dict[str, Any], is_private: Callable[[str], bool],
                thread: str | None) -> Place:
    """Where an event happened; message events say their channel type, others ask Slack."""
    channel = event["channel"]
    kind = event.get("channel_type")
    private = (kind in PRIVATE_CHANNEL_TYPES) if kind else is_private(channel)
    team = body.get("team_id") or event.get("team") or ""
    return Place(team=team, channel=channel, user=event.get("user", ""), thread=thread,
                 private=private)


def action_place(body: dict[str, Any], thread: str | None, *,
                 private: bool | None = None) -> Place:
    """Where a button was clicked; privacy stays unknown unless given (inherit or ask)."""
    channel = (body.get("channel") or {}).get("id") or body["container"]["channel_id"]
    team = (body.get("team") or {}).get("id") or body["user"].get("team_id", "")
    return Place(team=team, channel=channel, user=body["user"]["id"], thread=thread,
                 private=private)


def message_thread(body: dict[str, Any]) -> str:
    """The thread a clicked message lives in (its own ts when it is a top-level message)."""
    message = body.get("message") or {}
    container = body.get("container") or {}
    return (message.get("thread_ts") or container.get("thread_ts")
            or message.get("ts") or container["message_ts"])
