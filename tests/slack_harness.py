"""End-to-end harness for the Slack app: a fake Web API, the real server, signed requests.

- `FakeSlackAPI`: a real HTTP server on 127.0.0.1 that answers Web API methods under
  `/api/<method>` and response_url posts under `/response/<name>`, records every call,
  and can be scripted to fail (429 with Retry-After, 500, or `{"ok": false}`).
- `SlackServer`: runs `scale-advisor serve` (as `python -m bot.main serve`) in
  HTTP mode as a subprocess against the fake, on a loopback port; `restart()` keeps the
  port and the SQLite file.
- `SlackClient`: sends requests signed exactly as Slack signs them: slash commands,
  event envelopes (with retries), block actions, view submissions, forged/stale ones.

- `InProcessApp`: what one worker holds (deps, the WSGI gate, a delivery loop) built in
  this process, with an optional frozen clock and the delivery step run by hand.

Fixtures (made visible to every test by tests/conftest.py): `fake_slack`, `slack_db`,
`slack` (in process, or bound to `slack_server` when a test asks for that too),
`slack_server` (a fresh real server), `shared_server` (one real server per session).
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import itertools
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest

SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
BOT_TOKEN = "xoxb-test-0000"
TEAM_ID = "T0FAKE"
APP_ID = "A0APP"
BOT_USER_ID = "U0BOT"
BOT_ID = "B0BOT"
ALICE = "U0ALICE"
BOB = "U0BOB"
PUBLIC_CHANNEL = "C0GENERAL"
PRIVATE_CHANNEL = "G0SECRET"
DM_CHANNEL = "D0ALICE"
OUTSIDE_CHANNEL = "C0OUTSIDE"  # public, the bot not in it: it may post, but hears nothing
LOCKED_CHANNEL = "G0LOCKED"  # private, the bot not in it: Slack hides it from the bot
REPO_ROOT = Path(__file__).resolve().parents[1]
JSON_FIELDS = ("blocks", "view", "attachments", "metadata")


# ============================================================================ fake Web API


@dataclass(frozen=True)
class Call:
    """One request the app made: `method` is the Web API method, or "response_url"."""

    method: str
    path: str
    args: dict[str, Any]
    headers: dict[str, str]

    @property
    def text(self) -> str:
        return str(self.args.get("text", ""))

    def all_text(self) -> str:
        """The fallback text and every text in the blocks/view, for content assertions."""
        view_blocks = (self.args.get("view") or {}).get("blocks") or []
        texts = [self.text, *_texts(self.args.get("blocks") or []), *_texts(view_blocks)]
        return "\n".join(texts)


@dataclass
class Failure:
    status: int = 200
    error: str | None = None
    retry_after: int | None = None


Responder = Callable[[dict[str, Any]], dict[str, Any]]


class FakeSlackAPI:
    """A scriptable stand-in for https://slack.com/api/ that records what it was sent."""

    def __init__(self, token_prefix: str = "xoxb-") -> None:
        self.token_prefix = token_prefix
        self._lock = threading.Condition()
        self._calls: list[Call] = []
        self._failures: dict[str, deque[Failure]] = {}
        self._responders: dict[str, Responder] = {}
        self._ts = itertools.count(1)
        self._ids = itertools.count(1)
        self._posted: list[dict[str, Any]] = []  # what chat.postMessage accepted, for replies
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle
    def start(self) -> FakeSlackAPI:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802 - http.server naming
                fake._handle(self)

            def do_GET(self) -> None:  # noqa: N802
                fake._handle(self)

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        # shutdown() waits for the serving loop's next poll: every test that fakes Slack
        # pays it once at teardown (at 0.05 s, about 4 s over the in-process files).
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.01}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeSlackAPI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._server is not None, "FakeSlackAPI not started"
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        """The value for SLACK_API_URL."""
        return f"http://127.0.0.1:{self.port}/api/"

    def response_url(self, name: str = "") -> str:
        return f"http://127.0.0.1:{self.port}/response/{name or uuid.uuid4().hex[:8]}"

    # -- scripting
    def fail(self, method: str, times: int = 1, *, status: int = 200, error: str | None = None,
             retry_after: int | None = None) -> None:
        """The next `times` calls of `method` fail: `status=429, retry_after=1` for a rate
        limit, `status=500` for a server error, or `error="channel_not_found"` for ok:false."""
        if status == 200 and error is None:
            raise ValueError("give an HTTP status other than 200 or an error code")
        with self._lock:
            queue = self._failures.setdefault(method, deque())
            queue.extend(Failure(status, error, retry_after) for _ in range(times))

    def rate_limit(self, method: str, times: int = 1, retry_after: int = 1) -> None:
        self.fail(method, times, status=429, retry_after=retry_after)

    def respond_with(self, method: str, responder: Responder | dict[str, Any]) -> None:
        """Replace the canned answer of `method` (a dict, or a function of the call args)."""
        with self._lock:
            self._responders[method] = responder if callable(responder) else (
                lambda _args, payload=responder: payload)

    # -- inspection
    def calls(self, method: str | None = None) -> list[Call]:
        with self._lock:
            return [c for c in self._calls if method is None or c.method == method]

    def methods(self) -> list[str]:
        return [c.method for c in self.calls()]

    def last(self, method: str) -> Call:
        found = self.calls(method)
        assert found, f"no {method} call; calls so far: {self.methods()}"
        return found[-1]

    def wait_for(self, method: str, count: int = 1, timeout: float = 10.0) -> list[Call]:
        """Block until `method` was called `count` times; the calls, or an AssertionError
        listing what was called instead."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                found = [c for c in self._calls if c.method == method]
                if len(found) >= count:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"expected {count} {method} call(s), got {len(found)}; "
                                         f"calls so far: {[c.method for c in self._calls]}")
                self._lock.wait(left)

    def clear(self) -> None:
        with self._lock:
            self._calls.clear()

    # -- request handling
    def _handle(self, req: BaseHTTPRequestHandler) -> None:
        url = urlsplit(req.path)
        length = int(req.headers.get("Content-Length") or 0)
        raw = req.rfile.read(length) if length else b""
        args = _parse_body(raw, req.headers.get("Content-Type", ""), url.query)
        headers = {k.lower(): v for k, v in req.headers.items()}
        if url.path.startswith("/response/"):
            self._record(Call("response_url", url.path, args, headers))
            return _reply(req, 200, "ok", "text/plain")
        if not url.path.startswith("/api/"):
            return _reply(req, 404, "not found", "text/plain")
        method = url.path[len("/api/"):]
        auth = headers.get("authorization", "")
        if "token" in args and not auth:
            auth = f"Bearer {args['token']}"
        call = Call(method, url.path, args, headers)
        self._record(call)
        with self._lock:
            queue = self._failures.get(method)
            failure = queue.popleft() if queue else None
            responder = self._responders.get(method)
        if failure is not None:
            return _reply_failure(req, failure)
        prefix = "xapp-" if method == "apps.connections.open" else self.token_prefix
        if not auth.startswith("Bearer " + prefix):
            return _reply(req, 200, {"ok": False, "error": "not_authed"})
        payload = responder(args) if responder else self._canned(method, args)
        return _reply(req, 200, payload)

    def _record(self, call: Call) -> None:
        with self._lock:
            self._calls.append(call)
            self._lock.notify_all()

    def _next_ts(self) -> str:
        return f"{1_700_000_000 + next(self._ts)}.{next(self._ids):06d}"

    def _canned(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        channel = str(args.get("channel", ""))
        if channel == LOCKED_CHANNEL:
            return {"ok": False, "error": "channel_not_found"}
        if method == "auth.test":
            return {"ok": True, "url": "https://fake.slack.com/", "team": "Fake Team",
                    "user": "scale-advisor", "team_id": TEAM_ID, "user_id": BOT_USER_ID,
                    "bot_id": BOT_ID, "is_enterprise_install": False}
        if method == "chat.postMessage":
            ts = self._next_ts()
            message = {"type": "message", "text": args.get("text", ""), "user": BOT_USER_ID,
                       "bot_id": BOT_ID, "ts": ts}
            if args.get("thread_ts"):
                message["thread_ts"] = args["thread_ts"]
            if args.get("metadata"):
                message["metadata"] = args["metadata"]
            with self._lock:
                self._posted.append({**message, "channel": channel})
            return {"ok": True, "channel": channel, "ts": ts, "message": message}
        if method == "conversations.history":
            with self._lock:
                found = [m for m in self._posted if m["channel"] == channel
                         and "thread_ts" not in m]
            return {"ok": True, "messages": found[::-1], "has_more": False}
        if method == "conversations.replies":
            thread = str(args.get("ts", ""))
            with self._lock:
                found = [m for m in self._posted if m["channel"] == channel
                         and thread in (m["ts"], m.get("thread_ts"))]
            return {"ok": True, "messages": found, "has_more": False}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": self._next_ts()}
        if method == "chat.update":
            return {"ok": True, "channel": channel, "ts": args.get("ts"),
                    "text": args.get("text", "")}
        if method == "chat.getPermalink":
            ts = str(args.get("message_ts", "")).replace(".", "")
            return {"ok": True, "channel": channel,
                    "permalink": f"https://fake.slack.com/archives/{channel}/p{ts}"}
        if method in ("views.open", "views.publish", "views.update", "views.push"):
            view = dict(args.get("view") or {})
            view.update(id=f"V{next(self._ids):08d}", team_id=TEAM_ID, app_id=APP_ID,
                        bot_id=BOT_ID, state={"values": {}}, hash="fake-hash")
            return {"ok": True, "view": view}
        if method == "conversations.info":
            return {"ok": True, "channel": _channel_info(channel)}
        return {"ok": True}


def _channel_info(channel: str) -> dict[str, Any]:
    private = channel[:1] in ("G", "D")
    return {"id": channel, "name": channel.lower(), "is_channel": channel.startswith("C"),
            "is_group": channel.startswith("G"), "is_im": channel.startswith("D"),
            "is_mpim": False, "is_private": private, "is_member": channel != OUTSIDE_CHANNEL}


def _parse_body(raw: bytes, content_type: str, query: str) -> dict[str, Any]:
    args: dict[str, Any] = dict(parse_qsl(query))
    if raw and "application/json" in content_type:
        args.update(json.loads(raw))
    elif raw:
        args.update(parse_qsl(raw.decode(), keep_blank_values=True))
    for key in JSON_FIELDS:
        value = args.get(key)
        if isinstance(value, str) and value[:1] in "[{":
            args[key] = json.loads(value)
    return args


def _reply(req: BaseHTTPRequestHandler, status: int, body: dict[str, Any] | str,
           content_type: str = "application/json", headers: dict[str, str] | None = None) -> None:
    data = (json.dumps(body) if isinstance(body, dict) else body).encode()
    req.send_response(status)
    req.send_header("Content-Type", f"{content_type}; charset=utf-8")
    req.send_header("Content-Length", str(len(data)))
    for key, value in (headers or {}).items():
        req.send_header(key, value)
    req.end_headers()
    req.wfile.write(data)


def _reply_failure(req: BaseHTTPRequestHandler, failure: Failure) -> None:
    if failure.status == 429:
        return _reply(req, 429, {"ok": False, "error": "ratelimited"},
                      headers={"Retry-After": str(failure.retry_after or 1)})
    if failure.status != 200:
        return _reply(req, failure.status, "fake server error", "text/plain")
    return _reply(req, 200, {"ok": False, "error": failure.error})


def _texts(blocks: list[dict[str, Any]]) -> Iterator[str]:
    """Every text string in a block tree."""
    stack: list[Any] = list(blocks)
    while stack:
        node = stack.pop(0)
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "text" and isinstance(value, str):
                    yield value
                else:
                    stack.append(value)
        elif isinstance(node, list):
            stack.extend(node)


# ============================================================================ signed requests


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode()

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


@dataclass
class SlackClient:
    """Sends what Slack would send to the app at `base_url`, signed with `signing_secret`."""

    base_url: str
    signing_secret: str = SIGNING_SECRET
    fake: FakeSlackAPI | None = None
    team_id: str = TEAM_ID
    app_id: str = APP_ID
    bot_user_id: str = BOT_USER_ID
    timeout: float = 10.0
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    _tag: str = field(default_factory=lambda: uuid.uuid4().hex[:6].upper())
    _ts_base: int = field(default_factory=lambda: uuid.uuid4().int % 800_000)

    # -- raw
    def sign(self, body: bytes, timestamp: int | None = None) -> dict[str, str]:
        ts = str(int(time.time()) if timestamp is None else timestamp)
        return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": signature_of(
            self.signing_secret, ts, body)}

    def post(self, body: bytes | str, content_type: str, *, path: str = "/slack/events",
             timestamp: int | None = None, signature: str | None = None,
             headers: dict[str, str] | None = None) -> Response:
        """POST `body` signed now (or at `timestamp`); `signature` overrides to forge one."""
        data = body.encode() if isinstance(body, str) else body
        all_headers = {"Content-Type": content_type, **self.sign(data, timestamp)}
        if signature is not None:
            all_headers["X-Slack-Signature"] = signature
        all_headers.update(headers or {})
        return self.request("POST", path, data, all_headers)

    def request(self, method: str, path: str, data: bytes | None = None,
                headers: dict[str, str] | None = None) -> Response:
        url = urlsplit(self.base_url)
        conn = http.client.HTTPConnection(url.hostname, url.port, timeout=self.timeout)
        try:
            conn.request(method, path, body=data, headers=headers or {})
            resp = conn.getresponse()
            return Response(resp.status, {k.lower(): v for k, v in resp.getheaders()},
                            resp.read())
        finally:
            conn.close()

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def post_form(self, fields: dict[str, Any], **kw: Any) -> Response:
        return self.post(urlencode(fields), "application/x-www-form-urlencoded", **kw)

    def post_json(self, payload: dict[str, Any], **kw: Any) -> Response:
        return self.post(json.dumps(payload), "application/json", **kw)

    def _next(self, prefix: str) -> str:
        """A fresh id, unique across clients too: the app treats a repeated trigger or
        event id as Slack replaying the same request."""
        return f"{prefix}{self._tag}{next(self._ids):06d}"

    def new_ts(self) -> str:
        return f"{int(time.time())}.{self._ts_base + next(self._ids):06d}"

    # -- slash commands
    def command(self, text: str, *, command: str = "/scale", channel_id: str = PUBLIC_CHANNEL,
                user_id: str = ALICE, response_url: str | None = None, **kw: Any) -> Response:
        fields = {
            "token": "legacy-verification-token", "team_id": self.team_id,
            "team_domain": "fake", "channel_id": channel_id,
            "channel_name": channel_id.lower(), "user_id": user_id, "user_name": user_id.lower(),
            "command": command, "text": text, "api_app_id": self.app_id,
            "is_enterprise_install": "false",
            "response_url": response_url or self._response_url(),
            "trigger_id": self._next("trigger."),
        }
        return self.post_form(fields, **kw)

    def _response_url(self) -> str:
        if self.fake is not None:
            return self.fake.response_url()
        return "http://127.0.0.1:9/response/unused"

    # -- events
    def envelope(self, event: dict[str, Any], event_id: str | None = None) -> dict[str, Any]:
        return {
            "token": "legacy-verification-token", "team_id": self.team_id,
            "api_app_id": self.app_id, "event": event, "type": "event_callback",
            "event_id": event_id or self._next("Ev"), "event_time": int(time.time()),
            "authorizations": [{"enterprise_id": None, "team_id": self.team_id,
                                "user_id": self.bot_user_id, "is_bot": True,
                                "is_enterprise_install": False}],
            "is_ext_shared_channel": False,
        }

    def event(self, event: dict[str, Any], *, event_id: str | None = None,
              retry_num: int | None = None, retry_reason: str = "http_timeout",
              **kw: Any) -> Response:
        """Deliver an event; pass the same `event_id` and a `retry_num` for Slack's retries."""
        headers = dict(kw.pop("headers", None) or {})
        if retry_num is not None:
            headers.update({"X-Slack-Retry-Num": str(retry_num),
                            "X-Slack-Retry-Reason": retry_reason})
        return self.post_json(self.envelope(event, event_id), headers=headers, **kw)

    def message_event(self, text: str, *, channel: str = PUBLIC_CHANNEL, user: str = ALICE,
                      thread_ts: str | None = None, ts: str | None = None,
                      subtype: str | None = None, **extra: Any) -> dict[str, Any]:
        ts = ts or self.new_ts()
        event: dict[str, Any] = {
            "type": "message", "channel": channel, "user": user, "text": text, "ts": ts,
            "event_ts": ts, "team": self.team_id, "channel_type": channel_type(channel),
            "client_msg_id": str(uuid.uuid4()),
        }
        if thread_ts:
            event["thread_ts"] = thread_ts
        if subtype:
            event["subtype"] = subtype
        event.update(extra)
        return event

    def message(self, text: str, *, event_id: str | None = None, retry_num: int | None = None,
                **kw: Any) -> Response:
        return self.event(self.message_event(text, **kw), event_id=event_id, retry_num=retry_num)

    def app_mention(self, text: str, *, channel: str = PUBLIC_CHANNEL, user: str = ALICE,
                    thread_ts: str | None = None, event_id: str | None = None,
                    retry_num: int | None = None) -> Response:
        ts = self.new_ts()
        event = {"type": "app_mention", "user": user, "channel": channel, "ts": ts,
                 "event_ts": ts, "team": self.team_id, "client_msg_id": str(uuid.uuid4()),
                 "text": f"<@{self.bot_user_id}> {text}"}
        if thread_ts:
            event["thread_ts"] = thread_ts
        return self.event(event, event_id=event_id, retry_num=retry_num)

    def app_home_opened(self, user: str = ALICE, tab: str = "home") -> Response:
        event = {"type": "app_home_opened", "user": user, "channel": f"D{user[1:]}",
                 "tab": tab, "event_ts": self.new_ts()}
        return self.event(event)

    # -- interactivity
    def block_action(self, action_id: str, value: str = "", *, channel: str = PUBLIC_CHANNEL,
                     user: str = ALICE, message_ts: str | None = None,
                     thread_ts: str | None = None, block_id: str = "b",
                     message: dict[str, Any] | None = None, **kw: Any) -> Response:
        """A button click on a message the bot posted (`message_ts`) in `channel`."""
        message_ts = message_ts or self.new_ts()
        msg = dict(message or {"type": "message", "user": self.bot_user_id,
                                "bot_id": BOT_ID, "text": "", "blocks": []})
        msg.setdefault("ts", message_ts)
        if thread_ts:
            msg.setdefault("thread_ts", thread_ts)
        payload = {
            "type": "block_actions", "team": {"id": self.team_id, "domain": "fake"},
            "user": {"id": user, "username": user.lower(), "team_id": self.team_id},
            "api_app_id": self.app_id, "token": "legacy-verification-token",
            "container": {"type": "message", "message_ts": message_ts, "channel_id": channel,
                          "is_ephemeral": False, **({"thread_ts": thread_ts} if thread_ts else {})},
            "trigger_id": self._next("trigger."),
            "channel": {"id": channel, "name": channel.lower()},
            "message": msg, "response_url": self._response_url(),
            "actions": [{"type": "button", "action_id": action_id, "block_id": block_id,
                         "text": {"type": "plain_text", "text": action_id}, "value": value,
                         "action_ts": self.new_ts()}],
        }
        return self.post_form({"payload": json.dumps(payload)}, **kw)

    def view_submission(self, callback_id: str, values: dict[str, dict[str, str | None]], *,
                        private_metadata: str = "", user: str = ALICE, **kw: Any) -> Response:
        """Submit a modal; `values` maps block_id -> action_id -> typed text."""
        state = {block: {action: {"type": "plain_text_input", "value": text}
                         for action, text in actions.items()}
                 for block, actions in values.items()}
        payload = {
            "type": "view_submission", "team": {"id": self.team_id, "domain": "fake"},
            "user": {"id": user, "username": user.lower(), "team_id": self.team_id},
            "api_app_id": self.app_id, "token": "legacy-verification-token",
            "trigger_id": self._next("trigger."),
            "view": {"id": self._next("V"), "team_id": self.team_id, "type": "modal",
                     "callback_id": callback_id, "private_metadata": private_metadata,
                     "blocks": [], "state": {"values": state}, "hash": "fake-hash",
                     "title": {"type": "plain_text", "text": "Form"},
                     "app_id": self.app_id, "bot_id": BOT_ID},
            "response_urls": [],
        }
        return self.post_form({"payload": json.dumps(payload)}, **kw)


