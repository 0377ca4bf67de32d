"""The `scale-advisor` terminal front end (contract in DESIGN.md).

One small function registers each subcommand and one runs it, so more subcommands
(`history`, `serve`, an interactive `diagnose`) slot in without touching the rest: add a
`_add_<name>(sub)` that sets `handler`, and list it in SUBCOMMANDS.
Every bad input ends with a one-line reason on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import csv
import difflib
import json
import os
import sqlite3
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from itertools import takewhile
from typing import TYPE_CHECKING, Any, TextIO

from pydantic import BaseModel

from advisor import sizing
from advisor.metrics import METRIC_SPECS, SHORT_NAMES, MetricError, MetricName
from advisor.playbook import PlaybookError
from advisor.report import sizing_text, stage_text
from advisor.stages import stage_for_users
from advisor.units import (
    NAMED_UNIT,
    AmbiguousUnit,
    MisspeltNumber,
    ParseError,
    in_named_unit,
    parse_quantity,
    parse_value_words,
    read_line,
    valid_text,
)
from bot.settings import SettingsError, load_team_playbook, read_settings

if TYPE_CHECKING:
    from advisor.models import Assessment, Match, Observations, Sizing
    from advisor.playbook import Playbook
    from conversations.service import Conversations
    from conversations.tracking import SystemSummary

# Subcommands that read the advice log, assess or run the dialog import what they need
# when they run, so `size` and `stage` start without SQLite, numpy or the matcher.
HISTORY_MAX = 200  # conversations.service.HISTORY_MAX, checked by a test

USAGE_ERROR = 2
BROKEN_PIPE = 128 + 13  # what a shell reports for a writer killed by SIGPIPE
INTERRUPTED = 128 + 2
M = MetricName

class _NeverRaised(Exception):
    """Stands in for an exception class whose module was never imported."""


def _loaded(module: str, name: str) -> type[BaseException]:
    """The exception class `module.name` if that module is loaded (it is, if one was
    raised), else one nothing raises: main() catches it without importing SQLite code."""
    found = sys.modules.get(module)
    return getattr(found, name) if found is not None else _NeverRaised


class CliError(Exception):
    """A user mistake: printed as one line on stderr, exit status 2."""


class _Parser(argparse.ArgumentParser):
    """argparse that raises instead of exiting, so main() decides the exit status."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise CliError(f"{self.prog}: {message}")


class NotedValue(float):
    """A flag's value that keeps how it was read ("60,000 per minute = 1,000 per second"),
    since argparse keeps only what a `type` returns."""

    note: str | None = None

    def __new__(cls, value: float, note: str | None) -> NotedValue:
        made = super().__new__(cls, value)
        made.note = note
        return made


def quantity(metric: MetricName) -> Callable[[str], float]:
    """An argparse `type` that reads a value as people write it, in the metric's unit."""

    def parse(text: str) -> float:
        try:
            parsed = parse_quantity(text, metric)
            return NotedValue(parsed.value, parsed.note) if parsed.note else parsed.value
        except ParseError as err:
            raise argparse.ArgumentTypeError(str(err)) from err

    parse.__name__ = metric.value  # argparse names the type in its messages
    parse.metric = metric  # type: ignore[attr-defined]  # for _glue_value_words
    return parse


def flag(metric: MetricName) -> str:
    return "--" + metric.value.replace("_", "-")


def flag_notes(args: argparse.Namespace) -> list[str]:
    """How each converted flag value was read, so no conversion happens unseen; `stage`'s
    positional is named USERS, as its usage names it (it is no `--users` flag)."""
    positional = {"users"} if getattr(args, "command", None) == "stage" else set()
    return [f"scale-advisor: note: "
            f"{name.upper() if name in positional else '--' + name.replace('_', '-')}: "
            f"{value.note}"
            for name, value in vars(args).items()
            if isinstance(value, NotedValue) and value.note]


