"""The Slack plumbing: signed requests in process, a fake Web API, and the real server on
loopback for what only it shows (signatures over HTTP, two workers, a restart)."""

from __future__ import annotations

import argparse
import logging
import math
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from slack_harness import (
    ALICE,
    BOT_ID,
    BOT_USER_ID,
    PRIVATE_CHANNEL,
    PUBLIC_CHANNEL,
    FakeSlackAPI,
    InProcessClient,
    SlackClient,
    SlackServer,
    app_env,
    free_port,
)
from slack_sdk.errors import SlackApiError

from bot.main import main
from bot.settings import Settings
from bot.slack import server
from bot.slack.blocks.validate import validate_message, validate_view
from bot.slack.ids import ActionId, CallbackId, indexed
from bot.slack.web import make_client


def test_healthz_answers_200(slack: SlackClient) -> None:
    resp = slack.get("/healthz")
    assert resp.status == 200
    assert resp.json() == {"ok": True}


def test_unknown_path_is_404(slack: SlackClient) -> None:
    assert slack.get("/nope").status == 404


def test_scale_help_is_answered_in_the_ack(slack: SlackClient) -> None:
    resp = slack.command("help")
    assert resp.status == 200
    body = resp.json()
    assert "/scale diagnose" in body["blocks"][0]["text"]["text"]
    assert validate_message(body["blocks"], body["text"]) == []


def test_bare_scale_shows_help(slack: SlackClient) -> None:
    body = slack.command("").json()
    assert "What I can do" in body["blocks"][0]["text"]["text"]


def test_unknown_subcommand_gets_help_with_did_you_mean(slack: SlackClient) -> None:
    body = slack.command("hepl me").json()
    assert body["blocks"][0]["text"]["text"] == (
        "I don't know `/scale hepl`. Did you mean `/scale help`?")


def test_a_sentence_after_scale_is_a_question_and_pairs_are_a_diagnosis(
        slack: SlackClient, fake_slack: FakeSlackAPI) -> None:
    for said in ("why is checkout slow since the deploy",
                 "ask why is checkout slow since the deploy",
                 "users=50k db_cpu=90%", "diagnose users=50k db_cpu=90%"):
        assert slack.command(said).status == 200
    posts = [c.all_text() for c in fake_slack.wait_for("chat.postMessage", 4)]
    assert posts[0] == posts[1] and "why is checkout slow since the deploy" in posts[0]
    assert posts[2] == posts[3] and "Stage 2 (Growth); bottleneck: database" in posts[2]


def test_a_lone_unknown_word_still_gets_help(slack: SlackClient) -> None:
    assert slack.command("foo").json()["blocks"][0]["text"]["text"] == (
        "I don't know `/scale foo`.")


def test_forged_signature_is_401(slack: SlackClient) -> None:
    resp = slack.command("help", signature="v0=" + "0" * 64)
    assert resp.status == 401
    assert resp.json() == {"error": "invalid request"}


def test_signatures_are_checked_over_http(shared_server: SlackServer) -> None:
    """The real server: the right secret is answered, another secret is 401, health is 200."""
    assert shared_server.client().command("help").status == 200
    other = SlackClient(shared_server.url, signing_secret="0123456789abcdef")
    assert other.command("help").status == 401
    assert other.request("GET", "/healthz").status == 200


def test_request_signed_with_another_secret_is_401(slack: SlackClient) -> None:
    other = InProcessClient(slack.wsgi, signing_secret="0123456789abcdef")
    assert other.command("help").status == 401


@pytest.mark.parametrize("skew", [-301, 301])
def test_stale_or_future_timestamp_is_401(slack: SlackClient, skew: int) -> None:
    # Rounded away from now, so the second the request takes cannot bring it back in range.
    now = time.time()
    resp = slack.command("help", timestamp=(math.ceil(now) if skew > 0 else int(now)) + skew)
    assert resp.status == 401


def test_mention_is_answered_in_a_thread(slack: SlackClient, fake_slack: FakeSlackAPI) -> None:
    event = {"type": "app_mention", "user": ALICE, "channel": PUBLIC_CHANNEL,
             "ts": "1700000100.000100", "event_ts": "1700000100.000100",
             "text": f"<@{BOT_USER_ID}> hello"}
    resp = slack.event(event)
    assert resp.status == 200
    [post] = fake_slack.wait_for("chat.postMessage")
    assert post.args["channel"] == PUBLIC_CHANNEL
    assert post.args["thread_ts"] == "1700000100.000100"
    assert post.headers["authorization"] == "Bearer xoxb-test-0000"
    assert validate_message(post.args["blocks"], post.args["text"]) == []


def test_edits_deletions_and_own_messages_are_acked_and_ignored(
        slack: SlackClient, fake_slack: FakeSlackAPI) -> None:
    edited = slack.message("edited", subtype="message_changed")
    deleted = slack.message("", subtype="message_deleted")
    own = slack.message("my own", user=BOT_USER_ID, bot_id=BOT_ID, subtype="bot_message")
    assert [edited.status, deleted.status, own.status] == [200, 200, 200]
    # A mention afterwards is answered; nothing else was posted.
    slack.app_mention("hi")
    fake_slack.wait_for("chat.postMessage")
    assert [c.args["text"] for c in fake_slack.calls("chat.postMessage")] == [
        "Here is what I can help with"]