def signature_of(secret: str, timestamp: str, body: bytes) -> str:
    """Slack's v0 signature over the raw bytes (any bytes: forged bodies need not be text)."""
    digest = hmac.new(secret.encode(), b"v0:" + timestamp.encode() + b":" + body,
                      hashlib.sha256).hexdigest()
    return f"v0={digest}"


def channel_type(channel: str) -> str:
    return {"C": "channel", "G": "group", "D": "im"}.get(channel[:1], "channel")


# ============================================================================ the real server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def app_env(fake: FakeSlackAPI | None, db: Path, **overrides: str | None) -> dict[str, str]:
    """The process environment for the app: nothing inherited from SLACK_/SCALE_ variables."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "SCALE_"))}
    env.update(SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET,
               SCALE_DB=str(db), PYTHONUNBUFFERED="1")
    if fake is not None:
        env["SLACK_API_URL"] = fake.url
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


@dataclass
class SlackServer:
    """The real app (`scale-advisor serve`, run as `python -m bot.main serve`) in HTTP mode."""

    fake: FakeSlackAPI
    workdir: Path
    workers: int = 1
    env_overrides: dict[str, str | None] = field(default_factory=dict)
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None
    starts: int = 0

    @property
    def db_path(self) -> Path:
        return self.workdir / "scale-advisor.db"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.workdir / f"server-{self.starts}.log"

    def command(self) -> list[str]:
        return [sys.executable, "-m", "bot.main", "serve", "--host", "127.0.0.1",
                "--port", str(self.port), "--workers", str(self.workers), "--threads", "8"]

    def start(self, timeout: float = 20.0) -> SlackServer:
        self._spawn()
        self._wait_healthy(timeout)
        return self

    def start_socket_mode(self) -> SlackServer:
        """Start in Socket Mode (no HTTP port to poll): the caller waits for the socket."""
        self._spawn()
        return self

    def _spawn(self) -> None:
        self.starts += 1
        env = app_env(self.fake, self.db_path, **self.env_overrides)
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(self.command(), cwd=self.workdir, env=env,
                                         stdout=log, stderr=subprocess.STDOUT,
                                         start_new_session=True)

    def _wait_healthy(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc is not None
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}:\n{self.log()}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=1) as resp:
                    if resp.status == 200:
                        return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"server not healthy after {timeout}s:\n{self.log()}")

    def stop(self, kill: bool = False, quick: bool = False, timeout: float = 15.0) -> None:
        """Graceful stop (SIGTERM: gunicorn drains requests and finishes background work),
        `quick=True` (SIGINT: gunicorn's fast shutdown), or `kill=True` (SIGKILL: a crash)."""
        if self.proc is None or self.proc.poll() is not None:
            self.proc = None
            return
        sig = signal.SIGKILL if kill else signal.SIGINT if quick else signal.SIGTERM
        try:
            os.killpg(self.proc.pid, sig) if kill else self.proc.send_signal(sig)
        except ProcessLookupError:
            pass
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(5)
        self.proc = None

    def restart(self, kill: bool = False) -> SlackServer:
        """Stop and start again on the same port and SQLite file (for resume tests)."""
        self.stop(kill=kill)
        return self.start()

    def log(self) -> str:
        return "\n".join(p.read_text(errors="replace")
                         for p in sorted(self.workdir.glob("server-*.log")))

    def client(self, **kw: Any) -> SlackClient:
        return SlackClient(self.url, fake=self.fake, **kw)


# ============================================================================ fixtures


@pytest.fixture
def fake_slack() -> Iterator[FakeSlackAPI]:
    with FakeSlackAPI() as fake:
        yield fake


@pytest.fixture
def slack_server(fake_slack: FakeSlackAPI, tmp_path: Path) -> Iterator[SlackServer]:
    server = SlackServer(fake_slack, tmp_path).start()
    try:
        yield server
    finally:
        server.stop(kill=True)


@pytest.fixture(scope="session")
def shared_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SlackServer]:
    """One real server (one worker) with its own fake Web API, shared by the tests that
    need a real one but not a fresh one (signatures over HTTP, the configured file,
    restarts, which keep it running): a start-up costs most of a second. Tests that use it
    count calls and rows relative to what was there before them."""
    with FakeSlackAPI() as fake:
        server = SlackServer(fake, tmp_path_factory.mktemp("server")).start()
        try:
            yield server
        finally:
            server.stop(kill=True)


