"""The guided interview as a pure step function: (state, input) -> (state, replies).

No storage and no clock here: the caller loads the state, calls `step`, and saves the
new state in the same transaction that records the replies. A bad answer never changes
the state, so nothing already answered can be lost.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, Field

from advisor.engine import assess
from advisor.matching import match
from advisor.metrics import METRIC_SPECS, MetricName
from advisor.models import Assessment, Layer, Match, Observations, Symptom
from advisor.playbook import Playbook
from advisor.symptoms import symptom_from
from advisor.units import (
    AmbiguousUnit,
    ParseError,
    echo,
    parse_quantity,
    parse_yes_no,
    read_as,
    read_line,
    read_text,
    value_text,
)
from conversations.script import SYMPTOM_PREFIX, Choice, Question, Script, default_script, holds

MAX_ANSWER_CHARS = 1000
MAX_SYSTEM_NAME = 60

ReplyKind = Literal[
    "question", "reprompt", "note", "help", "assessment", "cancelled", "restarted", "closed"
]


class Answer(BaseModel):
    """One stored answer; `value` None means skipped. `source` is the question that set it."""

    raw: str
    value: float | bool | str | None = None
    note: str | None = None
    source: str


class DialogState(BaseModel):
    version: int = 1
    status: Literal["open", "finished", "cancelled"] = "open"
    answers: dict[str, Answer] = Field(default_factory=dict)
    asked: list[str] = Field(default_factory=list)
    current: str | None = None
    match: Match | None = None
    picked_symptom: Symptom | None = None
    # Systems already assessed in this place: the quick answers to the "system" question,
    # which is asked only when there are some.
    system_choices: list[str] = Field(default_factory=list)
    # The two readings a bare number was asked back with ("1.2 ms", "1.2 s"), until the
    # next answer: a unit word or a pick by place then settles that number.
    unit_readings: list[str] = Field(default_factory=list)


class Reply(BaseModel):
    kind: ReplyKind
    text: str
    question_key: str | None = None
    choices: list[Choice] = Field(default_factory=list)
    position: int | None = None
    limit: int | None = None  # the most questions a run asks
    assessment: Assessment | None = None
    skipped: list[str] = Field(default_factory=list)


class StepResult(BaseModel):
    state: DialogState
    replies: list[Reply]

    @property
    def finished(self) -> bool:
        return self.state.status != "open"

    @property
    def assessment(self) -> Assessment | None:
        return next((r.assessment for r in self.replies if r.assessment), None)


_COMMANDS: dict[str, tuple[str, ...]] = {
    "skip": ("skip", "pass", "next", "don't know", "dont know", "do not know", "idk",
             "not sure", "no idea", "unknown", "n/a", "na", "?", "dunno", "no clue",
             "skip it", "skip this", "skip this one", "not known", "can't say", "cant say",
             "no data", "don't have it", "dont have it", "i don't know", "i dont know"),
    "done": ("done", "finish", "finished", "that's all", "thats all", "enough", "stop asking"),
    "back": ("back", "undo", "go back", "previous"),
    "cancel": ("cancel", "quit", "exit", "abort", "stop"),
    "help": ("help", "what?", "explain", "huh?"),
    "restart": ("restart", "start over", "reset", "start again"),
}
_COMMAND_OF = {word: cmd for cmd, words in _COMMANDS.items() for word in words}
_NONE_WORDS = {"none", "nothing", "no symptoms", "nothing yet", "planning", "all good", "fine"}


def command_of(text: str) -> str | None:
    """The dialog command a reply means, if it is one (case and punctuation forgiving)."""
    norm = re.sub(r"\s+", " ", text.strip().lower().replace("’", "'")).rstrip(".!")
    return _COMMAND_OF.get(norm)


def start(script: Script | None = None, systems: list[str] | tuple[str, ...] = ()) -> StepResult:
    """A fresh dialog with its first question; `systems` are the place's named systems."""
    return _advance(DialogState(system_choices=list(systems)), script or default_script(), [])


