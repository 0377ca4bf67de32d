"""The `scale-advisor` terminal front end (contract in DESIGN.md).

One small function registers each subcommand and one runs it, so more subcommands
(`history`, `serve`, an interactive `diagnose`) slot in without touching the rest: add a
`_add_<name>(sub)` that sets `handler`, and list it in SUBCOMMANDS.
Every bad input ends with a one-line reason on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sqlite3
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TextIO

from pydantic import BaseModel

from advisor import sizing
from advisor.engine import assess, what_ifs
from advisor.metrics import METRIC_SPECS, MetricError, MetricName
from advisor.models import Observations, Sizing
from advisor.playbook import Playbook, PlaybookError
from advisor.report import assessment_text, sizing_text, stage_text, what_if_text
from advisor.stages import stage_for_users
from advisor.units import ParseError, parse_quantity
from bot.settings import SettingsError, load_team_playbook, read_settings
from bot.terminal import local_place, run_dialog
from conversations.advice_log import AdviceEntry, Viewer
from conversations.dbcheck import DatabaseProblem
from conversations.service import HISTORY_MAX, Conversations
from conversations.store import Store

USAGE_ERROR = 2
BROKEN_PIPE = 128 + 13  # what a shell reports for a writer killed by SIGPIPE
INTERRUPTED = 128 + 2
M = MetricName

# Short flags people reach for, besides the full `--metric-name` form.
ALIASES: dict[MetricName, list[str]] = {
    M.P95_MS: ["--p95"],
    M.DB_CPU_PCT: ["--db-cpu"],
    M.SERVER_CPU_PCT: ["--server-cpu", "--cpu"],
    M.MEMORY_PCT: ["--memory", "--mem"],
    M.POOL_USED_PCT: ["--pool-used", "--pool"],
    M.QUERIES_PER_REQUEST: ["--queries", "--qpr"],
    M.READ_PCT: ["--read-pct", "--reads-pct"],
    M.CACHE_HIT_PCT: ["--cache-hit"],
    M.REPLICA_LAG_S: ["--replica-lag", "--lag"],
    M.SLOWEST_QUERY_MS: ["--slowest-query"],
    M.PEAK_RPS: ["--peak"],
    M.GROWTH_FACTOR: ["--growth"],
    M.SAFETY_MARGIN: ["--safety"],
    M.WORKING_SET_GB: ["--working-set"],
    M.STATIC_BANDWIDTH_PCT: ["--static-bandwidth", "--static"],
    M.READS_RPS: ["--reads"],
    M.PER_REPLICA_RPS: ["--per-replica"],
}


class CliError(Exception):
    """A user mistake: printed as one line on stderr, exit status 2."""


class _Parser(argparse.ArgumentParser):
    """argparse that raises instead of exiting, so main() decides the exit status."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise CliError(f"{self.prog}: {message}")


def quantity(metric: MetricName) -> Callable[[str], float]:
    """An argparse `type` that reads a value as people write it, in the metric's unit."""

    def parse(text: str) -> float:
        try:
            return parse_quantity(text, metric).value
        except ParseError as err:
            raise argparse.ArgumentTypeError(str(err)) from err

    parse.__name__ = metric.value  # argparse names the type in its messages
    return parse


def flag(metric: MetricName) -> str:
    return "--" + metric.value.replace("_", "-")


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


def _add_ask(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("ask", help="answer a question or a symptom description")
    p.add_argument("text", metavar="TEXT", help="the question; '-' reads one per line from stdin")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=run_ask)


def _ask_json(result: Any) -> dict[str, Any]:
    return result.model_dump(mode="json", exclude={"match"})


def run_ask(args: argparse.Namespace, pb: Playbook, out: TextIO, inp: TextIO) -> int:
    from advisor.ask import ask

    if args.text == "-":
        for line in inp:
            if line.strip():
                _print_json(_ask_json(ask(line.strip(), pb)), out)
        return 0
    if not args.text.strip():
        raise CliError("ask: give a question, or '-' to read questions from stdin")
    result = ask(args.text, pb)
    return _emit(args, _ask_json(result), result.answer, out)


# ------------------------------------------------------------------------------ size


