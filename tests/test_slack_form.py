""""Use a form instead": the modal opens prefilled, refuses bad fields on the fields, and a
good submission finishes the thread's dialog with the assessment posted in the thread."""

from __future__ import annotations

from pathlib import Path

from slack_harness import (
    ALICE,
    BOB,
    PRIVATE_CHANNEL,
    PUBLIC_CHANNEL,
    TEAM_ID,
    Call,
    FakeSlackAPI,
    SlackClient,
)
from slack_sdk.models.views import View
from test_slack_dialog import start_dialog

from advisor.models import Symptom
from bot.slack.blocks.validate import validate_message, validate_view
from bot.slack.ids import ActionId, CallbackId
from bot.slack.listeners.views import CLOSED, SYMPTOMS_LABEL, form_fields, form_values
from conversations.advice_log import Viewer
from conversations.dialog import (
    DialogState,
    answer_texts,
    fill_all,
    quantity_text,
    read_form,
)
from conversations.script import default_script
from conversations.service import Conversations
from conversations.store import Store

# ---------------------------------------------------------------------------- pure parts


def test_form_answers_go_through_the_dialogs_parsing() -> None:
    state, errors = fill_all(DialogState(), {
        "users": "1.2M users", "symptoms": "Database slow", "p95_ms": "1.4s",
        "db_cpu_pct": "0.92", "write_overload": "nope", "peak_rps": "skip", "cores": " ",
        "read_pct": "most of them", "global_users": "maybe",
    })
    assert errors == {"read_pct": "Expected a share such as 92% or 0.92.",
                      "global_users": "Please answer yes or no."}
    assert {k: a.value for k, a in state.answers.items()} == {
        "users": 1_200_000.0, "symptoms": "database_slow", "p95_ms": 1400.0,
        "db_cpu_pct": 92.0, "write_overload": False}
    assert state.picked_symptom is Symptom.DATABASE_SLOW


def test_typed_field_wins_over_a_number_in_the_description() -> None:
    state, errors = fill_all(DialogState(), {"symptoms": "db cpu is at 95% and pages crawl",
                                             "db_cpu_pct": "80%"})
    assert errors == {}
    assert state.answers["db_cpu_pct"].value == 80.0


def test_form_says_how_converted_or_worded_values_were_read() -> None:
    state, errors, notes = read_form(DialogState(), {
        "users": "fifty thousand", "peak_rps": "60k/min", "p95_ms": "went from 300ms to 2.4s",
        "db_cpu_pct": "85%", "cores": "16", "reads_rps": "12k reads/s at 90% reads",
        "symptoms": "db cpu at 95% and the slowest query takes 2s", "write_overload": "yes"})
    assert errors == {}
    assert notes == [
        'Read "fifty thousand" as 50,000 users.',
        'Read "went from 300ms to 2.4s" as 2,400 ms (took 2,400, '
        "the latest value in 300ms to 2.4s; 2.4 s = 2,400 ms).",
        'Read "60k/min" as 1,000 req/s (60,000 per minute = 1,000 per second).',
        "Read: db reads 12,000 req/s, reads 90%.",
        "Noted from your description: slowest query 2,000 ms.",
    ]
    # The typed db cpu (85%) wins over the description's 95%, and the notes say only what held.
    assert state.answers["db_cpu_pct"].value == 85.0


def test_prefill_shows_answers_as_typed_labels_for_picks_units_for_extracted() -> None:
    state, _ = fill_all(DialogState(), {"users": "~10K", "symptoms": "db cpu at 91%",
                                        "write_overload": "yes"})
    assert answer_texts(state) == {"users": "~10K", "symptoms": "db cpu at 91%",
                                   "db_cpu_pct": "91%", "write_overload": "yes"}
    # Every prefilled text reads back to the same answers.
    again, errors = fill_all(DialogState(), answer_texts(state))
    assert errors == {}
    assert {k: a.value for k, a in again.answers.items()} == {
        k: a.value for k, a in state.answers.items()}


def test_quantity_text_reads_back_for_every_unit() -> None:
    from advisor.metrics import METRIC_SPECS
    from advisor.units import parse_quantity

    for metric in METRIC_SPECS:
        for value in (1.0, 3.0, 64.0):
            assert parse_quantity(quantity_text(value, metric), metric).value == value, metric


def test_form_has_one_optional_field_per_question() -> None:
    script = default_script()
    fields = form_fields(script, {"users": "50k"})
    assert [f.key for f in fields] == [q.key for q in script.questions]
    assert all(f.optional for f in fields)
    by_key = {f.key: f for f in fields}
    assert by_key["users"].initial == "50k"
    assert by_key["symptoms"].label == SYMPTOMS_LABEL
    assert by_key["write_overload"].placeholder == "yes or no"


def test_form_values_reads_state_and_drops_empty_fields() -> None:
    view = {"state": {"values": {
        "field:users": {"value": {"type": "plain_text_input", "value": "50k"}},
        "field:p95_ms": {"value": {"type": "plain_text_input", "value": None}},
        "field:cores": {"value": {"type": "plain_text_input", "value": "  "}},
        "other:x": {"value": {"type": "plain_text_input", "value": "no"}},
    }}}
    assert form_values(view) == {"users": "50k"}


# ---------------------------------------------------------------------------- end to end


def conversations(db_path: Path) -> Conversations:
    return Conversations(Store(db_path))


def checked_view(call: Call) -> dict:
    view = call.args["view"]
    assert validate_view(view) == []
    View(**view).validate_json()
    return view