def system_answer(state: DialogState) -> str | None:
    """The system the dialog is about, if one was named."""
    answer = state.answers.get("system")
    return answer.value if answer is not None and isinstance(answer.value, str) else None


def step(
    state: DialogState, text: str, script: Script | None = None, playbook: Playbook | None = None
) -> StepResult:
    """Apply one input (typed text or a button value) to the dialog.

    `playbook` is the team's own, if it has one; the packaged guide otherwise.
    """
    script = script or default_script()
    if state.status != "open":
        return StepResult(state=state, replies=[Reply(kind="closed", text=_CLOSED)])
    readings = state.unit_readings
    if readings:
        state = state.model_copy(update={"unit_readings": []})
    cmd = command_of(text)
    if cmd == "cancel":
        closed = state.model_copy(update={"status": "cancelled", "current": None})
        return StepResult(state=closed, replies=[Reply(kind="cancelled", text=CANCELLED)])
    if cmd == "restart":
        return _advance(DialogState(), script, [Reply(kind="restarted", text=_RESTARTED)], playbook)
    if state.current is None:
        return _finish(state, script, [], playbook)
    question = script.question(state.current)
    if cmd == "help":
        return StepResult(state=state, replies=[_help(question), _ask(question, state, script)])
    if cmd == "done":
        return _finish(state, script, [], playbook)
    if cmd == "back":
        return _back(state, script)
    if cmd == "skip":
        new = _record(state, question.key, Answer(raw=text, source=question.key))
        return _advance(new, script, [], playbook)
    try:
        new, notes = _accept(state, question, settled(text.strip(), readings, question), script)
    except AmbiguousUnit as err:
        asked = state.model_copy(update={"unit_readings": list(err.readings)})
        return StepResult(state=asked, replies=[_ask_unit(question, err)])
    except ParseError as err:
        reprompt = _reprompt(question, str(err), _choices(question, state))
        return StepResult(state=state, replies=[reprompt])
    return _advance(new, script, notes, playbook)


# --- answering ---------------------------------------------------------------------------


def _accept(
    state: DialogState, question: Question, text: str, script: Script
) -> tuple[DialogState, list[Reply]]:
    """Parse an answer to `question`; raise ParseError (state untouched) if it won't do."""
    if not text:
        raise ParseError("The answer was empty.")
    if len(text) > MAX_ANSWER_CHARS:
        raise ParseError(
            f"That is {len(text):,} characters; keep it under {MAX_ANSWER_CHARS:,}."
        )
    if question.kind == "symptoms":
        return _accept_symptoms(state, question, text, script)
    if question.kind == "system":
        reading = read_text(text)
        if reading.metrics:  # "about 50k users" answers what comes next; it is no name
            new = _record(state, question.key, Answer(raw=text, source=question.key))
            new = _fill_metrics(new, question.key, text, reading.metrics)
            echoed = read_line(reading.metrics, reading.refused, reading.notes)
            return new, [Reply(kind="note", text="That reads as numbers, not a system's name, "
                               f"so this check-up is not filed under one. {echoed}")]
        name = re.sub(r"\s+", " ", text).strip()
        if len(name) > MAX_SYSTEM_NAME:
            raise ParseError(f"A system name is at most {MAX_SYSTEM_NAME} characters.")
        return _record(state, question.key, Answer(raw=text, value=name, source=question.key)), []
    if question.kind == "yesno":
        yes = parse_yes_no(text)
        if yes is None:
            raise ParseError("Please answer yes or no.")
        return _record(state, question.key, Answer(raw=text, value=yes, source=question.key)), []
    assert question.metric is not None
    return _accept_number(state, question, question.metric, text)