def _add_size(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("size", help="the guide's sizing formulas")
    kinds = p.add_subparsers(dest="kind", metavar="pool|replicas|cache|capacity",
                             parser_class=_Parser)
    kinds.required = True

    pool = kinds.add_parser("pool", help="connection pool: cores x 2 + spindles")
    pool.add_argument("--cores", type=quantity(M.CORES), required=True)
    disk = pool.add_mutually_exclusive_group()
    disk.add_argument("--spindles", type=quantity(M.SPINDLES))
    disk.add_argument("--ssd", action="store_true", help="SSD storage (counts as 1 spindle)")

    rep = kinds.add_parser("replicas", help="read replicas: ceiling(reads / per replica)")
    rep.add_argument("--reads", type=quantity(M.READS_RPS), required=True)
    rep.add_argument("--per-replica", type=quantity(M.PER_REPLICA_RPS), required=True)

    cache = kinds.add_parser("cache", help="cache memory: working set x 1.5")
    cache.add_argument("--working-set", type=quantity(M.WORKING_SET_GB), required=True)

    cap = kinds.add_parser("capacity", help="capacity: peak x growth x safety")
    cap.add_argument("--peak", type=quantity(M.PEAK_RPS), required=True)
    cap.add_argument("--growth", type=quantity(M.GROWTH_FACTOR), default=1.0)
    cap.add_argument("--safety", type=quantity(M.SAFETY_MARGIN), default=None)

    for kind in (pool, rep, cache, cap):
        kind.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=run_size)


def compute_size(args: argparse.Namespace, pb: Playbook) -> Sizing:
    """The sizing a parsed `size ...` command asks for (shared with Slack's /scale size)."""
    if args.kind == "pool":
        return sizing.pool(int(args.cores), None if args.spindles is None else int(args.spindles),
                           ssd=args.ssd, playbook=pb)
    if args.kind == "replicas":
        return sizing.replicas(args.reads, args.per_replica, pb)
    if args.kind == "cache":
        return sizing.cache(args.working_set, pb)
    return sizing.capacity(args.peak, args.growth, args.safety, pb)


def run_size(args: argparse.Namespace, pb: Playbook, out: TextIO, inp: TextIO) -> int:
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
    cost = sizing.cost(card.number, pb)
    data = {"users": args.users, "stage": card.model_dump(mode="json"), "cost": cost.result}
    text = f"{stage_text(card)}\n  Cost table: {cost.worked}"
    return _emit(args, data, text, out)


# -------------------------------------------------------------------------- diagnose


