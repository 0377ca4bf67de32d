"""`/scale <subcommand> ...`: one slash command, dispatched on its first word.

Every path acks within Slack's 3 s. Quick answers (help, size, stage, errors) go in the
ack itself; anything that posts to the channel acks first, then queues its replies in the
outbox and delivers them. `SUBCOMMANDS` maps a name to its handler.
"""

from __future__ import annotations

import difflib
import shlex
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from slack_sdk.errors import SlackApiError

from advisor.metrics import METRIC_SPECS, MetricName
from advisor.models import Observations
from advisor.sizing import cost
from advisor.stages import stage_for_users
from advisor.symptoms import match_for
from advisor.units import ParseError, extract_metrics, parse_quantity
from bot.blocks import (
    dialog_parent_message,
    error_message,
    help_message,
    sizing_message,
    stage_message,
)
from bot.cli import ALIASES, CliError, build_parser, compute_size
from bot.deps import Deps
from bot.listeners.history import run_history
from bot.listeners.places import thread_key
from bot.listeners.systems import run_systems, split_system
from conversations.service import Outcome, Place

COMMAND = "/scale"
COMMANDS = (COMMAND,)
MAX_ARGS_CHARS = 2000

# `name=value` keys people type: metric names, and the CLI's short flags without dashes.
METRIC_KEYS: dict[str, MetricName] = {m.value: m for m in METRIC_SPECS} | {
    alias.lstrip("-").replace("-", "_"): metric
    for metric, aliases in ALIASES.items() for alias in aliases
}


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

    def place(self, thread: str | None = None) -> Place:
        channel = self.command["channel_id"]
        return Place(team=self.command["team_id"], channel=channel,
                     user=self.command["user_id"], thread=thread,
                     private=self.deps.is_private(channel))

    def fail(self, text: str) -> None:
        self.respond(response_type="ephemeral", **error_message(text).kwargs())


def split_subcommand(text: str) -> tuple[str, str]:
    words = (text or "").strip().split(maxsplit=1)
    if not words:
        return "help", ""
    return words[0].lower(), (words[1] if len(words) > 1 else "")


def run_help(inv: Invocation) -> None:
    inv.ack(**help_message().kwargs())


# --------------------------------------------------------------------------- diagnose


def parse_pairs(args: str) -> tuple[dict[MetricName, float], str, list[str]]:
    """`users=50k p95=1.2s` -> metrics; other words become symptom text; problems listed."""
    metrics: dict[MetricName, float] = {}
    words: list[str] = []
    problems: list[str] = []
    for token in args.split():
        name, sep, value = token.partition("=")
        if not sep:
            words.append(token)
            continue
        key = name.strip().lower().lstrip("-").replace("-", "_")
        metric = METRIC_KEYS.get(key)
        if metric is None:
            close = difflib.get_close_matches(key, list(METRIC_KEYS), n=1, cutoff=0.6)
            hint = f" (did you mean `{close[0]}`?)" if close else ""
            problems.append(f"I don't know the metric `{name}`{hint}.")
            continue
        try:
            metrics[metric] = parse_quantity(value, metric).value
        except ParseError as err:
            problems.append(f"`{name}`: {err}")
    text = " ".join(words)
    for metric, value in extract_metrics(text).items():
        metrics.setdefault(metric, value)
    return metrics, text, problems


def _diagnose_problem(inv: Invocation) -> str | None:
    """Why this `/scale diagnose ...` cannot run, or None (checked at ack and again after)."""
    if len(inv.args) > MAX_ARGS_CHARS:
        return f"That is {len(inv.args):,} characters; keep it under {MAX_ARGS_CHARS:,}."
    if not inv.args.strip():
        return None
    _system, rest, problem = split_system(inv.args)
    problems = parse_pairs(rest)[2] + ([problem] if problem else [])
    return " ".join(problems) + " Nothing was assessed." if problems else None


def ack_diagnose(inv: Invocation) -> None:
    problem = _diagnose_problem(inv)
    if problem:
        inv.ack(**error_message(problem).kwargs())
    elif not inv.args.strip():
        inv.ack(response_type="ephemeral", text="Starting a scaling check-up in a thread below.")
    else:
        inv.ack()


def run_diagnose(inv: Invocation) -> None:
    if _diagnose_problem(inv):
        return
    if not inv.args.strip():
        start_dialog(inv)
        return
    system, rest, _ = split_system(inv.args)
    metrics, text, _ = parse_pairs(rest)
    conv = inv.deps.conversations
    assert conv is not None
    obs = Observations(metrics=metrics, text=text)
    match = match_for(text, conv.playbook) if text else None  # a matrix label is a pick
    outcome = conv.diagnose(obs, inv.place(), match=match, system=system)
    deliver(inv, outcome)


def start_dialog(inv: Invocation) -> None:
    conv = inv.deps.conversations
    assert conv is not None
    channel, user = inv.command["channel_id"], inv.command["user_id"]
    try:
        parent = inv.client.chat_postMessage(channel=channel,
                                             **dialog_parent_message(user).kwargs())
    except SlackApiError as err:
        inv.fail(_post_problem(err))
        return
    thread = parent["ts"]
    key = thread_key(inv.command["team_id"], channel, thread)
    deliver(inv, conv.begin(key, inv.place(thread)))


