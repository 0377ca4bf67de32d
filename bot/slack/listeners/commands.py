"""`/scale <subcommand> ...`: one slash command, dispatched on its first word.

Every subcommand has its own cheap path and acks within Slack's 3 s. Quick answers
(help, size, stage, history, errors) go in the ack itself; anything that posts to the
channel commits its outcome, its replies (the outbox) and the command's trigger_id in
one transaction, then acks; the delivery loop posts. `SUBCOMMANDS` maps a name to its
handler.
"""

from __future__ import annotations

import difflib
import logging
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from advisor.metrics import METRIC_KEYS, MetricName
from advisor.models import Match, Observations
from advisor.playbook import Playbook
from advisor.sizing import cost
from advisor.stages import stage_for_users
from advisor.symptoms import match_for
from advisor.units import (
    ParseError,
    parse_named,
    parse_quantity,
    read_as,
    read_line,
    read_text,
)
from bot.slack.blocks.help import help_message
from bot.slack.blocks.kit import error_message
from bot.slack.blocks.sizing import sizing_message, stage_message
from bot.slack.deps import Deps
from bot.slack.listeners import COULD_NOT_FINISH, acked, guarded, text_of
from bot.slack.listeners.history import run_history
from bot.slack.listeners.places import thread_key
from bot.slack.listeners.size import EXAMPLES, SizeError, compute
from bot.slack.listeners.systems import MARKS, run_mark, run_systems, split_system
from bot.slack.listeners.views import trigger_key
from bot.slack.web import Reach
from conversations.service import Conversations, Place

log = logging.getLogger("bot.commands")

COMMAND = "/scale"
MAX_ARGS_CHARS = 2000
INVITE = "`/invite @Scalability Advisor`"
FOLLOW_ELSEWHERE = (
    f"I can only follow a thread in a channel I'm in. Invite me with {INVITE} and run "
    "`/scale diagnose` again, or give me the numbers at once: "
    "`/scale diagnose users=50k p95=1.2s db_cpu=85%`.")
NOT_IN_HERE = (f"I can't post in this conversation because I'm not in it. Invite me with "
               f"{INVITE}, or send me the same command in a direct message.")

@dataclass(frozen=True)
class Invocation:
    """One `/scale` call: the raw payload, the words after the subcommand, and Bolt's tools."""

    command: dict[str, Any]
    name: str
    args: str
    ack: Callable[..., Any]
    client: Any
    deps: Deps

    @property
    def conv(self) -> Conversations:
        assert self.deps.conversations is not None
        return self.deps.conversations

    @property
    def request_key(self) -> str | None:
        return trigger_key(self.command)

    def place(self, thread: str | None = None) -> Place:
        channel = self.command["channel_id"]
        return Place(team=self.command["team_id"], channel=channel,
                     user=self.command["user_id"], thread=thread,
                     private=self.deps.is_private(channel))

    def fail(self, text: str) -> None:
        self.ack(**error_message(text).kwargs())

    def out_of_reach(self, follow: bool) -> bool:
        """Say so (in the ack, which reaches the person wherever they are) when the bot
        cannot answer in this channel: it is not in a private one, or, for a dialog, not
        in a public one (it would not hear the thread's replies). Checked before anything
        is committed, so nothing waits for a post that cannot happen."""
        reach = self.deps.reach(self.command["channel_id"])
        if reach is Reach.MEMBER or (reach is Reach.OUTSIDE and not follow):
            return False
        self.ack(**error_message(FOLLOW_ELSEWHERE if reach is Reach.OUTSIDE
                                 else NOT_IN_HERE).kwargs())
        return True


def split_subcommand(text: str) -> tuple[str, str]:
    words = (text or "").strip().split(maxsplit=1)
    if not words:
        return "help", ""
    return words[0].lower(), (words[1] if len(words) > 1 else "")


def run_help(inv: Invocation) -> None:
    inv.ack(**help_message().kwargs())


# --------------------------------------------------------------------------- diagnose