def inputs_of(view: dict) -> dict[str, dict]:
    return {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}


def submit(slack: SlackClient, key: str, answers: dict[str, str], user: str = ALICE):
    return slack.view_submission(CallbackId.DIAGNOSE_FORM,
                                 {f"field:{k}": {"value": v} for k, v in answers.items()},
                                 private_metadata=key, user=user)


def test_form_opens_prefilled_refuses_bad_fields_then_finishes_the_dialog(
        slack: SlackClient, fake_slack: FakeSlackAPI, slack_db: Path) -> None:
    thread, key = start_dialog(slack, fake_slack)
    slack.message("50k", thread_ts=thread)
    fake_slack.wait_for("chat.postMessage", 3)  # the second question

    resp = slack.block_action(ActionId.DIALOG_OPEN_FORM, key, thread_ts=thread)
    assert resp.status == 200
    view = checked_view(fake_slack.wait_for("views.open")[0])
    assert view["callback_id"] == "diagnose_form"
    assert view["private_metadata"] == key
    fields = inputs_of(view)
    assert len(fields) == len(default_script().questions)
    assert fields["field:users"]["element"]["initial_value"] == "50k"
    assert fields["field:symptoms"]["label"]["text"] == "What is hurting?"
    assert "initial_value" not in fields["field:p95_ms"]["element"]

    bad = submit(slack, key, {"users": "50k", "p95_ms": "fast", "write_overload": "maybe"})
    assert bad.status == 200
    assert bad.json() == {"response_action": "errors", "errors": {
        "field:p95_ms": "Expected a time such as 850 ms or 1.4s.",
        "field:write_overload": "Please answer yes or no."}}
    conv = conversations(slack_db)
    assert conv.current(key) is not None  # still open, the thread answer still there
    assert conv.current(key)[0].answers["users"].value == 50_000

    good = submit(slack, key, {"users": "50k", "symptoms": "Database slow", "p95_ms": "1.4s",
                               "db_cpu_pct": "92%"})
    assert (good.status, good.body) == (200, b"")
    answer = fake_slack.wait_for("chat.postMessage", 4)[3]
    assert answer.args["channel"] == PUBLIC_CHANNEL
    assert answer.args["thread_ts"] == thread
    assert validate_message(answer.args["blocks"], answer.args["text"]) == []
    read, card = answer.args["blocks"][:2]
    assert read == {"type": "context", "elements": [{"type": "mrkdwn", "text":
                    'Read "1.4s" as 1,400 ms (1.4 s = 1,400 ms).'}]}  # 50k and 92% need none
    assert card["text"]["text"].startswith("Stage 2: ")
    assert "db_cpu_pct 92% &gt; 70%" in answer.all_text()  # the form's value, cited

    assert conv.current(key) is None  # finished
    [row] = conv.history(None, Viewer(team=TEAM_ID, channel=PUBLIC_CHANNEL))
    assert (row.kind, row.conversation_key, row.thread_ts, row.asked_by, row.private) == (
        "diagnose", key, thread, ALICE, False)
    assert row.inputs["metrics"] == {"users": 50_000.0, "p95_ms": 1400.0, "db_cpu_pct": 92.0}
    assert row.symptom == "database_slow"

    # Finished: a second submission (someone else's) and the button get a note, nothing more.
    assert submit(slack, key, {"users": "3M"}, user=BOB).status == 200
    note = fake_slack.wait_for("chat.postEphemeral")[0]
    assert (note.args["channel"], note.args["user"], note.args["thread_ts"]) == (
        PUBLIC_CHANNEL, BOB, thread)
    assert note.text == CLOSED
    assert slack.block_action(ActionId.DIALOG_OPEN_FORM, key, thread_ts=thread).status == 200
    again = fake_slack.wait_for("chat.postEphemeral", 2)[1]
    assert (again.args["user"], again.text) == (ALICE, CLOSED)
    assert len(fake_slack.calls("views.open")) == 1
    assert len(fake_slack.calls("chat.postMessage")) == 4  # nothing posted twice


def test_form_in_a_private_channel_logs_private_advice(
        slack: SlackClient, fake_slack: FakeSlackAPI, slack_db: Path) -> None:
    thread, key = start_dialog(slack, fake_slack, channel=PRIVATE_CHANNEL, user=BOB)
    assert submit(slack, key, {"users": "50k", "db_cpu_pct": "95%"}, user=BOB).status == 200
    answer = fake_slack.wait_for("chat.postMessage", 3)[2]
    assert (answer.args["channel"], answer.args["thread_ts"]) == (PRIVATE_CHANNEL, thread)
    [row] = conversations(slack_db).store.recent_for_user(TEAM_ID, BOB)
    assert row.private is True


def test_form_leaves_unused_questions_unasked(tmp_path: Path) -> None:
    # An empty form is like saying "done" at once: an assessment, nothing invented.
    conv = Conversations(Store(tmp_path / "a.db"))
    from conversations.service import Place

    place = Place(team="T1", channel="C1", user="U1", thread="1.1", private=False)
    conv.begin("T1:C1:1.1", place, deliver=False)
    outcome = conv.complete_with("T1:C1:1.1", {}, place)
    assert outcome is not None and outcome.finished and outcome.advice_id is not None
    assert conv.store.get_advice(outcome.advice_id).inputs["metrics"] == {}
    assert conv.complete_with("T1:C1:1.1", {"users": "5k"}, place) is None
