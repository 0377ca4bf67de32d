"""The interview step function: pure, forgiving, and never loses an answer."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conversations.dialog import DialogState, StepResult, command_of, start, step


def run(*inputs: str) -> StepResult:
    result = start()
    for text in inputs:
        result = step(result.state, text)
    return result


def asked(result: StepResult) -> str | None:
    return result.state.current


def test_first_question_is_users_with_quick_choices():
    result = start()
    assert asked(result) == "users"
    question = result.replies[-1]
    assert question.kind == "question"
    assert [c.value for c in question.choices][:2] == ["1000", "10000"]


def test_users_typed_as_people_type_them():
    for text, value in [("50k", 50_000), ("1.2M users", 1_200_000), ("~2 million", 2_000_000),
                        ("1,200,000", 1_200_000)]:
        result = run(text)
        assert result.state.answers["users"].value == value, text
        assert asked(result) == "symptoms"


def test_range_takes_a_value_and_says_which():
    result = run("40-60k")
    assert result.state.answers["users"].value == 60_000
    assert any(r.kind == "note" and "60" in r.text for r in result.replies)


def test_symptom_text_with_numbers_answers_several_questions():
    result = run("50k", "db cpu 90% and p95 2s")
    answers = result.state.answers
    assert answers["db_cpu_pct"].value == 90
    assert answers["p95_ms"].value == 2000
    # Neither is asked again, and the database follow-ups come next.
    remaining = []
    state = result.state
    while state.current is not None:
        remaining.append(state.current)
        state = step(state, "skip").state
    assert "db_cpu_pct" not in remaining and "p95_ms" not in remaining
    assert "read_pct" in remaining and "slowest_query_ms" in remaining


def test_numbers_given_for_another_question_are_kept_and_this_one_asked_again():
    result = run("p95 is around 2s and db cpu 90%")
    assert {k: a.value for k, a in result.state.answers.items()} == {
        "p95_ms": 2000, "db_cpu_pct": 90}
    assert [r.text for r in result.replies] == [
        "Noted: p95 2,000 ms, db cpu 90%. The question still stands:",
        "Roughly how many users does the system serve (monthly actives are fine)?"]
    result = step(result.state, "50k")
    assert (result.state.answers["users"].value, asked(result)) == (50_000, "symptoms")


def test_numbers_given_for_the_system_name_are_no_name():
    result = step(start(systems=["shop"]).state, "about 50k users")
    assert result.state.answers["system"].value is None
    assert result.state.answers["users"].value == 50_000
    assert [r.text for r in result.replies][0] == (
        "That reads as numbers, not a system's name, so this check-up is not filed under "
        "one. Read: users 50,000.")
    assert asked(result) == "symptoms"
    named = step(start(systems=["shop"]).state, "search v2")
    assert (named.state.answers["system"].value, asked(named)) == ("search v2", "users")


def test_bad_answers_reprompt_and_keep_state():
    before = run("50k", "symptom:database_slow").state
    assert before.current == "p95_ms"
    for bad in ["lots", "-5", "NaN", "🔥🔥", "x" * 5000, ""]:
        out = step(before, bad)
        assert out.state == before, bad
        assert out.replies[0].kind == "reprompt"
        assert "For example" in out.replies[0].text
    before = run("50k").state
    assert before.current == "symptoms"
    for bad in ["🔥🔥", "x" * 5000, "", "!!!"]:
        out = step(before, bad)
        assert out.state == before, bad
        assert out.replies[0].kind == "reprompt"
        assert "For example" in out.replies[0].text


def test_percent_over_100_is_refused_with_reason():
    result = run("50k", "symptom:database_slow", "1.2s")
    assert asked(result) == "peak_rps"
    result = step(step(result.state, "2k").state, "3x")
    assert asked(result) == "db_cpu_pct"
    out = step(result.state, "140%")
    assert out.replies[0].kind == "reprompt"
    assert "100" in out.replies[0].text
    assert step(result.state, "0.92").state.answers["db_cpu_pct"].value == 92


def test_back_changes_the_previous_answer():
    result = run("50k", "symptom:high_memory")
    assert asked(result) == "p95_ms"
    result = step(result.state, "back")
    assert asked(result) == "symptoms"
    assert "symptoms" not in result.state.answers
    assert result.state.answers["users"].value == 50_000


def test_back_forgets_metrics_filled_by_the_previous_answer():
    result = run("50k", "db cpu 90% and p95 2s")
    result = step(result.state, "back")
    assert "db_cpu_pct" not in result.state.answers
    assert asked(result) == "symptoms"


def test_skip_done_cancel_restart_help():
    result = run("skip")
    assert result.state.answers["users"].value is None
    assert asked(result) == "symptoms"
    assert run("50k", "help").replies[0].kind == "help"
    assert run("50k", "help").state.current == "symptoms"
    cancelled = run("50k", "cancel")
    assert cancelled.state.status == "cancelled" and cancelled.replies[0].kind == "cancelled"
    restarted = run("50k", "restart")
    assert restarted.state.answers == {} and asked(restarted) == "users"


def test_done_finishes_early_and_says_what_was_missing():
    result = run("50k", "done")
    assert result.finished
    assessment = result.assessment
    assert assessment is not None
    assert assessment.stage.number == 2
    assert "p95_ms" in [m.value for m in assessment.missing]


def test_follow_ups_depend_on_earlier_answers():
    # Read-heavy database -> replica sizing questions; big user base -> writes and regions.
    state = run("500k", "symptom:database_slow", "1.2s", "2k", "3x", "85%", "300ms").state
    assert state.current == "read_pct"
    state = step(state, "90%").state
    assert state.current == "reads_rps"
    small = run("5k", "symptom:high_memory").state
    keys = []
    while small.current:
        keys.append(small.current)
        small = step(small, "skip").state
    assert "read_pct" not in keys and "write_overload" not in keys and "memory_pct" in keys


def test_a_full_run_is_short_and_ends_in_an_assessment():
    answers = ["50k", "checkout is slow and database cpu is at 92%", "1.4s", "1000", "3x",
               "450ms", "85%", "12k", "3k", "95%", "8 cores"]
    result = start()
    count = 1
    for text in answers:
        if result.finished:
            break
        result = step(result.state, text)
        count += 1
    while not result.finished:
        result = step(result.state, "skip")
        count += 1
    assert 5 <= len(result.state.asked) <= 10
    assert result.assessment is not None
    assert result.assessment.bottleneck is not None
    assert result.assessment.bottleneck.layer == "database"


def test_state_round_trips_through_json():
    state = run("50k", "db cpu 90% and p95 2s").state
    assert DialogState.model_validate_json(state.model_dump_json()) == state


def test_commands_forgive_case_and_punctuation():
    assert command_of("  Skip. ") == "skip"
    assert command_of("I don't know the p95 yet") is None  # a whole reply, not a part
    for said in ("don't know", "I don’t know", "dunno", "No clue.", "skip it"):
        assert command_of(said) == "skip", said
    assert command_of("DONE!") == "done"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=300))
def test_any_text_is_accepted_or_reprompted_with_state_unchanged(text: str):
    for state in (run().state, run("50k").state, run("50k", "symptom:database_slow").state):
        out = step(state, text)
        assert out.replies, "every input gets an answer"
        if out.replies[0].kind == "reprompt":  # only the readings asked back are kept
            assert out.state.model_copy(update={"unit_readings": []}) == state


def _p95_after_ask_back(answer: str) -> tuple[object, list[tuple[str, str]]]:
    """The p95 stored once `answer` follows the ask-back of a bare "1.2", and the replies."""
    result = run("50k", "slow pages", "1.2")
    assert [(r.kind, r.text) for r in result.replies] == [("reprompt", "1.2 ms or 1.2 s?")]
    result = step(result.state, answer)
    p95 = result.state.answers.get("p95_ms")
    return (None if p95 is None else p95.value), [(r.kind, r.text) for r in result.replies[:1]]


def test_a_unit_word_settles_the_number_asked_back():
    for answer, value, note in [
        ("s", 1200.0, "Read: p95 1,200 ms (1.2 s = 1,200 ms)."),
        ("sec", 1200.0, "Read: p95 1,200 ms (1.2 sec = 1,200 ms)."),
        ("seconds", 1200.0, "Read: p95 1,200 ms (1.2 seconds = 1,200 ms)."),
        ("ms", 1.2, "Read: p95 1.2 ms."),
        ("the second one", 1200.0, "Read: p95 1,200 ms (1.2 s = 1,200 ms)."),
        ("the first one", 1.2, "Read: p95 1.2 ms."),
    ]:
        assert _p95_after_ask_back(answer) == (value, [("note", note)]), answer


def test_a_unit_word_with_nothing_asked_back_is_still_refused():
    result = run("50k", "slow pages")
    result = step(result.state, "seconds")
    assert (result.state.answers.get("p95_ms"), result.replies[0].kind) == (None, "reprompt")
    result = run("50k", "slow pages", "1.2", "help", "seconds")
    assert (result.state.answers.get("p95_ms"), result.replies[0].kind) == (None, "reprompt")