def metric_key(name: str) -> str:
    """`DB-CPU`, `--p95` -> the spelling METRIC_KEYS uses (`db_cpu`, `p95`)."""
    return name.strip().lower().lstrip("-").replace("-", "_")


# Keys whose value starts the description of what people see, not a metric.
DESCRIPTION_KEYS = frozenset({"symptom", "symptoms", "description"})


# `--users 50k`: a terminal flag and its value, as people paste a terminal command.
_FLAG = re.compile(r"(?<!\S)--(?P<name>[a-z][\w-]*)[^\S\n]+(?!--)(?=\S)", re.IGNORECASE)


def is_flag_name(key: str) -> bool:
    """Whether `key` (as metric_key spells it) is a name `diagnose` takes as a flag."""
    return key in METRIC_KEYS or key in DESCRIPTION_KEYS or key == "system"


def flags_as_pairs(args: str) -> str:
    """`--users 50k --p95 1.2s` -> `users=50k p95=1.2s`: a pasted terminal command reads as
    Slack's own pairs (the flags' names are the metric names and aliases), not as a
    description. Other flags and words stay as they are."""
    return _FLAG.sub(lambda m: f"{m['name']}=" if is_flag_name(metric_key(m["name"]))
                     else m[0], args)


# A terminal flag still standing once the pairs are read: one with no value (`--what-if`,
# `--json`), or one `/scale diagnose` has no name for.
_LEFT_FLAG = re.compile(r"(?<!\S)--(?P<name>[a-z][\w-]*)(?!\S)", re.IGNORECASE)
# What a terminal-only flag is in Slack, said when it is left out.
TERMINAL_ONLY: Mapping[str, str] = MappingProxyType({
    "what_if": "is a terminal flag; here, use the What-if buttons under the answer.",
    "json": "has no meaning in Slack; the answer is always a message.",
    "csv": "has no meaning in Slack; the answer is always a message.",
    "interactive": "is a terminal flag; here, `/scale diagnose` on its own starts the "
                   "check-up in a thread.",
})


# Terminal flags that take a value Slack has no pair for: left out with their value, so
# `--done add_indexes` is not read as what people see.
_VALUED_FLAG = re.compile(r"(?<!\S)--(?P<name>done|signal|playbook)(?:[=\s]+(?!--)\S+)?(?!\S)",
                          re.IGNORECASE)
TERMINAL_VALUED: Mapping[str, str] = MappingProxyType({
    "done": "is a terminal flag; here, use the Done buttons under the ladder.",
    "signal": "is a terminal flag; here, say it in words after the numbers.",
    "playbook": "is a terminal flag; the app uses the playbook it was started with.",
})


def without_flags(args: str) -> tuple[str, list[str], list[str]]:
    """`args` with the terminal flags `flags_as_pairs` left taken out, so that `--what-if
    --json` is never read as what people see: a note for each, in Slack's words, and a
    problem for a name given no value (`--users --p95 1.2s`), as `users=` is one."""
    notes: list[str] = [f"`--{m['name'].lower()}` {TERMINAL_VALUED[m['name'].lower()]}"
                        for m in _VALUED_FLAG.finditer(args)]
    problems: list[str] = []
    args = _VALUED_FLAG.sub(" ", args)
    for m in _LEFT_FLAG.finditer(args):
        flag, key = m[0], metric_key(m["name"])
        if is_flag_name(key):
            problems.append(f"`{flag}` has no value; give it as `{key}=...`.")
        elif key in TERMINAL_ONLY:
            notes.append(f"`{flag}` {TERMINAL_ONLY[key]}")
        else:
            notes.append(f"`{flag}` is not something `/scale diagnose` takes; left out.")
    return " ".join(_LEFT_FLAG.sub(" ", args).split()), notes, problems