def test_home_tab_is_published(slack: SlackClient, fake_slack: FakeSlackAPI) -> None:
    assert slack.app_home_opened(user=ALICE).status == 200
    [call] = fake_slack.wait_for("views.publish")
    assert call.args["user_id"] == ALICE
    assert call.args["view"]["type"] == "home"
    assert validate_view(call.args["view"]) == []


def test_registered_buttons_and_form_are_acked(slack: SlackClient) -> None:
    assert slack.block_action(ActionId.FEEDBACK_HELPFUL, "adv-1").status == 200
    assert slack.block_action(indexed(ActionId.WHAT_IF, 100), "adv-1|100").status == 200
    assert slack.view_submission(CallbackId.DIAGNOSE_FORM,
                                 {"field:users": {"value": "50k"}}).status == 200


def test_unregistered_button_is_not_handled(slack: SlackClient) -> None:
    assert slack.block_action("no_such_action", "x").status == 404


def test_server_opens_the_configured_database(shared_server: SlackServer) -> None:
    assert shared_server.db_path.exists()


def test_restart_keeps_port_and_database(shared_server: SlackServer) -> None:
    port, db = shared_server.port, shared_server.db_path
    shared_server.restart()
    assert (shared_server.port, shared_server.db_path) == (port, db)
    assert shared_server.client().command("help").status == 200


# ---------------------------------------------------------------------------- start-up checks


@dataclass
class Done:
    returncode: int
    stderr: str


@pytest.fixture
def run_serve(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
              ) -> Callable[..., Done]:
    """`scale-advisor serve` through `main(argv)` in this process, with the environment a
    server would get; the checks before start-up are the point, so actually starting to
    serve fails the test."""
    def run(tmp_path: Path, fake: FakeSlackAPI | None, **env: str | None) -> Done:
        for key in [k for k in os.environ if k.startswith(("SLACK_", "SCALE_"))]:
            monkeypatch.delenv(key)
        for key, value in app_env(fake, tmp_path / "x.db", **env).items():
            if key.startswith(("SLACK_", "SCALE_")):
                monkeypatch.setenv(key, value)
        monkeypatch.chdir(tmp_path)
        monkeypatch.setattr(server, "run_http", lambda *_: pytest.fail("it started serving"))
        monkeypatch.setattr(logging, "basicConfig", lambda **_: None)  # keep pytest's logging
        code = main(["serve", "--host", "127.0.0.1", "--port", str(free_port())])
        return Done(code, capsys.readouterr().err)
    return run


def test_missing_signing_secret_stops_startup(tmp_path: Path,
                                              run_serve: Callable[..., Done]) -> None:
    done = run_serve(tmp_path, None, SLACK_SIGNING_SECRET=None)
    assert done.returncode == 2
    assert "SLACK_SIGNING_SECRET is not set" in done.stderr
    assert "Traceback" not in done.stderr


def test_malformed_bot_token_stops_startup(tmp_path: Path, run_serve: Callable[..., Done]) -> None:
    done = run_serve(tmp_path, None, SLACK_BOT_TOKEN="xoxp-user-token")
    assert done.returncode == 2
    assert "SLACK_BOT_TOKEN is malformed" in done.stderr
    assert "Traceback" not in done.stderr


def test_token_rejected_by_slack_stops_startup(tmp_path: Path, fake_slack: FakeSlackAPI,
                                               run_serve: Callable[..., Done]) -> None:
    fake_slack.fail("auth.test", error="invalid_auth")
    done = run_serve(tmp_path, fake_slack)
    assert done.returncode == 2
    assert "SLACK_BOT_TOKEN was rejected by Slack (invalid_auth)" in done.stderr


def test_bad_setting_value_is_named(tmp_path: Path, run_serve: Callable[..., Done]) -> None:
    done = run_serve(tmp_path, None, SCALE_DIALOG_TTL_S="soon")
    assert done.returncode == 2
    assert "SCALE_DIALOG_TTL_S" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(("env", "problems"), [
    ({"slack_bot_token": "xoxb-1", "slack_signing_secret": "abc123"}, []),
    ({"slack_bot_token": "xoxb-1"},
     ["SLACK_SIGNING_SECRET is not set (copy it from the app's Basic Information page)"]),
    ({"slack_bot_token": "xoxb-1", "slack_signing_secret": "has space"},
     ["SLACK_SIGNING_SECRET is malformed (expected letters and digits only, as Slack issues it)"]),
    ({"slack_signing_secret": "abc"},
     ["SLACK_BOT_TOKEN is not set (expected a token starting with xoxb-)"]),
    ({"slack_bot_token": "xoxb-1", "slack_app_token": "xoxb-2"},
     ["SLACK_APP_TOKEN is malformed (expected a token starting with xapp-)"]),
    ({"slack_bot_token": "xoxb-1", "slack_app_token": "xapp-1-A1-2"}, []),
])
def test_slack_problems_name_the_variable(env: dict[str, str], problems: list[str]) -> None:
    assert Settings(_env_file=None, **env).slack_problems() == problems