class ValidInput:
    """Stdin as valid text: a byte that is not UTF-8 reads as U+FFFD (see `valid_text`),
    so an answer or a paste never carries text the advice log cannot store."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def read(self, size: int = -1) -> str:
        return valid_text(self.stream.read(size))

    def readline(self) -> str:
        return valid_text(self.stream.readline())

    def __iter__(self) -> Iterator[str]:
        return (valid_text(line) for line in self.stream)

    def isatty(self) -> bool:
        return self.stream.isatty()


# ----------------------------------------------------------------------------- output


def _print_json(data: Any, out: TextIO) -> None:
    if isinstance(data, BaseModel):
        data = data.model_dump(mode="json")
    out.write(json.dumps(data, ensure_ascii=False) + "\n")


def _emit(args: argparse.Namespace, data: Any, text: str, out: TextIO) -> int:
    if args.json:
        _print_json(data, out)
    else:
        out.write(text + "\n")
    return 0


# ------------------------------------------------------------------------------- ask


MAX_PIPED_CHARS = 100_000  # more than any reader looks at; the rest of a stream is left


def _add_ask(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("ask", help="answer a question or a symptom description")
    p.add_argument("text", metavar="TEXT", nargs="*",
                   help="the question, quoted or not; '-' reads one per line from stdin; "
                        "none reads what is piped in as one text (kubectl top node | "
                        "scale-advisor ask)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=run_ask)


def _ask_json(result: Any) -> dict[str, Any]:
    return result.model_dump(mode="json", exclude={"match", "read"})


def run_ask(args: argparse.Namespace, pb: Playbook, out: TextIO, inp: TextIO) -> int:
    from advisor.ask import ask

    text = " ".join(args.text)  # `ask why is checkout slow` needs no quotes
    if not args.text and not inp.isatty():  # a paste piped in: one text, lines kept
        text = inp.read(MAX_PIPED_CHARS)
    if text == "-":
        for line in inp:
            if line.strip():
                _print_json(_ask_json(ask(line.strip(), pb)), out)
        return 0
    if not text.strip():
        raise CliError("ask: give a question, pipe a paste in, or '-' to read questions "
                       "from stdin")
    result = ask(text, pb)
    code = _emit(args, _ask_json(result), result.answer, out)
    from bot.terminal.interview import local_place

    # Logged as /scale ask logs (a clear answer only); a batch on stdin is a script's.
    _log_quietly(pb, lambda conv: conv.ask(text, local_place(), deliver=False))
    return code


# ------------------------------------------------------------------------------ size


def _metric_help(metric: M) -> str:
    """A flag's help: the metric's name and unit, as argparse prints it ("%" escaped)."""
    spec = METRIC_SPECS[metric]
    return f"{spec.label} ({spec.unit.value})".replace("%", "%%")


def _add_size(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("size", help="the guide's sizing formulas")
    kinds = p.add_subparsers(dest="kind", metavar="pool|replicas|cache|capacity",
                             parser_class=_Parser)
    kinds.required = True

    pool = kinds.add_parser("pool", help="connection pool: cores x 2 + spindles")
    pool.add_argument("--cores", type=quantity(M.CORES), help=_metric_help(M.CORES))
    disk = pool.add_mutually_exclusive_group()
    disk.add_argument("--spindles", type=quantity(M.SPINDLES), help=_metric_help(M.SPINDLES))
    disk.add_argument("--ssd", action="store_true", help="SSD storage (counts as 1 spindle)")

    rep = kinds.add_parser("replicas", help="read replicas: ceiling(reads / per replica)")
    rep.add_argument("--reads", type=quantity(M.READS_RPS), help=_metric_help(M.READS_RPS))
    rep.add_argument("--per-replica", type=quantity(M.PER_REPLICA_RPS),
                     help=_metric_help(M.PER_REPLICA_RPS))

    cache = kinds.add_parser("cache", help="cache memory: working set x 1.5")
    cache.add_argument("--working-set", type=quantity(M.WORKING_SET_GB),
                       help=_metric_help(M.WORKING_SET_GB))

    cap = kinds.add_parser("capacity", help="capacity: peak x growth x safety")
    cap.add_argument("--peak", type=quantity(M.PEAK_RPS), help=_metric_help(M.PEAK_RPS))
    cap.add_argument("--growth", type=quantity(M.GROWTH_FACTOR),
                     help=f"{_metric_help(M.GROWTH_FACTOR)}; default 1x")
    cap.add_argument("--safety", type=quantity(M.SAFETY_MARGIN), default=None,
                     help=f"{_metric_help(M.SAFETY_MARGIN)}; default: the playbook's")

    for name, kind in (("pool", pool), ("replicas", rep), ("cache", cache), ("capacity", cap)):
        kind.add_argument("words", metavar="WORDS", nargs="*", help="the values in plain "
                          f"words instead of flags, e.g. {_SIZE_EXAMPLES[name]}")
        kind.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=run_size)


def size_from_words(args: argparse.Namespace) -> list[str]:
    """Fill the values `size` was given in plain words (`size pool 8 cores ssd`), as
    `/scale size` reads them; the notes on how; CliError for words it cannot use or a
    value still missing."""
    from advisor.sizing_words import (
        SIZE_VALUES,
        GivenTwice,
        NothingRead,
        SpindlesNotCounted,
        UnclearValue,
        read_plain,
        says_ssd,
    )

    keys, required = SIZE_VALUES[args.kind]
    words = [w for w in args.words if not (args.kind == "pool" and says_ssd(w))]
    notes: list[str] = []
    if len(words) < len(args.words):
        if args.spindles is not None:
            raise CliError("size pool: give --spindles or ssd, not both")
        args.ssd = True
    if words:
        said = " ".join(words)
        given = {k for k in keys if getattr(args, k) is not None}
        try:
            found, read = read_plain(args.kind, said, given)
        except UnclearValue as err:
            raise CliError(f"size {args.kind}: --{err.key.replace('_', '-')}: {err}") from err
        except GivenTwice as err:
            raise CliError(f"size {args.kind}: " + ", ".join(
                "--" + k.replace("_", "-") for k in err.keys) + " given twice (a flag and "
                "words); give it once") from err
        except SpindlesNotCounted as err:
            raise CliError(f"size pool: {err.word}: how many spinning disks? give their "
                           "number, e.g. --spindles 4") from err
        except NothingRead as err:
            if err.refused:
                raise CliError(f"size {args.kind}: not read: " + "; ".join(err.refused)) from err
            raise CliError(f"size {args.kind}: no value in '{said}' "
                           f"(use {_size_flags(args.kind)})") from err
        for key, value in found.items():
            setattr(args, key, value)
        if found:  # `--spindles 4 hdd`: the disk word alone read nothing new
            notes.append("scale-advisor: note: " + read_line(
                {keys[k]: v for k, v in found.items()}, notes=read,
                label=f"Read from \"{said}\""))
    missing = [k for k in required if getattr(args, k) is None]
    if missing:
        raise CliError(f"size {args.kind}: give " + " and ".join(
            "--" + k.replace("_", "-") for k in missing) + f" (or in words: size {args.kind} "
            f"{_SIZE_EXAMPLES[args.kind]})")
    return notes


_SIZE_EXAMPLES = {"pool": "8 cores ssd", "replicas": "12k reads/s 3k per replica",
                  "cache": "10GB", "capacity": "1k rps 3x growth"}


def _size_flags(kind: str) -> str:
    from advisor.sizing_words import SIZE_VALUES

    flags = ["--" + k.replace("_", "-") for k in SIZE_VALUES[kind][0]]
    return ", ".join(flags + (["--ssd"] if kind == "pool" else []))


def compute_size(args: argparse.Namespace, pb: Playbook) -> Sizing:
    """The sizing a parsed `size ...` command asks for (shared with Slack's /scale size)."""
    if args.kind == "pool":
        return sizing.pool(int(args.cores), None if args.spindles is None else int(args.spindles),
                           ssd=args.ssd, playbook=pb)
    if args.kind == "replicas":
        return sizing.replicas(args.reads, args.per_replica, pb)
    if args.kind == "cache":
        return sizing.cache(args.working_set, pb)
    growth = 1.0 if args.growth is None else args.growth
    return sizing.capacity(args.peak, growth, args.safety, pb)


def run_size(args: argparse.Namespace, pb: Playbook, out: TextIO, inp: TextIO) -> int:
    for note in size_from_words(args):
        print(note, file=sys.stderr)
    result = compute_size(args, pb)
    return _emit(args, result, sizing_text(result), out)


# ----------------------------------------------------------------------------- stage


def _add_stage(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("stage", help="the stage card for a number of users")
    p.add_argument("users", metavar="USERS", type=quantity(M.USERS), help="e.g. 50k, 1.2M")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=run_stage)


def run_stage(args: argparse.Namespace, pb: Playbook, out: TextIO, inp: TextIO) -> int:
    card = stage_for_users(args.users, pb)
    cost = sizing.cost(card.number, pb, args.users)
    data = {"users": args.users, "stage": card.model_dump(mode="json"), "cost": cost.result}
    text = f"{stage_text(card)}\n  Cost table: {cost.worked}"
    return _emit(args, data, text, out)


# -------------------------------------------------------------------------- diagnose


def _add_diagnose(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("diagnose", help="one-shot assessment from metric flags")
    for metric in METRIC_SPECS:
        short = ["--" + name.replace("_", "-") for name in SHORT_NAMES.get(metric, ())]
        p.add_argument(flag(metric), *short, dest=metric.value,
                       type=quantity(metric), metavar="VALUE", help=_metric_help(metric))
    p.add_argument("--symptom", metavar="TEXT", nargs="+",
                   help="what people see, in your own words (quotes optional)")
    p.add_argument("--signal", action="append", default=[], metavar="ID",
                   help="a qualitative trigger that holds, e.g. write_overload (repeatable)")
    p.add_argument("--done", action="append", default=[], metavar="RUNG",
                   help="a decision-matrix rung already tried, e.g. add_indexes (repeatable)")
    p.add_argument("--what-if", action="store_true", help="also show 10x, 100x and 1000x")
    p.add_argument("--system", metavar="NAME",
                   help="file the assessment under a named system and compare with last time")
    p.add_argument("--interactive", "-i", action="store_true",
                   help="the guided dialog (the default with no flags at a terminal)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=run_diagnose)


def conversations_for(pb: Playbook) -> Conversations:
    """The dialog service over the configured SQLite file (SCALE_DB).

    Raises DatabaseProblem (one line, nothing written) when the file is unusable.
    """
    from conversations.service import Conversations

    settings = read_settings()
    return Conversations.open(settings.scale_db, pb, dialog_ttl_s=settings.scale_dialog_ttl_s)


def _log_quietly(pb: Playbook, write: Callable[[Conversations], object]) -> None:
    """Log advice given at the terminal; a read-only or broken file must not hide it."""
    from conversations.schema import DatabaseProblem

    try:
        conv = conversations_for(pb)
        try:
            write(conv)
        finally:
            conv.close()
    except (OSError, sqlite3.Error, DatabaseProblem) as err:
        sys.stderr.write(f"scale-advisor: note: advice not logged ({_one_line(err)})\n")


def _one_line(err: BaseException) -> str:
    return " ".join(str(err).split()) or type(err).__name__


# ---------------------------------------------------------------------------- history


def _add_history(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("history", help="the advice log, newest first")
    p.add_argument("query", metavar="QUERY", nargs="*", help="words to search for")
    p.add_argument("--limit", type=int, default=20,
                   help="how many rows (default 20)")
    p.add_argument("--system", metavar="NAME", help="only the assessments of this system")
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="one JSON object per row")
    fmt.add_argument("--csv", action="store_true", help="CSV with a header row")
    p.set_defaults(handler=run_history)


HISTORY_COLUMNS = ["id", "created_at", "kind", "stage", "layer", "symptom", "topic",
                   "channel", "private", "asked_by", "helpful", "not_helpful", "summary"]


def run_history(args: argparse.Namespace, pb: Playbook, out: TextIO, inp: TextIO) -> int:
    from conversations.advice_log import Viewer, fts_query
    from conversations.service import HISTORY_MAX
    from conversations.systems import SystemNameError

    if not 1 <= args.limit <= HISTORY_MAX:
        raise CliError(f"history: --limit must be between 1 and {HISTORY_MAX}")
    args.query = " ".join(args.query) or None  # `history database slow` needs no quotes
    conv = conversations_for(pb)
    viewer = Viewer(team="local", unrestricted=True)
    if args.system:
        if args.query:
            raise CliError("history: give QUERY or --system NAME, not both")
        try:
            rows = conv.system_history(args.system, viewer, args.limit)
        except SystemNameError as err:
            raise CliError(f"history: {err}") from err
        if not rows:
            out.write(f"No assessments of a system called '{args.system.strip()}'.\n")
            return 0
    else:
        if args.query and fts_query(args.query) is None:
            print(f"scale-advisor: note: '{args.query}' has no word to search for; showing "
                  "the latest advice.", file=sys.stderr)
            args.query = None
        rows = conv.history(args.query, viewer, args.limit)
    columns = HISTORY_COLUMNS + (["system"] if args.system else [])
    names = conv.system_names({r.system_id for r in rows if r.system_id})
    records = [{c: getattr(r, c) for c in HISTORY_COLUMNS} for r in rows]
    for r, record in zip(rows, records, strict=True):
        record["created_at"] = _iso(record["created_at"])
        if args.system:
            record["system"] = names.get(r.system_id, "")
    if args.json:
        for record in records:
            _print_json(record, out)
    elif args.csv:
        writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(records)
    elif not records:
        out.write("No advice logged yet" + (f" matching '{args.query}'" if args.query else "")
                  + ".\n")
    else:
        for r in records:
            where = "" if r["channel"] == "terminal" else f" #{r['channel']}"
            out.write(f"#{r['id']}  {r['created_at']}  stage {r['stage'] or '-'}  "
                      f"{r['layer'] or r['topic'] or '-'}{where}\n    {r['summary']}\n")
    return 0


# ---------------------------------------------------------------------------- systems


def _add_systems(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("systems", help="named systems: stage, next rung, trends")
    p.add_argument("name", metavar="NAME", nargs="*", help="only the system of this name")
    p.add_argument("--limit", type=int, default=50, help="how many systems (default 50)")
    p.add_argument("--json", action="store_true", help="one JSON object per system")
    p.set_defaults(handler=run_systems)


def system_record(s: SystemSummary) -> dict[str, Any]:
    """One system as JSON: its summary, times in ISO form, a trend line per metric."""
    from conversations.tracking import sparkline

    record = s.model_dump(mode="json", exclude={"trends", "last_assessed"})
    record["last_assessed"] = _iso(s.last_assessed) if s.last_assessed else None
    record["trends"] = {m: {"values": v, "line": sparkline(v)} for m, v in s.trends.items()}
    return record


def system_text(s: SystemSummary) -> str:
    from advisor.format import with_unit
    from conversations.tracking import sparkline

    when = _iso(s.last_assessed) if s.last_assessed else "never"
    stage = f"stage {s.stage}" if s.stage else "stage not placed"
    lines = [f"{s.name}  (last assessed {when}, {s.assessments} assessment"
             f"{'s' if s.assessments != 1 else ''})",
             f"  {stage}; bottleneck: {s.layer or 'none'}; next: {s.next_rung or '-'}"]
    if s.open_rungs or s.done_rungs or s.not_now_rungs:
        lines.append(f"  open: {', '.join(s.open_rungs) or '-'}; done: "
                     f"{', '.join(s.done_rungs) or '-'}"
                     + (f"; not now: {', '.join(s.not_now_rungs)}" if s.not_now_rungs else ""))
    for metric, values in s.trends.items():
        last = with_unit(MetricName(metric), values[-1])
        lines.append(f"  {metric:<20} {sparkline(values):<12} {last}")
    return "\n".join(lines)


def run_systems(args: argparse.Namespace, pb: Playbook, out: TextIO, inp: TextIO) -> int:
    from conversations.advice_log import Viewer
    from conversations.systems import SystemNameError

    if not 1 <= args.limit <= 10000:
        raise CliError("systems: --limit must be between 1 and 10000")
    named = " ".join(args.name) or None
    conv = conversations_for(pb)
    try:
        found = conv.systems(Viewer(team="local", unrestricted=True), limit=args.limit,
                             named=named)
    except SystemNameError as err:
        raise CliError(f"systems: {err}") from err
    finally:
        conv.close()
    if args.json:
        for s in found:
            _print_json(system_record(s), out)
    elif not found and named:
        out.write(f"No system called '{named.strip()}' has been assessed.\n")
    elif not found:
        out.write("No systems yet: name one with diagnose --system NAME.\n")
    else:
        out.write("\n".join(system_text(s) for s in found) + "\n")
    return 0


def _add_marks(sub: argparse._SubParsersAction) -> None:
    for command, state, what in (("done", "done", "mark a rung of a system's ladder done"),
                                 ("not-now", "not_now", "put a rung off for now"),
                                 ("reopen", "open", "open a rung again")):
        p = sub.add_parser(command, help=what)
        p.add_argument("name", metavar="NAME", help="the system")
        p.add_argument("rung", metavar="RUNG", nargs="+", help='the rung, e.g. "add indexes"')
        p.add_argument("--json", action="store_true", help="print JSON")
        p.set_defaults(handler=run_mark, state=state)


def run_mark(args: argparse.Namespace, pb: Playbook, out: TextIO, inp: TextIO) -> int:
    from advisor.rungs import UnknownRung
    from bot.terminal.interview import local_place
    from conversations.systems import SystemNameError
    from conversations.tracking import NoSuchSystem

    conv = conversations_for(pb)
    try:
        marked = conv.mark_rung(args.name, " ".join(args.rung), local_place(), args.state)
    except (SystemNameError, NoSuchSystem, UnknownRung) as err:
        raise CliError(f"{args.command}: {err}") from err
    finally:
        conv.close()
    data = {"system": marked.system.name, "rung": marked.rung.id, "text": marked.rung.text,
            "state": args.state, "before": marked.before,
            "changed": marked.before != args.state}
    return _emit(args, data, f"{marked.system.name}: {marked.rung.text} "
                             f"{marked.said()}", out)


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, tz=UTC).strftime("%Y-%m-%d %H:%M:%SZ")


# ------------------------------------------------------------------------------ serve


def _add_serve(sub: argparse._SubParsersAction) -> None:
    # Listed for --help only: the entry point (bot.main) hands `serve ...` to the Slack front
    # before this parser is built; this front never starts the server itself.
    serve = sub.add_parser("serve", help="run the Slack app (see README: Run it in Slack)")
    serve.set_defaults(handler=_not_here)


def _not_here(args: argparse.Namespace, pb: Playbook, out: TextIO, inp: TextIO) -> int:
    raise CliError("scale-advisor: error: start the Slack app with `scale-advisor serve`")


def _known_signals(pb: Playbook) -> set[str]:
    return {t.signal for t in pb.triggers if t.signal} | {a.signal for a in pb.additions
                                                         if a.signal}


def observations_from(args: argparse.Namespace, pb: Playbook) -> Observations:
    """The flags as Observations; an unknown signal id or rung is refused by name."""
    from advisor.models import Observations

    signals = _known_signals(pb)
    unknown = sorted(set(args.signal) - signals)
    if unknown:
        raise CliError(f"diagnose: unknown signal {', '.join(unknown)} "
                       f"(known: {', '.join(sorted(signals))})")
    given = {m: getattr(args, m.value) for m in METRIC_SPECS}
    metrics = {m: v for m, v in given.items() if v is not None}
    return Observations(metrics=metrics, signals=set(args.signal),
                        done={_rung_id(said, pb) for said in args.done},
                        text=" ".join(args.symptom or ()))


def _rung_id(said: str, pb: Playbook) -> str:
    """`--done RUNG`: found as `done NAME RUNG` finds it (id, wording or alias)."""
    from advisor.rungs import UnknownRung, find_rung

    try:
        return find_rung(said, pb).id
    except UnknownRung as err:
        raise CliError(f"diagnose: --done: {err}") from err


def symptom_match(text: str, pb: Playbook) -> Match:
    """`--symptom`: a decision-matrix label or id (any case, a slip allowed) is an exact
    pick; a description goes to the matcher; text that names nothing is refused."""
    from advisor.symptoms import match_for, symptom_list

    found = match_for(text, pb)
    if found.kind != "symptom" or not (found.layer or found.symptom):
        raise CliError(f"diagnose: --symptom '{text}' names no symptom I know; give one of: "
                       f"{symptom_list(pb)}; or describe what people see")
    return found


def run_diagnose(args: argparse.Namespace, pb: Playbook, out: TextIO, inp: TextIO) -> int:
    from advisor.engine import assess, what_ifs
    from advisor.report import assessment_text, what_if_text
    from bot.terminal.interview import local_place, run_dialog

    obs = observations_from(args, pb)
    if args.interactive or (not obs.metrics and not obs.text and not obs.signals):
        if not args.interactive and not inp.isatty():
            raise CliError("diagnose: give at least one metric flag (e.g. --users 50k --p95 1.2s)"
                           ", --symptom TEXT, or --interactive for the guided dialog")
        conv = conversations_for(pb)
        (sys.stderr if args.json else out).write(
            "Scaling check-up: answer in your own words; say skip, back, done, help or cancel "
            "at any point.\n")
        return run_dialog(conv, inp, out, json_out=args.json)
    match = symptom_match(obs.text, pb) if obs.text else None
    data: dict[str, Any] = {}
    parts: list[str] = []
    if args.system:
        assessment, data, parts = _diagnose_system(args.system, obs, pb, match)
        obs = assessment.inputs  # the system's recorded rungs count for the what-if too
    else:
        assessment = assess(obs, pb, match)
        _log_quietly(pb, lambda conv: conv.record(assessment, local_place()))
    data = {**assessment.model_dump(mode="json"), **data}
    parts.append(assessment_text(assessment))
    if args.what_if:
        steps = what_ifs(obs, pb, match)
        data["what_if"] = [w.model_dump(mode="json", exclude={"assessment"}) for w in steps]
        parts += [what_if_text(w) for w in steps]
    return _emit(args, data, "\n\n".join(parts), out)


def _diagnose_system(name: str, obs: Observations, pb: Playbook, match: Any
                     ) -> tuple[Assessment, dict[str, Any], list[str]]:
    """Assess, file under system `name` and compare with its last assessment.

    Returns the assessment, the JSON fields it adds (system, changes, since) and the text
    that opens the answer.
    """
    from advisor.changes import change_lines
    from advisor.format import ago
    from bot.terminal.interview import local_place
    from conversations.systems import SystemNameError

    try:
        conv = conversations_for(pb)
    except (OSError, sqlite3.Error) as err:
        raise CliError(f"diagnose: --system needs the advice log, which cannot be opened "
                       f"({err})") from err
    try:
        outcome = conv.diagnose(obs, local_place(), match=match, deliver=False, system=name)
        now = conv.clock()
    except SystemNameError as err:
        raise CliError(f"diagnose: {err}") from err
    finally:
        conv.close()
    message = outcome.messages[0]
    assert message.assessment is not None
    since = message.since
    head = f"System: {message.system} (assessment #{outcome.advice_id})"
    data: dict[str, Any] = {"system": message.system, "changes": [], "since": None}
    if since is None:
        return message.assessment, data, [head + "; first assessment, nothing to compare yet."]
    c = since.changes
    data["changes"] = [m.model_dump(mode="json") for m in c.metrics]
    data["since"] = {
        "id": since.advice_id, "at": _iso(since.at),
        "stage": {"before": _opt(c.stage_before), "after": _opt(c.stage_after)},
        "bottleneck": {"before": _opt(c.layer_before), "after": _opt(c.layer_after)},
        "rungs_done": c.rungs_done,
    }
    lines = [head, f"Since last time (#{since.advice_id}, {ago(now - since.at)}):"]
    lines += [f"  {line}" for line in change_lines(c)] or ["  nothing given both times"]
    return message.assessment, data, ["\n".join(lines)]


def _opt(value: Any) -> Any:
    """An enum member as its JSON value; None stays None."""
    return None if value is None else value.value


# ------------------------------------------------------------------------------ main

SUBCOMMANDS: list[Callable[[argparse._SubParsersAction], None]] = [
    _add_ask,
    _add_size,
    _add_stage,
    _add_diagnose,
    _add_history,
    _add_systems,
    _add_marks,
    _add_serve,
]


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="scale-advisor",
                     description="Place a system on the scaling journey and size the fix.")
    parser.add_argument("--playbook", metavar="FILE",
                        help="a team playbook (default: $SCALE_PLAYBOOK, else the packaged one)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for add in SUBCOMMANDS:
        add(sub)
    return parser


def playbook_from(path: str | None) -> Playbook:
    """--playbook, else SCALE_PLAYBOOK from the settings, else the packaged playbook."""
    return load_team_playbook(read_settings(playbook=path).scale_playbook)


def _glue_negative_values(argv: list[str]) -> list[str]:
    """`--flag -5GB` becomes `--flag=-5GB`, so a negative value reaches the parser and is
    refused with its reason instead of being mistaken for an option."""
    out: list[str] = []
    for token in argv:
        if (out and out[-1].startswith("--") and out[-1] != "--" and "=" not in out[-1]
                and "--" not in out
                and len(token) > 1 and token[0] == "-" and (token[1].isdigit() or token[1] == ".")):
            out[-1] = f"{out[-1]}={token}"
        else:
            out.append(token)
    return out


def _asked_plainly(argv: list[str], parser: argparse.ArgumentParser) -> list[str]:
    """`scale-advisor why is checkout slow` is `scale-advisor ask "why is checkout slow"`,
    as `/scale why is checkout slow` is in Slack: words that name no command, and are not
    one word or a near miss of one (`diagnos`), are a question."""
    commands = next(a.choices for a in parser._actions
                    if isinstance(a, argparse._SubParsersAction))
    i = 0
    while i < len(argv) and argv[i].startswith("-"):  # the global options before it
        i += 2 if argv[i] == "--playbook" else 1
    words = list(takewhile(lambda word: not word.startswith("-"), argv[i:]))
    if not words or words[0] in commands:
        return argv
    text = " ".join(words)
    if " " not in text.strip() or difflib.get_close_matches(words[0], list(commands), n=1):
        return argv  # the parser names the commands there are
    return [*argv[:i], "ask", text, *argv[i + len(words):]]


def _quantity_options(parser: argparse.ArgumentParser) -> dict[str, MetricName]:
    """Every option (and the `stage` positional, as `stage`) that takes a quantity, in
    every subcommand, with its metric."""
    found: dict[str, MetricName] = {}
    for action in parser._actions:  # argparse keeps no public list of its arguments
        metric = getattr(action.type, "metric", None)
        if metric is not None:
            for name in action.option_strings or [parser.prog.split()[-1]]:
                found[name] = metric
        if isinstance(action, argparse._SubParsersAction):  # each subcommand's own
            for child in action.choices.values():
                found |= _quantity_options(child)
    return found


def _glue_value_words(argv: list[str], options: dict[str, MetricName],
                      notes: list[str]) -> list[str]:
    """`--users 50 thousand` becomes `--users=50 thousand` (and `stage 15 lakh` one
    value): the words after a value that change its reading belong to it, as in Slack's
    `users=50 thousand`; `--p95-ms 1.2` becomes `--p95-ms=1.2 ms`, with a line in `notes`.
    Anything else is left for the parser to judge."""
    out: list[str] = []
    stage_waits = False  # `stage` was said and its USERS not yet
    i = 0
    while i < len(argv):
        token = argv[i]
        i += 1
        name, eq, value = token.partition("=")
        if "--" in out:
            out.append(token)
            continue
        if name.startswith("--") and name in options:
            if (eq and value == "--") or (not eq and argv[i:i + 1] == ["--"]):
                # argparse would take `--users=--` as an empty list: let it say instead
                # that the option needs a value.
                out.extend([name, "--"])
                if not eq:
                    i += 1  # the `--` just read
                continue
            if not eq:
                if i >= len(argv):
                    out.append(token)
                    continue
                value, i = argv[i], i + 1
            prefix, metric = f"{name}=", options[name]
        elif stage_waits and not token.startswith("-") and "stage" in options:
            prefix, metric, value, stage_waits = "", options["stage"], token, False
        else:
            stage_waits = stage_waits or token == "stage"
            out.append(token)
            continue
        following = list(takewhile(lambda word: not word.startswith("-"), argv[i:]))
        try:
            taken = parse_value_words(value, following, metric)[1]
        except AmbiguousUnit:  # `--p95-ms 1.2` is 1.2 ms; `--p95 1.2` is refused with both
            with_unit = in_named_unit(name[2:].replace("-", "_"), value) if prefix else value
            if with_unit != value:
                notes.append(f"scale-advisor: note: {name}: {value} read in "
                             f"{with_unit.split()[-1]}, {NAMED_UNIT}")
            value, taken = with_unit, 0
        except MisspeltNumber as err:  # `40 thsnd`: let the parser say what is wrong
            taken = err.words
        except ParseError:
            taken = 0
        out.append(prefix + " ".join([value, *argv[i:i + taken]]))
        i += taken
    return out


def _database_error(err: sqlite3.Error) -> str:
    """An SQLite failure mid-command (disk full, locked, read-only) as one line naming the
    file."""
    try:
        where = f"database {read_settings().scale_db}"
    except SettingsError:
        where = "database"
    return f"scale-advisor: error: {where}: {_one_line(err)}"


def _stdout_gone() -> int:
    """The reader of our output went away (`| head -1`): stop quietly. Point stdout at
    /dev/null so the interpreter's final flush does not complain either."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    return BROKEN_PIPE


def main(argv: list[str] | None = None, out: TextIO | None = None,
         inp: TextIO | None = None) -> int:
    out = out or sys.stdout
    inp = ValidInput(inp or sys.stdin)
    try:
        argv = [valid_text(arg) for arg in (sys.argv[1:] if argv is None else argv)]
        parser = build_parser()
        if not argv:  # as `/scale` alone does in Slack: what it can do
            parser.print_help(out)
            return 0
        argv = _asked_plainly(argv, parser)
        unit_notes: list[str] = []
        glued = _glue_value_words(_glue_negative_values(argv), _quantity_options(parser),
                                  unit_notes)
        args = parser.parse_args(glued)
        for note in unit_notes + flag_notes(args):
            sys.stderr.write(note + "\n")
        pb = playbook_from(args.playbook)
        status = args.handler(args, pb, out, inp)
        out.flush()  # a closed pipe or a full disk shows up here, not at exit
        return status
    except SystemExit as done:  # --help and --version end here
        return int(done.code or 0)
    except BrokenPipeError:
        return _stdout_gone() if out is sys.stdout else BROKEN_PIPE
    except KeyboardInterrupt:
        sys.stderr.write("\n")
        return INTERRUPTED
    except (SettingsError, _loaded("conversations.schema", "DatabaseProblem")) as err:
        sys.stderr.write(f"scale-advisor: error: {err}\n")
        return USAGE_ERROR
    except sqlite3.Error as err:
        sys.stderr.write(_database_error(err) + "\n")
        return USAGE_ERROR
    except UnicodeDecodeError as err:
        sys.stderr.write(f"scale-advisor: error: input is not UTF-8 text (byte "
                         f"{err.object[err.start]:#04x} at position {err.start})\n")
        return USAGE_ERROR
    except OSError as err:
        sys.stderr.write(f"scale-advisor: error: {_one_line(err)}\n")
        return USAGE_ERROR
    except (CliError, PlaybookError, MetricError, ParseError) as err:
        sys.stderr.write(f"{err}\n" if str(err).startswith("scale-advisor") else
                         f"scale-advisor: error: {err}\n")
        return USAGE_ERROR


if __name__ == "__main__":
    sys.exit(main())