def _post_problem(err: SlackApiError) -> str:
    error = err.response.get("error", "")
    if error in ("not_in_channel", "channel_not_found"):
        return ("I can't post in this channel. Invite me first (/invite @Scalability Advisor), "
                "or run /scale diagnose where I'm a member.")
    return f"Slack would not take my message ({error or err.response.status_code}); try again."


def deliver(inv: Invocation, outcome: Outcome) -> None:
    if inv.deps.deliverer is not None:
        inv.deps.deliverer.flush(outcome.outbox_ids)


# --------------------------------------------------------------------------- ask


def _ask_problem(text: str) -> str | None:
    if not text:
        return "Ask me something, e.g. `/scale ask how many read replicas for 12k reads/s`."
    if len(text) > MAX_ARGS_CHARS:
        return f"That is {len(text):,} characters; keep it under {MAX_ARGS_CHARS:,}."
    return None


def ack_ask(inv: Invocation) -> None:
    problem = _ask_problem(inv.args.strip())
    if problem:
        inv.ack(**error_message(problem).kwargs())
    else:
        inv.ack()


def run_ask(inv: Invocation) -> None:
    text = inv.args.strip()
    if _ask_problem(text):
        return
    conv = inv.deps.conversations
    assert conv is not None
    deliver(inv, conv.ask(text, inv.place()))


# --------------------------------------------------------------------------- size, stage


def cli_words(args: str) -> list[str]:
    """`pool cores=8 ssd` or `pool --cores 8 --ssd`, as argv for the CLI's parser."""
    try:
        tokens = shlex.split(args)
    except ValueError:
        tokens = args.split()
    argv: list[str] = []
    for i, token in enumerate(tokens):
        name, sep, value = token.partition("=")
        if sep and not name.startswith("-"):
            argv += [f"--{name.replace('_', '-')}", value]
        elif i > 0 and not token.startswith("-") and not (argv and argv[-1].startswith("--")
                                                          and "=" not in argv[-1]):
            argv.append(f"--{token}")
        else:
            argv.append(token)
    return argv


def run_size(inv: Invocation) -> None:
    try:
        args = build_parser().parse_args(["size", *cli_words(inv.args)])
        result = compute_size(args, inv.deps.conversations.playbook)  # type: ignore[union-attr]
    except (CliError, ParseError, ValueError, SystemExit) as err:
        inv.ack(**error_message(_usage("size", err) + " For example: `/scale size pool "
                                "cores=8 ssd`, `size replicas reads=10k per-replica=3k`, "
                                "`size cache working-set=10GB`, `size capacity peak=1000 "
                                "growth=3x`.").kwargs())
        return
    inv.ack(**sizing_message(result).kwargs())


def run_stage(inv: Invocation) -> None:
    try:
        users = parse_quantity(inv.args.strip(), MetricName.USERS).value
    except ParseError as err:
        inv.ack(**error_message(f"{err} For example: `/scale stage 50k`.").kwargs())
        return
    pb = inv.deps.conversations.playbook  # type: ignore[union-attr]
    card = stage_for_users(users, pb)
    inv.ack(**stage_message(card, cost(card.number, pb), users).kwargs())


def _usage(name: str, err: BaseException) -> str:
    text = str(err) or "that didn't parse"
    return text.replace("scale-advisor ", "/scale ").replace("scale-advisor: error: ", "")


@dataclass(frozen=True)
class Subcommand:
    """`ack` answers inside Slack's 3 s (it must call inv.ack); `then` runs after the ack."""

    ack: Callable[[Invocation], None]
    then: Callable[[Invocation], None] | None = None


SUBCOMMANDS: Mapping[str, Subcommand] = MappingProxyType({
    "help": Subcommand(run_help),
    "diagnose": Subcommand(ack_diagnose, run_diagnose),
    "ask": Subcommand(ack_ask, run_ask),
    "size": Subcommand(run_size),
    "stage": Subcommand(run_stage),
    "history": Subcommand(run_history),
    "systems": Subcommand(run_systems),
})


def suggestions(name: str, known: list[str]) -> list[str]:
    return difflib.get_close_matches(name, known, n=3, cutoff=0.6)


def _ignore(**_: Any) -> None:
    """The lazy half has no ack: Slack has been answered already."""


def register(app: Any, deps: Deps) -> None:
    def invocation(command: dict[str, Any], ack: Any, respond: Any, client: Any
                   ) -> tuple[Subcommand | None, Invocation]:
        name, args = split_subcommand(command.get("text", ""))
        inv = Invocation(command=command, name=name, args=args, ack=ack, respond=respond,
                         client=client, deps=deps)
        return SUBCOMMANDS.get(name), inv

    def acknowledge(ack, command, respond, client):
        sub, inv = invocation(command, ack, respond, client)
        if sub is None:
            known = sorted(SUBCOMMANDS)
            ack(**help_message(unknown=inv.name, suggestions=suggestions(inv.name, known))
                .kwargs())
            return
        sub.ack(inv)

    def follow_up(command, respond, client):
        sub, inv = invocation(command, _ignore, respond, client)
        if sub is not None and sub.then is not None:
            sub.then(inv)

    app.command(COMMAND)(ack=acknowledge, lazy=[follow_up])