def _add_diagnose(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("diagnose", help="one-shot assessment from metric flags")
    for metric, spec in METRIC_SPECS.items():
        p.add_argument(flag(metric), *ALIASES.get(metric, []), dest=metric.value,
                       type=quantity(metric), metavar="VALUE",
                       help=f"{spec.label} ({spec.unit.value})")
    p.add_argument("--symptom", metavar="TEXT", help="what people see, in your own words")
    p.add_argument("--signal", action="append", default=[], metavar="ID",
                   help="a qualitative trigger that holds, e.g. write_overload (repeatable)")
    p.add_argument("--done", action="append", default=[], metavar="RUNG",
                   help="a decision-matrix rung already tried, e.g. add_indexes (repeatable)")
    p.add_argument("--what-if", action="store_true", help="also show 10x, 100x and 1000x")
    p.add_argument("--interactive", "-i", action="store_true",
                   help="the guided dialog (the default with no flags at a terminal)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=run_diagnose)


def conversations_for(pb: Playbook) -> Conversations:
    """The dialog service over the configured SQLite file (SCALE_DB).

    Raises DatabaseProblem (one line, nothing written) when the file is unusable.
    """
    settings = read_settings()
    return Conversations(Store(settings.scale_db, dialog_ttl_s=settings.scale_dialog_ttl_s), pb)


def _log_quietly(pb: Playbook, write: Callable[[Conversations], object]) -> None:
    """Log advice given at the terminal; a read-only or broken file must not hide it."""
    try:
        conv = conversations_for(pb)
        try:
            write(conv)
        finally:
            conv.store.close()
    except (OSError, sqlite3.Error, DatabaseProblem) as err:
        sys.stderr.write(f"scale-advisor: note: advice not logged ({_one_line(err)})\n")


def _one_line(err: BaseException) -> str:
    return " ".join(str(err).split()) or type(err).__name__


# ---------------------------------------------------------------------------- history


def _add_history(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("history", help="the advice log, newest first")
    p.add_argument("query", metavar="QUERY", nargs="?", help="words to search for")
    p.add_argument("--limit", type=int, default=20,
                   help=f"how many rows (default 20, at most {HISTORY_MAX})")
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="one JSON object per row")
    fmt.add_argument("--csv", action="store_true", help="CSV with a header row")
    p.set_defaults(handler=run_history)


HISTORY_COLUMNS = ["id", "created_at", "kind", "stage", "layer", "symptom", "topic",
                   "channel", "private", "asked_by", "helpful", "not_helpful", "summary"]


def run_history(args: argparse.Namespace, pb: Playbook, out: TextIO, inp: TextIO) -> int:
    if not 1 <= args.limit <= HISTORY_MAX:
        raise CliError(f"history: --limit must be between 1 and {HISTORY_MAX}")
    conv = conversations_for(pb)
    rows = conv.history(args.query, Viewer(team="local", unrestricted=True), args.limit)
    records = [{c: getattr(r, c) for c in HISTORY_COLUMNS} for r in rows]
    for record in records:
        record["created_at"] = _iso(record["created_at"])
    if args.json:
        for record in records:
            _print_json(record, out)
    elif args.csv:
        writer = csv.DictWriter(out, fieldnames=HISTORY_COLUMNS, lineterminator="\n")
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


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, tz=UTC).strftime("%Y-%m-%d %H:%M:%SZ")


# ------------------------------------------------------------------------------ serve


def _add_serve(sub: argparse._SubParsersAction) -> None:
    # Listed for --help only: main() hands `serve ...` to bot.server, which owns its flags.
    sub.add_parser("serve", help="run the Slack app (see README: Run it in Slack)")


def _serve_args(argv: list[str]) -> tuple[str | None, list[str]] | None:
    """(the `--playbook` given before it, the arguments after `serve`) when that is the
    command, else None."""
    i, playbook = 0, None
    while i < len(argv) and argv[i].startswith("-"):
        if argv[i] == "--playbook" and i + 1 < len(argv):
            playbook = argv[i + 1]
            i += 2
            continue
        if argv[i].startswith("--playbook="):
            playbook = argv[i].partition("=")[2]
        i += 1
    return (playbook, argv[i + 1:]) if i < len(argv) and argv[i] == "serve" else None


def _start_serving(playbook: str | None, argv: list[str]) -> int:
    """Hand over to the server with `--playbook` carried as SCALE_PLAYBOOK, the setting
    every process the server starts (workers included) reads."""
    if playbook is not None:
        os.environ["SCALE_PLAYBOOK"] = playbook
    try:
        read_settings()
    except SettingsError as err:
        sys.stderr.write(f"scale-advisor serve: cannot start: {err}\n")
        return USAGE_ERROR
    from bot.server import serve_main

    return serve_main(argv)


def _known_ids(pb: Playbook) -> tuple[set[str], set[str]]:
    signals = {t.signal for t in pb.triggers if t.signal} | {a.signal for a in pb.additions
                                                             if a.signal}
    rungs = {r.id for row in pb.decision_matrix for r in row.rungs}
    return signals, rungs


def observations_from(args: argparse.Namespace, pb: Playbook) -> Observations:
    """The flags as Observations; unknown signal or rung ids are refused by name."""
    signals, rungs = _known_ids(pb)
    for kind, given, known in (("signal", args.signal, signals), ("rung", args.done, rungs)):
        unknown = sorted(set(given) - known)
        if unknown:
            raise CliError(f"diagnose: unknown {kind} {', '.join(unknown)} "
                           f"(known: {', '.join(sorted(known))})")
    given = {m: getattr(args, m.value) for m in METRIC_SPECS}
    metrics = {m: v for m, v in given.items() if v is not None}
    return Observations(metrics=metrics, signals=set(args.signal), done=set(args.done),
                        text=args.symptom or "")


def run_diagnose(args: argparse.Namespace, pb: Playbook, out: TextIO, inp: TextIO) -> int:
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
    match = None
    if obs.text:
        from advisor.matching import match as match_text

        match = match_text(obs.text)
    assessment = assess(obs, pb, match)
    _log_quietly(pb, lambda conv: conv.store.log_advice(AdviceEntry.from_assessment(
        assessment, created_at=conv.clock(), team="local", channel="terminal",
        asked_by=local_place().user)))
    if not args.what_if:
        return _emit(args, assessment, assessment_text(assessment), out)
    steps = what_ifs(obs, pb, match)
    data = {**assessment.model_dump(mode="json"),
            "what_if": [w.model_dump(mode="json", exclude={"assessment"}) for w in steps]}
    text = "\n\n".join([assessment_text(assessment), *(what_if_text(w) for w in steps)])
    return _emit(args, data, text, out)


# ------------------------------------------------------------------------------ main

SUBCOMMANDS: list[Callable[[argparse._SubParsersAction], None]] = [
    _add_ask,
    _add_size,
    _add_stage,
    _add_diagnose,
    _add_history,
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
    inp = inp or sys.stdin
    try:
        argv = sys.argv[1:] if argv is None else list(argv)
        serve_args = _serve_args(argv)
        if serve_args is not None:
            return _start_serving(*serve_args)
        args = build_parser().parse_args(_glue_negative_values(argv))
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
    except (SettingsError, DatabaseProblem) as err:
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
    except ModuleNotFoundError as err:
        if err.name != "advisor.matching":
            raise
        sys.stderr.write("scale-advisor: error: free-text matching is not installed yet\n")
        return USAGE_ERROR
    except (CliError, PlaybookError, MetricError, ParseError) as err:
        sys.stderr.write(f"{err}\n" if str(err).startswith("scale-advisor") else
                         f"scale-advisor: error: {err}\n")
        return USAGE_ERROR


if __name__ == "__main__":
    sys.exit(main())
