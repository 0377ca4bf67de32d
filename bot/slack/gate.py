"""The request gate in front of Bolt: what is not a well-formed, signed Slack request
never reaches a listener.

Checked in order, cheapest and safest first: the path and method, the declared size
(too big: 400 without reading it), the timestamp and signature headers (401), the
signature over the raw bytes (401) and only then the body itself (400 for bytes that
are not UTF-8, JSON that does not parse, is not an object or nests too deep, an event
envelope whose `event` is not an object, a form `payload` that is not a JSON object).
Each rejection is one log line, never a traceback. What passes goes to `App.dispatch`
as Bolt's own WSGI adapter would send it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from collections.abc import Callable, Iterable
from contextlib import nullcontext
from typing import Any
from urllib.parse import parse_qsl

from slack_bolt import App, BoltRequest

from bot.slack.deps import Deps

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
MAX_BODY_BYTES = 512 * 1024  # Slack's biggest payloads (a modal's state) are far smaller
MAX_DEPTH = 32
MAX_SKEW_S = 300  # Slack's own rule for a request's timestamp
FORWARDED_HEADERS = ("content-type", "x-slack-signature", "x-slack-request-timestamp",
                     "x-slack-retry-num", "x-slack-retry-reason")

log = logging.getLogger("bot.slack.gate")

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
Reply = tuple[int, dict[str, str], bytes]

REASONS = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found",
           405: "Method Not Allowed", 500: "Internal Server Error"}


class Rejected(Exception):
    def __init__(self, status: int, why: str) -> None:
        super().__init__(why)
        self.status = status
        self.why = why


def _json(status: int, payload: dict[str, Any]) -> Reply:
    return status, {"Content-Type": "application/json"}, json.dumps(payload).encode()


def too_deep(value: Any, limit: int = MAX_DEPTH) -> bool:
    """Whether arrays/objects nest deeper than `limit` (walked without recursion)."""
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict | list):
            if depth > limit:
                return True
            children = node.values() if isinstance(node, dict) else node
            stack.extend((child, depth + 1) for child in children)
    return False


def parse_object(text: str, what: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except RecursionError as err:
        raise Rejected(400, f"{what} nests too deep") from err
    except ValueError as err:
        raise Rejected(400, f"{what} is not JSON ({err})") from err
    if not isinstance(value, dict):
        raise Rejected(400, f"{what} is not a JSON object")
    if too_deep(value):
        raise Rejected(400, f"{what} nests deeper than {MAX_DEPTH}")
    return value


def check_envelope(body: dict[str, Any]) -> None:
    """An Events API envelope carries its event as an object: Bolt's middleware reads it
    as one before any listener runs, so anything else would fail there with a 500."""
    if ("event" in body or body.get("type") == "event_callback") and not isinstance(
            body.get("event"), dict):
        raise Rejected(400, "the envelope's event is not a JSON object")


class SlackGate:
    """The WSGI callable gunicorn serves: health, the gate, then Bolt."""

    def __init__(self, app: App, signing_secret: str, *, deps: Deps | None = None,
                 clock: Callable[[], float] = time.time,
                 max_body: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.deps = deps
        self.secret = signing_secret.encode()
        self.clock = clock
        self.max_body = max_body

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]
                 ) -> Iterable[bytes]:
        status, headers, body = self.handle(environ)
        headers = {**headers, "Content-Length": str(len(body))}
        start_response(f"{status} {REASONS.get(status, '')}".strip(), list(headers.items()))
        return [body] if environ.get("REQUEST_METHOD") != "HEAD" else []

    def handle(self, environ: dict[str, Any]) -> Reply:
        path, method = environ.get("PATH_INFO"), environ.get("REQUEST_METHOD")
        if path == HEALTH_PATH and method in ("GET", "HEAD"):
            return _json(200, {"ok": True})
        if path != EVENTS_PATH:
            return 404, {"Content-Type": "text/plain;charset=utf-8"}, b"Not Found"
        if method != "POST":
            return _json(405, {"error": "POST only"})
        try:
            text, headers = self.admit(environ)
        except Rejected as no:
            log.warning("rejected a request from %s: %s (%s)",
                        environ.get("REMOTE_ADDR", "?"), no.why, no.status)
            error = "invalid request" if no.status == 401 else "malformed request"
            return _json(no.status, {"error": error})
        with self.deps.requests if self.deps is not None else nullcontext():
            response = self.app.dispatch(BoltRequest(body=text, headers=headers))
        out = {k: ", ".join(v) if isinstance(v, list) else str(v)
               for k, v in response.headers.items()}
        body = response.body.encode() if isinstance(response.body, str) else response.body
        return response.status, out, body or b""

    def admit(self, environ: dict[str, Any]) -> tuple[str, dict[str, str]]:
        """The body as text and the headers Bolt needs, or Rejected."""
        length_text = str(environ.get("CONTENT_LENGTH") or "0")
        if not length_text.isdigit():
            raise Rejected(400, "Content-Length is not a number")
        length = int(length_text)
        if length > self.max_body:
            raise Rejected(400, f"body of {length} bytes is over {self.max_body}")
        timestamp = str(environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP") or "")
        signature = str(environ.get("HTTP_X_SLACK_SIGNATURE") or "")
        if not timestamp.isdigit() or not timestamp.isascii():
            raise Rejected(401, "no usable X-Slack-Request-Timestamp")
        if abs(self.clock() - int(timestamp)) > MAX_SKEW_S:
            raise Rejected(401, "X-Slack-Request-Timestamp is more than 5 minutes off")
        if not signature.startswith("v0="):
            raise Rejected(401, "no X-Slack-Signature")
        raw = environ["wsgi.input"].read(length) if length else b""
        if len(raw) != length:
            raise Rejected(400, "body shorter than its Content-Length")
        expected = "v0=" + hmac.new(self.secret, b"v0:" + timestamp.encode() + b":" + raw,
                                    hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace")):
            raise Rejected(401, "signature does not match")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as err:
            raise Rejected(400, "body is not UTF-8") from err
        content_type = str(environ.get("CONTENT_TYPE") or "")
        if content_type.startswith("application/json"):
            check_envelope(parse_object(text, "JSON body"))
        elif content_type.startswith("application/x-www-form-urlencoded"):
            form = dict(parse_qsl(text, keep_blank_values=True))
            if "payload" in form:
                parse_object(form["payload"], "form payload")
            elif "command" not in form and "ssl_check" not in form:
                raise Rejected(400, "form is neither a command nor a payload")
        else:
            raise Rejected(400, f"content type {content_type or 'missing'} is not Slack's")
        headers = {name: str(environ[key]) for name in FORWARDED_HEADERS
                   if (key := _environ_key(name)) in environ}
        return text, headers


def _environ_key(header: str) -> str:
    if header == "content-type":
        return "CONTENT_TYPE"
    return "HTTP_" + header.upper().replace("-", "_")