def _accept_number(
    state: DialogState, question: Question, metric: MetricName, text: str
) -> tuple[DialogState, list[Reply]]:
    try:
        parsed = parse_quantity(text, metric)
    except ParseError:
        reading = read_text(text)  # "50k users at 2k rps": the answer and more besides
        if metric not in reading.metrics:
            if not reading.metrics:
                raise
            # "p95 is about 2s" when asked for users: kept, and the question asked again.
            new = _fill_metrics(state, question.key, text, reading.metrics, own=False)
            echoed = read_line(reading.metrics, reading.refused, reading.notes, label="Noted")
            return new, [Reply(kind="note", text=f"{echoed} The question still stands:")]
        new = _fill_metrics(state, question.key, text, reading.metrics)
        return new, [Reply(kind="note", text=read_line(reading.metrics, reading.refused,
                                                       reading.notes))]
    new = _record(state, question.key, Answer(raw=text, value=parsed.value, note=parsed.note,
                                               source=question.key))
    read = f"Read: {echo(metric, parsed.value)}"  # every number is echoed with its unit
    return new, [Reply(kind="note", text=f"{read} ({parsed.note})." if parsed.note
                       else f"{read}.")]


def _accept_symptoms(
    state: DialogState, question: Question, text: str, script: Script
) -> tuple[DialogState, list[Reply]]:
    if sum(ch.isalnum() for ch in text) < 2:
        raise ParseError("Describe what you see in a few words.")
    names = _symptom_names(question, script)
    if text.startswith(SYMPTOM_PREFIX):  # a button, or its value typed
        name = text.removeprefix(SYMPTOM_PREFIX).strip()
        picked = None if name.lower() == "none" else _symptom(name, names)
        value = picked.value if picked else "none"
        new = _record(state, question.key, Answer(raw=text, value=value, source=question.key))
        return new.model_copy(update={"picked_symptom": picked, "match": None}), []
    named = symptom_from(text, names)
    if named is not None:  # a quick answer's label or id, typed: the same pick as its button
        raw = f"{SYMPTOM_PREFIX}{named.value}"
        new = _record(state, question.key, Answer(raw=raw, value=named.value,
                                                   source=question.key))
        return new.model_copy(update={"picked_symptom": named, "match": None}), []
    if text.strip().lower().rstrip(".!") in _NONE_WORDS:
        new = _record(state, question.key, Answer(raw=text, value="none", source=question.key))
        return new.model_copy(update={"picked_symptom": None, "match": None}), []
    found = match(text)
    new = _record(state, question.key, Answer(raw=text, value=text, source=question.key))
    new = _fill_metrics(new, question.key, text, dict(found.metrics), own=False)
    new = new.model_copy(update={"match": found, "picked_symptom": None})
    filled = [k for k, a in new.answers.items() if a.source == question.key and k != question.key]
    notes = []
    if filled:
        names = ", ".join(_labelled(MetricName(k), new.answers[k].value) for k in filled)
        notes.append(Reply(kind="note", text=f"Noted from your description: {names}."))
    reading = read_text(text)
    notes.extend(Reply(kind="note", text=f"({note}.)") for note in reading.notes if filled)
    if reading.refused:
        notes.append(Reply(kind="note", text="Not read: " + "; ".join(reading.refused)))
    return new, notes


def _labelled(metric: MetricName, value: object) -> str:
    """"database CPU 90%": a metric's label with the value read, in its unit."""
    return f"{METRIC_SPECS[metric].label} {value_text(metric, float(value))}"  # type: ignore[arg-type]


def _symptom_names(question: Question, script: Script) -> dict[str, Symptom]:
    """The symptoms question's quick answers by label, and every symptom by id."""
    names: dict[str, Symptom] = {s.value: s for s in script.symptom_layers}
    for choice in question.choices:
        value = choice.value.removeprefix(SYMPTOM_PREFIX)
        if value in names:
            names[choice.label] = names[value]
    return names


def _symptom(name: str, names: dict[str, Symptom]) -> Symptom:
    picked = symptom_from(name, names)
    if picked is None:
        listed = ", ".join(label for label, symptom in names.items() if label != symptom.value)
        raise ParseError(f"Pick one of the listed symptoms: {listed}.")
    return picked


