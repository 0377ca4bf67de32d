"""Block Kit builders: within Slack's limits, parseable by slack_sdk, escaped, never rejected."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from slack_sdk import WebClient
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View
from test_manifest import RecordingApp, _matches

from advisor.ask import ask
from advisor.engine import assess
from advisor.metrics import MetricName as M
from advisor.models import (
    Addition,
    AskResult,
    Assessment,
    Bottleneck,
    Finding,
    Ladder,
    Layer,
    Match,
    Observations,
    Rung,
    Sizing,
    StageCard,
    StageNumber,
    Symptom,
    Threshold,
    Topic,
    Trigger,
)
from advisor.view import finding_view, ladder_view, sizing_view
from bot.settings import Settings
from bot.slack.blocks.ask import answer_message, did_you_mean_message
from bot.slack.blocks.assessment import assessment_message, finding_line, ladder_lines, sizing_text
from bot.slack.blocks.dialog import (
    FormField,
    dialog_parent_message,
    dialog_question,
    form_errors,
    form_modal,
)
from bot.slack.blocks.help import help_message, not_understood_message
from bot.slack.blocks.history import HistoryRow, history_line, history_message
from bot.slack.blocks.home import home_view
from bot.slack.blocks.kit import (
    MAX_MESSAGE_BLOCKS,
    MAX_VIEW_BLOCKS,
    Choice,
    Message,
    error_message,
    notice_message,
    split_text,
)
from bot.slack.blocks.mrkdwn import escape, link
from bot.slack.blocks.sizing import sizing_message, stage_message
from bot.slack.blocks.validate import validate_message, validate_view
from bot.slack.deps import Deps
from bot.slack.ids import ActionId, BlockId, indexed, pack, pattern, question_of, unpack
from bot.slack.listeners import wiring

# ---------------------------------------------------------------------------- fixtures


def card() -> StageCard:
    return StageCard(number=StageNumber.GROWTH, name="Growth", users_min=10_000,
                     users_max=100_000, architecture="Load balancer, app servers, cache, replica",
                     monthly_cost="$1,000-3,000",
                     journey=["Startup", "Growth", "Scale", "Enterprise"])


def db_cpu_finding(message: str = "Database CPU is past the warning line.") -> Finding:
    return Finding(metric=M.DB_CPU_PCT, label="database CPU", value=92, unit="%",
                   status="warning", target=Threshold(metric=M.DB_CPU_PCT, op="<", threshold=70),
                   warning=Threshold(metric=M.DB_CPU_PCT, op=">", threshold=80, value=92),
                   message=message)


def assessment(**changes: Any) -> Assessment:
    a = Assessment(
        stage=card(),
        pushed_toward=StageNumber.SCALE,
        triggers=[Trigger(id="db_cpu", to_stage=StageNumber.SCALE, text="Database CPU stays high",
                          fired=True, evidence="database CPU 92% > 70%",
                          threshold=Threshold(metric=M.DB_CPU_PCT, op=">", threshold=70,
                                              value=92))],
        findings=[db_cpu_finding()],
        additions=[Addition(component="Read replica", purpose="take reads off the primary",
                            reason="reads dominate",
                            threshold=Threshold(metric=M.READ_PCT, op=">", threshold=80))],
        bottleneck=Bottleneck(layer=Layer.DATABASE, confidence=0.8,
                              evidence=["database CPU 92% > 80%"], symptoms=["slow queries"],
                              solutions=["add indexes"]),
        ladder=Ladder(symptom=Symptom.DATABASE_SLOW, next_index=1, rungs=[
            Rung(id="indexes", text="Add indexes", done=True),
            Rung(id="replicas", text="Add read replicas"),
            Rung(id="shard", text="Shard the data")]),
        sizing=[Sizing(kind="pool", inputs={"cores": 8, "spindles": 2},
                       formula="cores x 2 + spindles", worked="8 x 2 + 2 = 18", result=18,
                       unit="connections")],
        not_yet=["Don't split into microservices yet"],
        watch=[Trigger(id="writes", to_stage=StageNumber.SCALE, text="Writes outgrow one primary",
                       fired=False)],
        missing=[M.CACHE_HIT_PCT],
        inputs=Observations(metrics={M.USERS: 40_000, M.DB_CPU_PCT: 92}),
        summary="Stage 2; the database is the bottleneck.",
    )
    return a.model_copy(update=changes)


def ask_result(answer: str = "Size the pool as cores x 2 + spindles.") -> AskResult:
    return AskResult(layer=Layer.DATABASE, symptom=None, topic=Topic.CONNECTION_POOL,
                     confidence=0.82, metrics={M.CORES: 8}, answer=answer,
                     match=Match(kind="question", topic=Topic.CONNECTION_POOL, confidence=0.82))


def row(i: int = 0, channel: str = "C0GENERAL", **changes: Any) -> HistoryRow:
    base = HistoryRow(advice_id=f"adv-{i}", when=datetime(2025, 3, 1, 14, 5, tzinfo=UTC),
                      channel_id=channel, ts="1740837900.000100", user_id="U0ALICE",
                      stage=StageNumber.GROWTH, stage_name="Growth", bottleneck="database",
                      summary="database is the bottleneck")
    return base.model_copy(update=changes)


def texts(message_blocks: list[dict[str, Any]], kinds: tuple[str, ...] = ("mrkdwn", "plain_text"),
          ) -> str:
    """Every text of the given text-object kinds in a block tree."""
    out: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") in kinds and isinstance(node.get("text"), str):
                out.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(message_blocks)
    return "\n".join(out)


def assert_sendable(message: Message) -> None:
    assert validate_message(message.blocks, message.text) == []
    for block in message.blocks:
        Block.parse(block).to_dict()  # raises SlackObjectFormationError past a limit


def assert_sendable_view(view: dict[str, Any]) -> None:
    assert validate_view(view) == []
    View(**view).to_dict()


def action_buttons(message: Message) -> list[dict[str, Any]]:
    return [e for b in message.blocks if b["type"] == "actions" for e in b["elements"]]


# ---------------------------------------------------------------------------- every builder


def all_messages() -> list[Message]:
    return [
        help_message(),
        help_message("diagnos", ["diagnose"]),
        not_understood_message("what's for lunch"),
        not_understood_message("lunch at 95%", read="Not read: 95% (a share of what?)"),
        assessment_message(assessment(), "adv-1"),
        assessment_message(assessment(bottleneck=None, ladder=None, findings=[],
                                             sizing=[], not_yet=[], watch=[], missing=[],
                                             triggers=[], additions=[], summary=""), "adv-2"),
        answer_message(ask_result(), "adv-3", question="how big should my pool be?"),
        answer_message(ask_result()),
        did_you_mean_message("db slow?", [Choice(label="Database is slow",
                                                        value="database_slow")], ref="T/C/1.2"),
        did_you_mean_message("db slow?", [Choice(label="Database is slow",
                                                        value="database_slow")], ref="T/C/1.2",
                             read="Not read: p95 2 (2 ms or 2 s?)"),
        dialog_question("How many users?", "T/C/1.2",
                               [Choice(label="under 10k", value="5000")], hint="e.g. 50k",
                               step=(1, 5)),
        dialog_question("Anything else?", "T/C/1.2", error="I need a number like 50k"),
        history_message([row(1), row(2, channel="D0ALICE")], query="pool"),
        history_message([]),
        stage_message(card(), assessment().sizing[0], 40_000),
        sizing_message(assessment().sizing[0]),
        dialog_parent_message("U0ALICE"),
        notice_message("Check-up cancelled."),
        error_message("That system name is taken."),
    ]


@pytest.mark.parametrize("message", all_messages(), ids=lambda m: m.text[:30])
def test_every_message_is_sendable(message: Message) -> None:
    assert_sendable(message)


def test_views_are_sendable() -> None:
    assert_sendable_view(home_view([row(1)], [row(2), row(3)]))
    assert_sendable_view(home_view([], []))
    assert_sendable_view(form_modal([FormField(key="users", label="How many users?",
                                                      hint="e.g. 50k", placeholder="50k")],
                                           private_metadata='{"ref": "T/C/1.2"}'))


def test_real_engine_assessment_is_sendable() -> None:
    a = assess(Observations(metrics={M.USERS: 40_000, M.DB_CPU_PCT: 92, M.P95_MS: 1400,
                                            M.CORES: 8, M.SPINDLES: 2}))
    assert_sendable(assessment_message(a, "adv-9"))


def test_readings_that_change_nothing_are_said_in_a_context_line() -> None:
    a = assess(Observations(metrics={M.USERS: 40_000, M.CACHE_HIT_PCT: 40,
                                     M.READS_RPS: 12_000}))
    message = assessment_message(a, "adv-9")
    assert_sendable(message)
    assert ("Given but not weighed: cache hit rate 40% (the playbook draws no line for it, "
            "so it changes no advice); db reads 12,000 req/s (the read replica count also "
            "needs per_replica_rps)") in texts(message.blocks)


# ---------------------------------------------------------------------------- content


def test_assessment_marks_the_stage_on_the_journey() -> None:
    m = assessment_message(assessment(), "adv-1")
    assert m.blocks[0]["text"]["text"] == "Stage 2: Growth"
    assert m.blocks[1]["text"]["text"] == (
        "1. Startup  →  *2. Growth* :round_pushpin: _you are here_  →  "
        "3. Scale _(heading here)_  →  4. Enterprise")


def test_findings_cite_value_and_thresholds() -> None:
    assert finding_line(finding_view(db_cpu_finding())) == (
        ":red_circle: *database CPU* 92%: warning (warning &gt; 80%, target &lt; 70%)")


def test_ladder_marks_done_and_next_rungs() -> None:
    assert ladder_lines(ladder_view(assessment().ladder)) == [
        "First try: ~Add indexes~ (done)",
        "*Then try: Add read replicas*  :point_left: _next step_",
        "Finally: Shard the data",
    ]


def test_sizing_shows_the_formula() -> None:
    assert sizing_text(sizing_view(assessment().sizing[0])) == (
        "*Pool*: *18 connections*\n`cores x 2 + spindles`\n8 x 2 + 2 = 18")


def test_assessment_sections_are_all_there() -> None:
    text = texts(assessment_message(assessment(), "adv-1").blocks)
    for expected in ("*Bottleneck: database* (confidence 80%)", "• database CPU 92% &gt; 80%",
                     "*Add next*", "*Not yet*", "*Watch for*\n• Writes outgrow one primary",
                     "To sharpen this, tell me: cache hit rate",
                     "*Signs you are outgrowing this stage*"):
        assert expected in text


def test_integer_advice_ids_become_button_values() -> None:
    buttons = action_buttons(assessment_message(assessment(), 42))
    assert [b["value"] for b in buttons] == ["42", "42", "42|10", "42|100", "42|1000"]


def test_assessment_buttons_carry_the_advice_id() -> None:
    buttons = action_buttons(assessment_message(assessment(), "adv-1"))
    assert [(b["action_id"], b["value"]) for b in buttons] == [
        ("feedback_helpful", "adv-1"), ("feedback_not_helpful", "adv-1"),
        ("what_if:10", "adv-1|10"), ("what_if:100", "adv-1|100"),
        ("what_if:1000", "adv-1|1000")]


def test_dialog_question_has_choices_and_controls() -> None:
    m = dialog_question("How many users?", "T1/C1/1.2",
                               [Choice(label="about 50k", value="50000")])
    buttons = action_buttons(m)
    assert [(b["action_id"], b["value"]) for b in buttons] == [
        ("dialog_choice:0", "T1/C1/1.2|50000"), ("dialog_skip", "T1/C1/1.2"),
        ("dialog_cancel", "T1/C1/1.2"), ("dialog_open_form", "T1/C1/1.2")]
    assert m.blocks[0]["block_id"] == BlockId.DIALOG_PROMPT


def test_an_answer_says_what_it_read_once_beside_what_it_matched() -> None:
    result = ask("p95 went from 300ms to 2.4s and checkout is at 95%")
    blocks = answer_message(result, "adv-1").blocks
    said = [b["text"]["text"] for b in blocks if b["type"] == "section"]
    contexts = [b["elements"][0]["text"] for b in blocks if b["type"] == "context"]
    assert not any("Read:" in text for text in said)
    assert contexts[-1] == ("Read: p95 2,400 ms. Not read: 95% (a share of what? Say, e.g., "
                            "cpu or memory before it)")


def test_unsure_replies_say_the_numbers_asked_back() -> None:
    unsure = did_you_mean_message("p95 went from 300ms to 2", [Choice(label="Slow page loads",
                                  value="slow_page_loads")], ref="r",
                                  read="Not read: p95 2 (2 ms or 2 s?)")
    lost = not_understood_message("checkout is at 95%", read="Not read: 95% (a share of what?)")
    assert [b["elements"][0]["text"] for b in unsure.blocks
            if b["type"] == "context"] == ["Not read: p95 2 (2 ms or 2 s?)"]
    assert [b["elements"][0]["text"] for b in lost.blocks if b["type"] == "context"] == [
        "Not read: 95% (a share of what?)", "Try `/scale help` for everything I do."]


def test_did_you_mean_offers_at_most_three() -> None:
    choices = [Choice(label=f"option {i}", value=f"v{i}") for i in range(5)]
    buttons = action_buttons(did_you_mean_message("hmm", choices, ref="r"))
    assert [b["value"] for b in buttons] == ["v0|r", "v1|r", "v2|r"]


def test_history_rows_link_to_threads_and_hide_dm_names() -> None:
    line = history_line(row(1))
    assert line.startswith("<!date^1740837900^{date_short_pretty} {time}|2025-03-01 14:05 UTC>")
    assert "<https://slack.com/archives/C0GENERAL/p1740837900000100|thread> in <#C0GENERAL>" in line
    assert "in a DM" in history_line(row(2, channel="D0ALICE"))


def test_form_errors_point_at_fields() -> None:
    assert form_errors({"users": "Type a number like 50k"}) == {
        "response_action": "errors", "errors": {"field:users": "Type a number like 50k"}}


# ---------------------------------------------------------------------------- limits


def test_overlong_assessment_is_trimmed_with_a_note_and_keeps_its_buttons() -> None:
    many = [db_cpu_finding().model_copy(update={"label": "x" * 1500}) for _ in range(200)]
    m = assessment_message(assessment(findings=many, summary="y" * 10_000), "adv-1")
    assert_sendable(m)
    assert len(m.blocks) == MAX_MESSAGE_BLOCKS
    assert "left out to fit Slack's limits" in texts(m.blocks[-3:-2])
    assert [b["block_id"] for b in m.blocks[-2:]] == ["feedback", "what_if"]


def test_long_text_is_split_across_sections_without_loss() -> None:
    answer = "\n".join(f"line {i} " + "word " * 30 for i in range(100))
    m = answer_message(ask_result(answer))
    assert_sendable(m)
    sections = [b["text"]["text"] for b in m.blocks if b["type"] == "section"]
    assert len(sections) > 1
    assert "\n".join(sections) == answer.replace("<", "&lt;")


def test_long_labels_are_trimmed() -> None:
    m = dialog_question("q" * 5000, "ref", [Choice(label="L" * 200, value="v")])
    assert_sendable(m)
    assert action_buttons(m)[0]["text"]["text"] == "L" * 74 + "…"
    big_card = card().model_copy(update={"name": "N" * 400})
    assert_sendable(assessment_message(assessment(stage=big_card), "adv-1"))


def test_many_choices_spread_over_actions_blocks() -> None:
    m = dialog_question("pick", "ref", [Choice(label=str(i), value=str(i))
                                               for i in range(40)])
    assert_sendable(m)
    sizes = [len(b["elements"]) for b in m.blocks if b["type"] == "actions"]
    assert sizes == [25, 15, 3]


def test_long_history_is_cut_with_a_note() -> None:
    rows = [row(i, summary="s" * 300) for i in range(400)]
    m = history_message(rows, more=12)
    assert_sendable(m)
    assert len(m.blocks) <= MAX_MESSAGE_BLOCKS
    assert "left out to fit" in texts(m.blocks)


def test_home_and_form_stay_within_view_limits() -> None:
    assert_sendable_view(home_view([row(i) for i in range(300)],
                                          [row(i) for i in range(300)]))
    fields = [FormField(key=f"k{i}", label="L" * 3000, hint="h" * 3000, placeholder="p" * 500)
              for i in range(150)]
    view = form_modal(fields, title="A title much longer than 24 chars")
    assert_sendable_view(view)
    assert len(view["blocks"]) == MAX_VIEW_BLOCKS
    assert view["title"]["text"] == "A title much longer tha…"


def test_private_metadata_is_never_trimmed() -> None:
    with pytest.raises(ValueError, match="private_metadata"):
        form_modal([], private_metadata="m" * 3001)


def test_validate_message_reports_every_broken_limit() -> None:
    bad = [{"type": "section", "text": {"type": "mrkdwn", "text": "t" * 3001},
            "fields": [{"type": "mrkdwn", "text": "f" * 2001}] * 11, "block_id": "x"},
           {"type": "header", "text": {"type": "plain_text", "text": "h" * 151}, "block_id": "x"},
           {"type": "actions", "elements": [{"type": "button", "action_id": "a" * 256,
                                             "text": {"type": "plain_text", "text": "b" * 76}}]},
           ] + [{"type": "divider"}] * 48
    problems = validate_message(bad, "z" * 40_001)
    assert problems == [
        "text is 40001 characters (max 40000)",
        "51 blocks (max 50)",
        "block 0 (section) text is 3001 characters (max 3000)",
        "block 0 (section) has 11 fields (max 10)",
        *[f"block 0 (section) field {j} is 2001 characters (max 2000)" for j in range(11)],
        "block 1 (header) repeats block_id 'x'",
        "block 1 (header) text is 151 characters (max 150)",
        "block 2 (actions) action_id is 256 characters (max 255)",
        "block 2 (actions) button text is 76 characters (max 75)",
    ]


def test_validate_view_reports_broken_limits() -> None:
    view = {"type": "modal", "title": {"type": "plain_text", "text": "t" * 25},
            "private_metadata": "m" * 3001, "blocks": [{"type": "divider"}] * 101}
    assert validate_view(view) == [
        "101 blocks (max 100)",
        "view title is 25 characters (max 24)",
        "private_metadata is 3001 characters (max 3000)",
    ]


@given(st.text(alphabet=st.sampled_from("ab \n"), max_size=400), st.integers(5, 50))
def test_split_text_respects_limit_and_keeps_every_character(text: str, limit: int) -> None:
    chunks = split_text(text, limit)
    assert all(len(c) <= limit for c in chunks)
    assert "".join("".join(chunks).split()) == "".join(text.split())


# ---------------------------------------------------------------------------- escaping


def test_escape_neutralises_mentions() -> None:
    assert escape("<!channel> & <@U123> &lt;") == "&lt;!channel&gt; &amp; &lt;@U123&gt; &amp;lt;"


def test_user_text_cannot_inject_mentions_anywhere() -> None:
    evil = "<!channel> ping <@U0BOSS> <https://evil.example|click>"
    messages = [
        did_you_mean_message(evil, [Choice(label=evil, value="v")], ref="r"),
        not_understood_message(evil),
        answer_message(ask_result(evil), question=evil),
        dialog_question(evil, "r", [Choice(label=evil, value="v")], hint=evil, error=evil),
        help_message(unknown=evil),
        assessment_message(assessment(summary=evil, not_yet=[evil]), "adv-1"),
        history_message([row(1, summary=evil)], query=evil),
    ]
    for m in messages:
        # mrkdwn and the notification text are parsed by Slack; plain_text is shown verbatim.
        parsed = texts(m.blocks, kinds=("mrkdwn",)) + "\n" + m.text
        assert "<!channel>" not in parsed
        assert "<@U0BOSS>" not in parsed
        assert "<https://evil" not in parsed


def test_link_escapes_label_and_url() -> None:
    assert link("https://x.test/a|b>c", "<b> & c") == "<https://x.test/a%7Cb%3Ec|&lt;b&gt; &amp; c>"


# ---------------------------------------------------------------------------- ids


def test_indexed_ids_match_their_pattern() -> None:
    assert indexed(ActionId.WHAT_IF, 10) == "what_if:10"
    assert pattern(ActionId.WHAT_IF).match("what_if:10")
    assert pattern(ActionId.WHAT_IF).match("what_if")
    assert not pattern(ActionId.DIALOG_CHOICE).match("dialog_choices")


def test_dialog_buttons_name_the_question_they_answer() -> None:
    q = dialog_question("How many users?", "T:C:1.2", [Choice(label="~1K", value="1000")],
                        question="users")
    ids = [e["action_id"] for b in q.blocks if b["type"] == "actions" for e in b["elements"]]
    assert ids == ["dialog_choice:0:users", "dialog_skip:users", "dialog_cancel",
                   "dialog_open_form"]
    assert [question_of(i) for i in ids] == ["users", "users", None, None]
    # Ids from before buttons named their question name none.
    assert [question_of(i) for i in ("dialog_choice:2", "dialog_skip")] == [None, None]
    # Each id reaches exactly the listener for its kind of button, as registered.
    app = RecordingApp()
    wiring.register(app, Deps(settings=Settings(_env_file=None), client=WebClient()))
    assert [[c for c in app.of("action") if _matches(c, i)] for i in ids] == [
        [pattern(ActionId.DIALOG_CHOICE)], [pattern(ActionId.DIALOG_SKIP)],
        [pattern(ActionId.DIALOG_CANCEL)], [str(ActionId.DIALOG_OPEN_FORM)]]


def test_pack_round_trips() -> None:
    assert unpack(pack("T/C/1.2", "a|b"), 2) == ["T/C/1.2", "a|b"]
    with pytest.raises(ValueError):
        pack("a|b", "c")