@pytest.fixture
def slack_db(tmp_path: Path) -> Path:
    """The SQLite file the app under test uses, in process or behind the real server."""
    return tmp_path / "scale-advisor.db"


@pytest.fixture
def slack(request: pytest.FixtureRequest, fake_slack: FakeSlackAPI,
          slack_db: Path) -> Iterator[SlackClient]:
    """Signed requests to the app. In process (the WSGI callable gunicorn serves, with this
    process's delivery loop) unless the test also asks for `slack_server`: then through the
    real server over HTTP. Start-up, workers and restarts are what the real server proves."""
    if "slack_server" in request.fixturenames:
        yield request.getfixturevalue("slack_server").client()
        return
    app = InProcessApp.build(fake_slack, slack_db).start_delivery()
    app.client.app = app
    try:
        yield app.client
    finally:
        app.stop()


# ============================================================================ in process


@dataclass
class InProcessApp:
    """What one worker process holds (deps, the gate gunicorn serves, a delivery loop),
    built in this process. `now[0]` is the clock the dialogs and the outbox read (None: the
    wall clock); with no delivery loop started, `deliver()` runs the delivery step by hand."""

    deps: Any
    client: InProcessClient
    db: Path
    now: list[float | None]

    @classmethod
    def build(cls, fake: FakeSlackAPI, db: Path, *, frozen: bool = False) -> InProcessApp:
        """`frozen=True`: time stands still at start-up until the test moves `now[0]`."""
        from bot.settings import Settings
        from bot.slack.app import build_app
        from bot.slack.deps import Deps
        from bot.slack.server import make_wsgi_app

        settings = Settings(_env_file=None, slack_bot_token=BOT_TOKEN,
                            slack_signing_secret=SIGNING_SECRET, slack_api_url=fake.url,
                            scale_db=db)
        now: list[float | None] = [time.time() if frozen else None]
        deps = Deps.from_settings(settings, clock=lambda: time.time() if now[0] is None
                                  else now[0])
        gate = make_wsgi_app(build_app(settings, deps), deps, settings)
        return cls(deps, InProcessClient(gate, fake=fake), db, now)

    def start_delivery(self) -> InProcessApp:
        """Run the worker's delivery loop on the wall clock, as a served worker does, but
        waiting 5 ms of quiet after a request before it posts, not 50: the order is the
        same (the reply follows its ack), and the tests do not each wait out the pause
        meant for a burst (tests/test_delivery_loop.py covers that pause)."""
        from bot.slack.app import start_delivery

        self.now[0] = None
        self.deps.delivery.quiet_s = 0.005
        start_delivery(self.deps)
        return self

    def deliver(self) -> int:
        """Post everything due at `now`, as a worker's delivery loop would; how many went."""
        sent = 0
        while (n := self.deps.deliverer.pending()) > 0:
            sent += n
        return sent

    def stop(self) -> None:
        """Graceful: the loop finishes the post it is making, as on SIGTERM."""
        if self.deps.delivery is not None:
            self.deps.delivery.stop()