def _fill_metrics(
    state: DialogState, source: str, raw: str, metrics: dict[MetricName, float], own: bool = True
) -> DialogState:
    """Record every metric found in one answer, so none of them is asked again."""
    answers = dict(state.answers)
    for name, value in metrics.items():
        if name.value not in answers or answers[name.value].value is None:
            answers[name.value] = Answer(raw=raw, value=value, source=source)
    asked = state.asked if not own or source in state.asked else [*state.asked, source]
    return state.model_copy(update={"answers": answers, "asked": asked})


def _record(state: DialogState, key: str, answer: Answer) -> DialogState:
    answers = {**state.answers, key: answer}
    asked = state.asked if key in state.asked else [*state.asked, key]
    return state.model_copy(update={"answers": answers, "asked": asked})


def _back(state: DialogState, script: Script) -> StepResult:
    """Forget the previous answer (and whatever it filled in) and ask it again."""
    previous = [k for k in state.asked if k != state.current]
    if not previous:
        return StepResult(state=state, replies=[
            Reply(kind="note", text="This is the first question; there is nothing to go back to."),
            _ask(script.question(state.current or script.questions[0].key), state, script),
        ])
    key = previous[-1]
    answers = {k: a for k, a in state.answers.items() if a.source != key and k != key}
    update: dict = {"answers": answers, "asked": previous[:-1], "current": key}
    if key == "symptoms":
        update.update(match=None, picked_symptom=None)
    new = state.model_copy(update=update)
    return StepResult(state=new, replies=[_ask(script.question(key), new, script)])


# --- choosing the next question --------------------------------------------------------


def known_metrics(state: DialogState) -> dict[MetricName, float]:
    return {
        MetricName(key): float(answer.value)
        for key, answer in state.answers.items()
        if key in METRIC_SPECS
        and isinstance(answer.value, float | int)
        and not isinstance(answer.value, bool)
    }


def current_symptom(state: DialogState) -> Symptom | None:
    if state.picked_symptom is not None:
        return state.picked_symptom
    return state.match.symptom if state.match else None


def current_layer(state: DialogState, script: Script) -> Layer | None:
    if state.picked_symptom is not None:
        return script.symptom_layers.get(state.picked_symptom)
    return state.match.layer if state.match else None


def next_question(state: DialogState, script: Script) -> Question | None:
    if len(state.asked) >= script.max_questions:
        return None
    layer, symptom = current_layer(state, script), current_symptom(state)
    metrics = known_metrics(state)
    for q in script.questions:
        if q.key in state.answers or q.key in state.asked:
            continue
        if q.kind == "system" and not state.system_choices:
            continue
        if q.when and not any(
            holds(c, layer=layer, symptom=symptom, metrics=metrics) for c in q.when
        ):
            continue
        return q
    return None


def _advance(
    state: DialogState, script: Script, replies: list[Reply], playbook: Playbook | None = None
) -> StepResult:
    question = next_question(state, script)
    if question is None:
        return _finish(state, script, replies, playbook)
    new = state.model_copy(update={"current": question.key})
    return StepResult(state=new, replies=[*replies, _ask(question, new, script)])


def _choices(question: Question, state: DialogState) -> list[Choice]:
    if question.kind == "system":
        return [Choice(label=name, value=name) for name in state.system_choices]
    return question.choices


def _ask(question: Question, state: DialogState, script: Script) -> Reply:
    return Reply(
        kind="question",
        text=question.prompt,
        question_key=question.key,
        choices=_choices(question, state),
        position=len([k for k in state.asked if k != question.key]) + 1,
        limit=script.max_questions,
    )


def _help(question: Question) -> Reply:
    return Reply(kind="help", text=f"{question.help} For example: {question.example}.",
                 question_key=question.key)


def _ask_unit(question: Question, err: AmbiguousUnit) -> Reply:
    """A bare number whose unit matters is asked back, with both readings as quick answers."""
    first, second = err.readings
    return Reply(kind="reprompt", text=f"{first} or {second}?", question_key=question.key,
                 choices=[Choice(label=r, value=r) for r in err.readings])