def parse_pairs(args: str) -> tuple[dict[MetricName, float], str, list[str], list[str]]:
    """`users=50k p95=1.2s` -> metrics; other words become symptom text; problems listed;
    and a line for each value converted or written in words, saying how it was read."""
    metrics: dict[MetricName, float] = {}
    words: list[str] = []
    problems: list[str] = []
    notes: list[str] = []
    named: dict[MetricName, str] = {}  # the name each metric was first given under
    tokens = args.split()
    i = 0
    while i < len(tokens):
        token = tokens[i]
        i += 1
        name, sep, value = token.partition("=")
        if not sep:
            words.append(token)
            continue
        key = metric_key(name)
        if not key:  # `=5`: an unknown metric with no name would show as ``
            problems.append(f"A name is missing before `={value}` (e.g. `users=50k`).")
            continue
        if key in DESCRIPTION_KEYS:  # `symptom=checkout is slow`, as the terminal's --symptom
            words.extend(filter(None, [value.strip("\"'“”")]))
            continue
        metric = METRIC_KEYS.get(key)
        if metric is None:
            close = difflib.get_close_matches(key, list(METRIC_KEYS), n=1, cutoff=0.6)
            hint = f" (did you mean `{close[0]}`?)" if close else ""
            problems.append(f"I don't know the metric `{name}`{hint}.")
            continue
        try:  # "users=50 thousand": the value may run on past a space
            parsed, taken = parse_named(key, value, tokens[i:])
        except ParseError as err:
            problems.append(f"`{name}`: {err}")
            continue
        said = " ".join([token, *tokens[i:i + taken]])
        i += taken
        if metrics.get(metric, parsed.value) != parsed.value:  # which one did they mean?
            problems.append(_given_twice(named[metric], name))
            continue
        metrics[metric], named[metric] = parsed.value, name
        if parsed.note:
            notes.append(read_as(said, metric, parsed.value, parsed.note))
    text = " ".join(words).strip("\"'“” ")  # `symptom="API timeouts"`: the quotes go
    reading = read_text(text)
    from_text = {m: v for m, v in reading.metrics.items() if m not in metrics}
    metrics.update(from_text)
    if from_text:
        notes.append(read_line(from_text, notes=reading.notes, label="Read from your words"))
    return metrics, text, problems, notes


def _given_twice(first: str, then: str) -> str:
    if metric_key(first) == metric_key(then):
        return f"`{then}` given twice; give it once."
    return f"`{first}` and `{then}` give the same metric; give it once."


def run_diagnose(inv: Invocation) -> None:
    if len(inv.args) > MAX_ARGS_CHARS:
        inv.fail(f"That is {len(inv.args):,} characters; keep it under {MAX_ARGS_CHARS:,}.")
        return
    if not inv.args.strip():
        start_dialog(inv)
        return
    given = read_one_shot(inv.args, inv.conv.playbook)
    if isinstance(given, str):
        inv.fail(given)
        return
    if inv.out_of_reach(follow=False):
        return
    inv.conv.diagnose(given.obs, inv.place(), match=given.match, system=given.system,
                      request_key=inv.request_key, notes=given.notes)
    inv.ack()


@dataclass(frozen=True)
class OneShot:
    """What `name=value` arguments give a one-shot diagnose."""

    obs: Observations
    match: Match | None
    system: str | None
    notes: list[str]


def read_one_shot(args: str, playbook: Playbook) -> OneShot | str:
    """The one-shot diagnose `args` ask for (`/scale diagnose ...`, or a mention's numbers);
    or what is wrong with them, in one line."""
    system, rest, problem = split_system(flags_as_pairs(args))
    rest, flag_notes, flag_problems = without_flags(rest)
    metrics, text, problems, notes = parse_pairs(rest)
    problems += flag_problems + ([problem] if problem else [])
    notes += flag_notes
    if problems:
        return " ".join(problems) + " Nothing was assessed."
    match = match_for(text, playbook) if text else None  # a matrix label is a pick
    return OneShot(Observations(metrics=metrics, text=text), match, system, notes)


def start_dialog(inv: Invocation) -> None:
    """The dialog, its opening message and first question are committed with the
    trigger_id under a provisional key; delivery posts the opening message and moves the
    dialog into the thread it opened. So the request never waits on Slack."""
    if inv.out_of_reach(follow=True):
        return
    channel = inv.command["channel_id"]
    provisional = thread_key(inv.command["team_id"], channel,
                             f"new-{inv.command.get('trigger_id') or uuid.uuid4().hex}")
    inv.conv.begin(provisional, inv.place(), request_key=inv.request_key, opening=True)
    inv.ack(response_type="ephemeral", text="Starting a scaling check-up in a thread below.")


