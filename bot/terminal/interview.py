"""The guided interview in a terminal: prompts on stdout, answers line by line from stdin.

It works piped as well as at a keyboard. State lives in the SQLite file after every
accepted answer, so an interrupted run is offered for resumption the next time.
"""

from __future__ import annotations

import getpass
import sys
import uuid
from typing import TextIO

from advisor.changes import change_lines
from advisor.report import assessment_text
from advisor.units import parse_yes_no
from conversations.dialog import CANCELLED, RESTART_KINDS, Reply, command_of
from conversations.service import (
    UNUSABLE,
    Conversations,
    Outcome,
    Place,
    UnusableDialog,
    saved_state,
)

KEY_PREFIX = "cli:"


def local_place() -> Place:
    """Everything asked at this terminal is one person's, in one non-Slack place."""
    return Place(team="local", channel="terminal", user=getpass.getuser(), private=False)


def render_reply(reply: Reply) -> str:
    """One dialog reply as terminal text (the assessment is printed by the caller)."""
    if reply.kind == "question":
        head = f"[{reply.position}] {reply.text}"
        if reply.choices:
            head += "\n    quick answers: " + " | ".join(c.label for c in reply.choices)
        return head
    if reply.kind == "reprompt":
        readings = " | ".join(c.label for c in reply.choices) if reply.choices else ""
        return f"  ! {reply.text}" + (f"\n    quick answers: {readings}" if readings else "")
    if reply.kind in RESTART_KINDS:
        return f"  {reply.text} Run `{RESUME_COMMAND}` to begin again."
    return f"  {reply.text}"


def _show(outcome: Outcome, out: TextIO, *, json_out: bool) -> None:
    for message in outcome.messages:
        for note in message.notes:
            if not json_out:
                out.write(f"  {note}\n")
        if message.assessment is not None:
            if json_out:
                out.write(message.assessment.model_dump_json() + "\n")
            else:
                if message.system:
                    out.write(f"\nSystem: {message.system}\n")
                if message.since is not None:
                    out.write("Since last time:\n" + "".join(
                        f"  {line}\n" for line in change_lines(message.since.changes)))
                out.write("\n" + assessment_text(message.assessment) + "\n")
            if message.reply and message.reply.skipped:
                skipped = ", ".join(message.reply.skipped)
                out.write(f"\n  (skipped: {skipped})\n" if not json_out else "")
        elif message.reply is not None:
            out.write(render_reply(message.reply) + "\n")
        elif message.text:
            out.write(f"  {message.text}\n")


# `_resume_key`'s answer when `cancel` is typed at the resume question: no key, no dialog.
CANCELLED_AT_RESUME = ""


def _resume_key(conv: Conversations, place: Place, inp: TextIO, out: TextIO) -> str | None:
    """Offer an unfinished terminal dialog; the key to continue, None to start afresh, or
    CANCELLED_AT_RESUME when the person cancelled there (an answer, not a failure)."""
    row = conv.open_dialog_for(place.user, KEY_PREFIX)
    if row is None or row.expired:
        return None
    try:
        answered = len(saved_state(row.state).asked)
    except UnusableDialog:
        conv.discard_dialog(row.key)
        out.write(UNREADABLE)
        return None
    out.write(f"You have an unfinished diagnosis ({answered} answered). Resume it? [Y/n] ")
    for _ in range(RESUME_TRIES):
        out.flush()
        line = inp.readline().strip()
        if command_of(line) == "cancel":  # as at every question: the diagnosis is dropped
            conv.discard_dialog(row.key)
            return CANCELLED_AT_RESUME
        if line.lower() == "new" or parse_yes_no(line) is False:
            conv.discard_dialog(row.key)
            return None
        if not line or parse_yes_no(line) is True:
            break  # an empty line (or the end of input) resumes, as the [Y/n] says
        # An answer typed at this prompt would be taken for "yes" and lost.
        out.write("  Please answer y to resume, n to start afresh or cancel. [Y/n] ")
    return row.key


RESUME_TRIES = 3  # after this many unclear answers, resume (the default)
# With --interactive it works piped too (plain `diagnose` asks only at a keyboard).
RESUME_COMMAND = "scale-advisor diagnose --interactive"
UNREADABLE = f"{UNUSABLE} Starting a new one (say cancel to stop).\n"
PAUSED = f"\n  Paused. Run `{RESUME_COMMAND}` again to resume.\n"
ENTER_SKIPS = "  (Enter on its own skips a question.)\n"


def run_dialog(conv: Conversations, inp: TextIO, out: TextIO, *, json_out: bool = False) -> int:
    """Interview until the assessment (0) or until input ends, leaving it resumable (0).

    Ctrl-C pauses like Ctrl-D: every accepted answer is already stored, and an answer
    interrupted mid-write rolls back whole. With `json_out` the questions go to stderr,
    so stdout carries only the JSON result.
    """
    prompt_out = sys.stderr if json_out else out
    try:
        return _interview(conv, inp, out, prompt_out, json_out=json_out)
    except KeyboardInterrupt:
        prompt_out.write(PAUSED)
        return 0


def _interview(conv: Conversations, inp: TextIO, out: TextIO, prompt_out: TextIO, *,
               json_out: bool) -> int:
    place = local_place()
    key = _resume_key(conv, place, inp, prompt_out)
    if key == CANCELLED_AT_RESUME:
        prompt_out.write(render_reply(Reply(kind="cancelled", text=CANCELLED)) + "\n")
        return 0
    if key is None:
        key = f"{KEY_PREFIX}{place.user}:{uuid.uuid4().hex[:12]}"
        outcome = conv.begin(key, place, deliver=False)
        _show(outcome, prompt_out, json_out=False)
        prompt_out.write(ENTER_SKIPS)
    else:
        state, _ = conv.current(key) or (None, False)
        current = state.current if state else None
        if current is not None:
            question = conv.script.question(current)
            prompt_out.write(f"  Picking up where you left off.\n[{len(state.asked) + 1}] "
                             f"{question.prompt}\n")
    while True:
        prompt_out.write("> ")
        prompt_out.flush()
        line = inp.readline()
        if not line:
            prompt_out.write(PAUSED)
            return 0
        # At a keyboard, Enter alone is how a question is passed over.
        answer = line.rstrip("\n") if line.strip() else "skip"
        outcome = conv.reply(key, answer, place, deliver=False)
        if outcome is None:
            return 0
        final = outcome.finished
        _show(outcome, out if final else prompt_out, json_out=json_out and final)
        if final:
            return 0
