"""`/scale <subcommand> ...`: one slash command, dispatched on its first word.

Every path acks within Slack's 3 s; subcommands that need slow work ack first, then use
`respond` / the Web API. `SUBCOMMANDS` maps a name to its handler; add entries here.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from bot.blocks import help_message
from bot.deps import Deps

COMMAND = "/scale"
COMMANDS = (COMMAND,)


@dataclass(frozen=True)
class Invocation:
    """One `/scale` call: the raw payload, the words after the subcommand, and Bolt's tools."""

    command: dict[str, Any]
    name: str
    args: str
    ack: Callable[..., Any]
    respond: Callable[..., Any]
    client: Any
    deps: Deps


def split_subcommand(text: str) -> tuple[str, str]:
    words = (text or "").strip().split(maxsplit=1)
    if not words:
        return "help", ""
    return words[0].lower(), (words[1] if len(words) > 1 else "")


def run_help(inv: Invocation) -> None:
    inv.ack(**help_message().kwargs())


SUBCOMMANDS: Mapping[str, Callable[[Invocation], None]] = MappingProxyType({
    "help": run_help,
})


def suggestions(name: str, known: list[str]) -> list[str]:
    return difflib.get_close_matches(name, known, n=3, cutoff=0.6)


def register(app: Any, deps: Deps) -> None:
    @app.command(COMMAND)
    def scale(ack, command, respond, client):
        name, args = split_subcommand(command.get("text", ""))
        handler = SUBCOMMANDS.get(name)
        if handler is None:
            known = sorted(SUBCOMMANDS)
            ack(**help_message(unknown=name, suggestions=suggestions(name, known)).kwargs())
            return
        handler(Invocation(command=command, name=name, args=args, ack=ack, respond=respond,
                           client=client, deps=deps))