# --------------------------------------------------------------------------- ask


def _ask_problem(text: str) -> str | None:
    if not text:
        return "Ask me something, e.g. `/scale ask how many read replicas for 12k reads/s`."
    if len(text) > MAX_ARGS_CHARS:
        return f"That is {len(text):,} characters; keep it under {MAX_ARGS_CHARS:,}."
    return None


def run_ask(inv: Invocation) -> None:
    text = inv.args.strip()
    problem = _ask_problem(text)
    if problem:
        inv.fail(problem)
        return
    if inv.out_of_reach(follow=False):
        return
    inv.conv.ask(text, inv.place(), request_key=inv.request_key)
    inv.ack()


# --------------------------------------------------------------------------- size, stage


def run_size(inv: Invocation) -> None:
    try:
        result, notes = compute(inv.args, inv.conv.playbook)
    except (SizeError, ValueError) as err:
        inv.fail(f"{err} {EXAMPLES}")
        return
    inv.ack(**sizing_message(result, notes).kwargs())


def run_stage(inv: Invocation) -> None:
    said = inv.args.strip()
    try:
        parsed = parse_quantity(said, MetricName.USERS)
    except ParseError as err:
        inv.ack(**error_message(f"{err} For example: `/scale stage 50k`.").kwargs())
        return
    notes = [read_as(said, MetricName.USERS, parsed.value, parsed.note)] if parsed.note else []
    pb = inv.conv.playbook
    card = stage_for_users(parsed.value, pb)
    band = cost(card.number, pb, parsed.value)
    inv.ack(**stage_message(card, band, parsed.value, notes).kwargs())


SUBCOMMANDS: Mapping[str, Callable[[Invocation], None]] = MappingProxyType({
    "help": run_help,
    "diagnose": run_diagnose,
    "ask": run_ask,
    "size": run_size,
    "stage": run_stage,
    "history": run_history,
    "systems": run_systems,
    **dict.fromkeys(MARKS, run_mark),  # done / not-now / reopen NAME RUNG
})


def suggestions(name: str, known: list[str]) -> list[str]:
    return difflib.get_close_matches(name, known, n=3, cutoff=0.6)


def routed(name: str, args: str) -> str | None:
    """The subcommand a line that names none asks for: `name=value` numbers are a one-shot
    diagnose, a sentence (`why is checkout slow`) is a question; None for a lone word or
    a near miss of a subcommand (`diagnos`), which get help with the likely spelling."""
    if "=" in name or (name.startswith("--") and is_flag_name(metric_key(name))):
        return "diagnose"  # `/scale users=50k`, `/scale --users 50k`
    if not args or suggestions(name, sorted(SUBCOMMANDS)):
        return None
    return "ask"


class Commands:
    """The `/scale` listener of one app, with the Deps every subcommand gets."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def register(self, app: Any) -> None:
        app.command(COMMAND)(self.on_scale)

    def on_scale(self, ack, command, client):
        """Each subcommand acks itself; a failure is acked as one short line."""
        said = text_of(command.get("text") or "")
        name, args = split_subcommand(said)
        route = None if name in SUBCOMMANDS else routed(name, args)
        if route is not None:
            name, args = route, said.strip()  # `/scale why is checkout slow`
        inv = Invocation(command=command, name=name, args=args, ack=ack, client=client,
                         deps=self.deps)
        run = SUBCOMMANDS.get(name)
        if run is None:
            ack(**help_message(unknown=name, suggestions=suggestions(name, sorted(SUBCOMMANDS)))
                .kwargs())
            return

        def tell() -> None:
            if not acked(ack):
                inv.fail(COULD_NOT_FINISH)

        guarded(f"/scale {name}", lambda: run(inv), tell)
        if not acked(ack):
            ack()
        self.deps.wake()