def test_api_url_gets_its_trailing_slash() -> None:
    settings = Settings(_env_file=None, slack_api_url="http://127.0.0.1:9/api")
    assert settings.api_url == "http://127.0.0.1:9/api/"


# ---------------------------------------------------------------------------- web client


def client_for(fake: FakeSlackAPI, waits: list[float] | None = None):
    """A patient client whose waits between attempts are recorded, not slept."""
    sleep = waits.append if waits is not None else time.sleep
    return make_client(Settings(_env_file=None, slack_bot_token="xoxb-test",
                                slack_signing_secret="abc", slack_api_url=fake.url),
                       sleep=sleep)


def test_web_client_waits_out_a_429_then_succeeds(fake_slack: FakeSlackAPI) -> None:
    fake_slack.rate_limit("chat.postMessage", times=1, retry_after=3)
    waits: list[float] = []
    resp = client_for(fake_slack, waits).chat_postMessage(channel=PRIVATE_CHANNEL, text="hi")
    assert resp["ok"] is True
    assert [c.method for c in fake_slack.calls()] == ["chat.postMessage", "chat.postMessage"]
    assert len(waits) == 1 and 3 <= waits[0] < 4  # Retry-After, plus under a second of jitter


def test_web_client_retries_a_server_error(fake_slack: FakeSlackAPI) -> None:
    fake_slack.fail("chat.postMessage", status=500)
    waits: list[float] = []
    resp = client_for(fake_slack, waits).chat_postMessage(channel=PUBLIC_CHANNEL, text="hi")
    assert resp["ok"] is True
    assert len(fake_slack.calls("chat.postMessage")) == 2
    assert len(waits) == 1 and waits[0] > 0


def test_web_client_gives_up_after_its_retries(fake_slack: FakeSlackAPI) -> None:
    fake_slack.rate_limit("chat.postMessage", times=9, retry_after=1)
    waits: list[float] = []
    with pytest.raises(SlackApiError) as err:
        client_for(fake_slack, waits).chat_postMessage(channel=PUBLIC_CHANNEL, text="hi")
    assert err.value.response.status_code == 429
    assert len(fake_slack.calls("chat.postMessage")) == 4 and len(waits) == 3


def test_fake_reports_privacy_by_channel_prefix(fake_slack: FakeSlackAPI) -> None:
    client = client_for(fake_slack)
    assert client.conversations_info(channel=PRIVATE_CHANNEL)["channel"]["is_private"] is True
    assert client.conversations_info(channel="D0X")["channel"]["is_private"] is True
    assert client.conversations_info(channel=PUBLIC_CHANNEL)["channel"]["is_private"] is False


def test_broken_team_playbook_stops_startup(tmp_path: Path, run_serve: Callable[..., Done]) -> None:
    playbook = tmp_path / "team.toml"
    playbook.write_text("this is = not [ a playbook\n")
    done = run_serve(tmp_path, None, SCALE_PLAYBOOK=str(playbook))
    assert done.returncode == 2
    assert "SCALE_PLAYBOOK" in done.stderr and "team.toml" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_paste_in_a_code_block_is_read(slack: SlackClient, fake_slack: FakeSlackAPI) -> None:
    # What on-call people paste into a mention comes in Slack's ``` fences.
    slack.app_mention("```NAME      CPU(cores)   CPU%   MEMORY(bytes)   MEMORY%\n"
                      "node-2    3800m        95%    14000Mi         88%```")
    [post] = fake_slack.wait_for("chat.postMessage")
    shown = [element["text"] for block in post.args["blocks"]
             for element in block.get("elements", []) if "Read:" in element.get("text", "")]
    assert shown == ["Read: server cpu 95%, memory 88%."]


def test_the_master_loads_the_matcher_data_before_gunicorn_forks(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker replacing one that died is forked from the master: with the packaged data
    loaded there, it answers at once instead of loading it all again."""
    from gunicorn.app.base import BaseApplication

    from advisor.learned import default_model
    from advisor.signatures import default_catalogue
    from advisor.vocabulary import default_vocabulary
    from advisor.wordvectors import default_vectors

    caches = [default_catalogue, default_model, default_vectors, default_vocabulary]
    for cache in caches:
        cache.cache_clear()
    loaded_at_run: list[list[int]] = []
    monkeypatch.setattr(BaseApplication, "run", lambda self: loaded_at_run.append(
        [cache.cache_info().currsize for cache in caches]))
    args = argparse.Namespace(host="127.0.0.1", port=free_port(), workers=2, threads=4,
                              log_level="info")
    assert server.run_http(Settings(_env_file=None), args) == 0
    assert loaded_at_run == [[1, 1, 1, 1]]
