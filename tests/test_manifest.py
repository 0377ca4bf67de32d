"""manifest.yml is a valid Slack manifest and declares exactly what the code registers."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import shared_file
from slack_sdk import WebClient

from bot.settings import Settings
from bot.slack.deps import Deps
from bot.slack.ids import ActionId, CallbackId
from bot.slack.listeners import wiring

ROOT = Path(__file__).resolve().parents[1]

# Bot events each registered event needs, and the scope each bot event or call needs.
EVENT_SUBSCRIPTIONS = {
    "message": {"message.channels", "message.groups", "message.im", "message.mpim"},
}
EVENT_SCOPES = {
    "app_mention": {"app_mentions:read"},
    "message.channels": {"channels:history"},
    "message.groups": {"groups:history"},
    "message.im": {"im:history"},
    "message.mpim": {"mpim:history"},
    "app_home_opened": set(),
}
METHOD_SCOPES = {
    "auth_test": set(),
    # .public: one-shot answers go to public channels the bot is not in (Reach.OUTSIDE)
    "chat_postMessage": {"chat:write", "chat:write.public"},
    "chat_postEphemeral": {"chat:write"},
    "chat_update": {"chat:write"},
    "chat_scheduleMessage": {"chat:write"},
    "chat_deleteScheduledMessage": {"chat:write"},
    "chat_delete": {"chat:write"},
    "chat_getPermalink": set(),
    "conversations_info": {"channels:read", "groups:read", "im:read", "mpim:read"},
    "conversations_replies": {"channels:history", "groups:history", "im:history",
                              "mpim:history"},
    "conversations_history": {"channels:history", "groups:history", "im:history",
                              "mpim:history"},
    "views_open": set(),
    "views_publish": set(),
    "views_update": set(),
    "views_push": set(),
}


class RecordingApp:
    """Stands in for a Bolt App during `wiring.register` and records what is registered."""

    def __init__(self) -> None:
        self.registered: dict[str, list[Any]] = {}

    def _recorder(self, kind: str) -> Callable[..., Any]:
        def register(constraint: Any, *args: Any, **kwargs: Any) -> Callable[[Any], Any]:
            self.registered.setdefault(kind, []).append(constraint)
            return lambda *funcs, **lazy: funcs[0] if funcs else lazy.get("ack")
        return register

    def __getattr__(self, kind: str) -> Callable[..., Any]:
        if kind in ("command", "event", "action", "view", "shortcut", "options",
                    "block_action", "view_submission", "message"):
            return self._recorder(kind)
        raise AttributeError(kind)

    def of(self, kind: str) -> list[Any]:
        return self.registered.get(kind, [])


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "manifest.yml").read_text())


@pytest.fixture(scope="module")
def registered() -> RecordingApp:
    app = RecordingApp()
    wiring.register(app, Deps(settings=Settings(_env_file=None), client=WebClient()))
    return app


def _event_type(constraint: Any) -> str:
    return constraint["type"] if isinstance(constraint, dict) else str(constraint)


def _matches(constraint: Any, ident: str) -> bool:
    if isinstance(constraint, re.Pattern):
        return constraint.match(ident) is not None
    return str(constraint) == ident


def test_manifest_matches_slack_schema(manifest: dict[str, Any]) -> None:
    import jsonschema

    schema = json.loads(shared_file("slack", "manifest.schema.1.0.0.json").read_text())
    jsonschema.validate(manifest, schema)


def test_background_color_is_hex(manifest: dict[str, Any]) -> None:
    # The schema spells this rule "regex", which JSON Schema ignores.
    assert re.fullmatch(r"#[0-9a-fA-F]{3}([0-9a-fA-F]{3})?",
                        manifest["display_information"]["background_color"])


def test_socket_mode_and_home_tab_are_on(manifest: dict[str, Any]) -> None:
    assert manifest["settings"]["socket_mode_enabled"] is True
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    assert manifest["features"]["app_home"]["messages_tab_enabled"] is True


def test_commands_match_both_ways(manifest: dict[str, Any], registered: RecordingApp) -> None:
    declared = {c["command"] for c in manifest["features"]["slash_commands"]}
    assert {str(c) for c in registered.of("command")} == declared == {"/scale"}
    assert all(c.get("usage_hint") for c in manifest["features"]["slash_commands"])


def test_events_match_both_ways(manifest: dict[str, Any], registered: RecordingApp) -> None:
    events = {_event_type(c) for c in registered.of("event")}
    events |= {"message"} if registered.of("message") else set()
    needed = set().union(*(EVENT_SUBSCRIPTIONS.get(e, {e}) for e in events))
    assert needed == set(manifest["settings"]["event_subscriptions"]["bot_events"])


def test_every_action_id_has_exactly_one_listener(registered: RecordingApp) -> None:
    constraints = registered.of("action")
    for action_id in ActionId:
        assert sum(_matches(c, action_id) for c in constraints) == 1, action_id
    for constraint in constraints:
        assert any(_matches(constraint, a) for a in ActionId), constraint


def test_view_callbacks_are_known_ids(registered: RecordingApp) -> None:
    assert {str(c) for c in registered.of("view")} <= {str(c) for c in CallbackId}
    assert str(CallbackId.DIAGNOSE_FORM) in {str(c) for c in registered.of("view")}


def test_interactivity_on_exactly_when_used(manifest: dict[str, Any],
                                            registered: RecordingApp) -> None:
    interactive = bool(registered.of("action") or registered.of("view")
                       or registered.of("shortcut") or registered.of("options"))
    assert manifest["settings"]["interactivity"]["is_enabled"] is interactive
    assert not manifest.get("features", {}).get("shortcuts")


def web_methods_used() -> set[str]:
    """WebClient methods called anywhere in bot/ (e.g. `client.chat_postMessage(`)."""
    source = "\n".join(p.read_text() for p in (ROOT / "bot").rglob("*.py"))
    names = set(re.findall(r"\.([a-z]+_[A-Za-z_]+)\(", source))
    return {n for n in names if callable(getattr(WebClient, n, None)) and n != "api_call"}


def test_scopes_are_exactly_what_the_code_needs(manifest: dict[str, Any],
                                                registered: RecordingApp) -> None:
    used = web_methods_used()
    unknown = used - METHOD_SCOPES.keys()
    assert not unknown, f"add the scopes of {unknown} to METHOD_SCOPES and the manifest"
    needed = set().union(*(METHOD_SCOPES[m] for m in used))
    needed |= set().union(*(EVENT_SCOPES[e]
                            for e in manifest["settings"]["event_subscriptions"]["bot_events"]))
    if registered.of("command"):
        needed.add("commands")
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == needed