class InProcessClient(SlackClient):
    """A SlackClient that hands each request straight to a WSGI callable (no sockets):
    the same bytes, headers and signature, through the same gate and Bolt app."""

    def __init__(self, wsgi: Callable[..., Any], fake: FakeSlackAPI | None = None,
                 **kw: Any) -> None:
        super().__init__("http://in-process:0", fake=fake, **kw)
        self.wsgi = wsgi
        self.app: InProcessApp | None = None  # set by the `slack` fixture

    def request(self, method: str, path: str, data: bytes | None = None,
                headers: dict[str, str] | None = None) -> Response:
        import io

        body = data or b""
        environ: dict[str, Any] = {
            "REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": "",
            "SERVER_NAME": "in-process", "SERVER_PORT": "0", "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1", "wsgi.input": io.BytesIO(body),
            "wsgi.url_scheme": "http", "CONTENT_LENGTH": str(len(body)),
        }
        for key, value in (headers or {}).items():
            name = key.upper().replace("-", "_")
            if name == "CONTENT_TYPE":
                environ["CONTENT_TYPE"] = value
            elif name != "CONTENT_LENGTH":
                environ["HTTP_" + name] = value
            else:
                environ["CONTENT_LENGTH"] = value
        started: list[Any] = []
        chunks = self.wsgi(environ, lambda status, hdrs: started.append((status, hdrs)))
        status, hdrs = started[0]
        return Response(int(status.split()[0]), {k.lower(): v for k, v in hdrs},
                        b"".join(chunks))