_PLACES = {"first": 0, "1st": 0, "former": 0, "second": 1, "2nd": 1, "latter": 1}
_FILLER = {"the", "one", "please", "it", "is", "its", "it's", "in", "i", "mean"}


def settled(text: str, readings: list[str], question: Question) -> str:
    """An answer to "1.2 ms or 1.2 s?" as the reading it picks: by its place ("the second
    one") or by a unit alone ("s", "seconds", "ms"), applied to the number asked about.
    Anything else, or with nothing asked back, is read as it stands."""
    if len(readings) != 2 or any(ch.isdigit() for ch in text):
        return text
    words = [w for w in re.findall(r"[\w']+", text.lower()) if w not in _FILLER]
    if len(words) == 1 and words[0] in _PLACES:
        return readings[_PLACES[words[0]]]
    heads = {r.rpartition(" ")[0] for r in readings}
    if len(heads) != 1 or "" in heads or question.metric is None or not words:
        return text
    with_unit = f"{heads.pop()} {' '.join(words)}"
    try:
        parse_quantity(with_unit, question.metric)
    except ParseError:
        return text
    return with_unit


def _reprompt(question: Question, reason: str, choices: list[Choice]) -> Reply:
    reason = reason.strip()
    if reason and reason[-1] not in ".!?":
        reason += "."
    return Reply(
        kind="reprompt",
        text=f"That didn't work: {reason} For example: {question.example}. "
             "(skip, back, done and cancel work too.)",
        question_key=question.key,
        choices=choices,
    )


# --- finishing -------------------------------------------------------------------------


def observations(state: DialogState, script: Script | None = None) -> Observations:
    """The engine's input, derived from the answers so there is one source of truth."""
    script = script or default_script()
    signals = {
        q.signal for q in script.questions
        if q.signal and state.answers.get(q.key) and state.answers[q.key].value is True
    }
    if state.match:
        signals |= state.match.signals
    symptoms = state.answers.get("symptoms")
    text = symptoms.raw if symptoms and symptoms.value == symptoms.raw else ""
    done = state.match.done if state.match else set()
    return Observations(metrics=known_metrics(state), signals=signals, text=text, done=done)


def effective_match(state: DialogState, script: Script) -> Match | None:
    if state.picked_symptom is not None:
        return Match(kind="symptom", symptom=state.picked_symptom,
                     layer=script.symptom_layers.get(state.picked_symptom), confidence=1.0,
                     evidence=[f"picked: {state.picked_symptom.value}"])
    return state.match


def _finish(
    state: DialogState, script: Script, replies: list[Reply], playbook: Playbook | None
) -> StepResult:
    result = assess(observations(state, script), playbook, match=effective_match(state, script))
    skipped = [k for k, a in state.answers.items() if a.value is None]
    done = state.model_copy(update={"status": "finished", "current": None})
    reply = Reply(kind="assessment", text=result.summary or "Here is the assessment.",
                  assessment=result, skipped=skipped)
    return StepResult(state=done, replies=[*replies, reply])


# Each front adds how to start again in its own words (see `RESTART_KINDS`).
# So these say only what happened: "start again" here read twice beside the front's line.
_CLOSED = "This diagnosis is already finished."
CANCELLED = "Cancelled. Nothing was assessed."
RESTART_KINDS = frozenset({"closed", "cancelled", "expired"})
_RESTARTED = "Starting over; earlier answers are cleared."


# --- forms: every question at once ------------------------------------------------------


def fill_all(
    state: DialogState, answers: dict[str, str], script: Script | None = None
) -> tuple[DialogState, dict[str, str]]:
    """Apply a form's answers in script order; blank or "skip" leaves a question unanswered.

    Returns the new state and, per question key, why its answer was refused. Typed
    answers are applied after what a description filled in, so they win.
    """
    state, errors, _notes = read_form(state, answers, script)
    return state, errors


def read_form(
    state: DialogState, answers: dict[str, str], script: Script | None = None
) -> tuple[DialogState, dict[str, str], list[str]]:
    """`fill_all`, plus how converted or worded values were read ("Read "60k/min" as
    1,000 req/s (60,000 per minute = 1,000 per second).") and what a description filled
    in: the lines the interview would have echoed, for the form's assessment to lead with."""
    script = script or default_script()
    errors: dict[str, str] = {}
    notes: list[str] = []
    for question in script.questions:
        text = (answers.get(question.key) or "").strip()
        if not text or command_of(text) == "skip":
            continue
        try:
            state, replies = _accept(state, question, _choice_value(question, text), script)
        except ParseError as err:
            errors[question.key] = str(err)
            continue
        notes.extend(_form_notes(state, question, text, replies))
    described = next((q.key for q in script.questions if q.kind == "symptoms"), None)
    filled = [k for k, a in state.answers.items() if a.source == described and k != described]
    if filled:  # what the description still decides once the typed fields are in
        names = ", ".join(_labelled(MetricName(k), state.answers[k].value) for k in filled)
        notes.append(f"Noted from your description: {names}.")
    return state, errors, notes


def _form_notes(state: DialogState, question: Question, text: str,
                replies: list[Reply]) -> list[str]:
    """A plain number needs no echo beside a form that shows it; a converted one does,
    and so does a field that held several numbers ("50k users at 2k rps")."""
    if question.kind == "symptoms":
        return [r.text for r in replies if r.text.startswith("Not read")]
    if question.metric is None:
        return []
    if any(a.source == question.key for k, a in state.answers.items() if k != question.key):
        return [r.text for r in replies]
    answer = state.answers.get(question.key)
    value = answer.value if answer is not None else None
    if answer is None or not answer.note or not isinstance(value, int | float):
        return []
    return [read_as(f'"{text}"', question.metric, float(value), answer.note)]


def finish(
    state: DialogState, script: Script | None = None, playbook: Playbook | None = None,
    notes: list[str] | None = None,
) -> StepResult:
    """Assess from whatever is answered now (what "done" does, callable from a form);
    `notes` lead the assessment."""
    leading = [Reply(kind="note", text=n) for n in notes or []]
    return _finish(state, script or default_script(), leading, playbook)


def answer_texts(state: DialogState, script: Script | None = None) -> dict[str, str]:
    """Each answered question's answer as a person would type it (to prefill a form).

    Values read out of another answer (a description naming db cpu) are written out with
    their unit; picked choices show their label; skipped questions are left out.
    """
    script = script or default_script()
    texts: dict[str, str] = {}
    for question in script.questions:
        answer = state.answers.get(question.key)
        if answer is None or answer.value is None:
            continue
        if answer.source == question.key:
            labels = {c.value: c.label for c in question.choices}
            texts[question.key] = labels.get(answer.raw.strip(), answer.raw)
        elif isinstance(answer.value, bool):
            texts[question.key] = "yes" if answer.value else "no"
        elif question.metric is not None and isinstance(answer.value, int | float):
            texts[question.key] = quantity_text(float(answer.value), question.metric)
    return texts


def quantity_text(value: float, metric: MetricName) -> str:
    """`value` in `metric`'s unit as text `parse_quantity` reads back to the same value."""
    digits = f"{value:.6f}".rstrip("0").rstrip(".")
    unit = METRIC_SPECS[metric].unit.value
    if unit in ("count", "req/s") and re.fullmatch(r"[1-9]\d{0,2}\.\d{3}", digits):
        digits += "0"  # "1.375 rps" could be 1,375 where a dot groups thousands; 1.3750 not
    if unit in ("%", "x"):
        return f"{digits}{unit}"
    if unit in ("", "count"):
        return digits
    return f"{digits} {'rps' if unit == 'req/s' else unit}"


def _choice_value(question: Question, text: str) -> str:
    folded = text.casefold()
    return next((c.value for c in question.choices if c.label.casefold() == folded), text)
