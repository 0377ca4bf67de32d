"""Socket Mode end to end: `scale-advisor serve` with an app token connects to a fake
Socket Mode endpoint (a real WebSocket on loopback), acks envelopes over it, and posts
through the fake Web API like the HTTP app does."""

from __future__ import annotations

import base64
import hashlib
import json
import signal
import socket
import struct
import threading
import time
from pathlib import Path
from typing import Any

from slack_harness import ALICE, PUBLIC_CHANNEL, TEAM_ID, FakeSlackAPI, SlackServer

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


class FakeSocketModeEndpoint:
    """Accepts one WebSocket client, sends it envelopes, and records what it sends back."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.conn: socket.socket | None = None
        self.received: list[dict[str, Any]] = []
        self.connected = threading.Event()
        self._lock = threading.Condition()
        threading.Thread(target=self._serve, daemon=True).start()

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/link/?ticket=test"

    def _serve(self) -> None:
        conn, _ = self.server.accept()
        request = b""
        while b"\r\n\r\n" not in request:
            request += conn.recv(1024)
        key = next(line.split(":", 1)[1].strip() for line in request.decode().split("\r\n")
                   if line.lower().startswith("sec-websocket-key"))
        accept = base64.b64encode(hashlib.sha1((key + GUID).encode()).digest()).decode()
        conn.sendall(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                      f"Connection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n\r\n").encode())
        self.conn = conn
        self.connected.set()
        self._read_frames(conn)

    def _read_frames(self, conn: socket.socket) -> None:
        buffer = b""
        while True:
            try:
                chunk = conn.recv(65536)
            except OSError:
                return
            if not chunk:
                return
            buffer += chunk
            while (frame := _take_frame(buffer)) is not None:
                opcode, payload, buffer = frame
                if opcode == 0x9:  # ping: answer pong
                    self._send(0xA, payload)
                elif opcode == 0x1:
                    with self._lock:
                        self.received.append(json.loads(payload))
                        self._lock.notify_all()

    def _send(self, opcode: int, payload: bytes) -> None:
        assert self.conn is not None
        header = bytes([0x80 | opcode])
        if len(payload) < 126:
            header += bytes([len(payload)])
        elif len(payload) < 65536:
            header += bytes([126]) + struct.pack(">H", len(payload))
        else:
            header += bytes([127]) + struct.pack(">Q", len(payload))
        self.conn.sendall(header + payload)

    def send_envelope(self, envelope: dict[str, Any]) -> None:
        self._send(0x1, json.dumps(envelope).encode())

    def wait_for_ack(self, envelope_id: str, timeout: float = 10) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                for message in self.received:
                    if message.get("envelope_id") == envelope_id:
                        return message
                left = deadline - time.monotonic()
                assert left > 0, f"no ack for {envelope_id}; got {self.received}"
                self._lock.wait(left)

    def close(self) -> None:
        for sock in (self.conn, self.server):
            if sock is not None:
                sock.close()


def _take_frame(buffer: bytes) -> tuple[int, bytes, bytes] | None:
    """(opcode, unmasked payload, rest) of the first complete client frame, if any."""
    if len(buffer) < 2:
        return None
    opcode, length, at = buffer[0] & 0x0F, buffer[1] & 0x7F, 2
    if length == 126:
        if len(buffer) < 4:
            return None
        length, at = struct.unpack(">H", buffer[2:4])[0], 4
    elif length == 127:
        if len(buffer) < 10:
            return None
        length, at = struct.unpack(">Q", buffer[2:10])[0], 10
    masked = buffer[1] & 0x80
    mask = buffer[at:at + 4] if masked else b"\0\0\0\0"
    start = at + (4 if masked else 0)
    if len(buffer) < start + length:
        return None
    data = bytes(b ^ mask[i % 4] for i, b in enumerate(buffer[start:start + length]))
    return opcode, data, buffer[start + length:]


def command_envelope(envelope_id: str, text: str, fake: FakeSlackAPI,
                     trigger: str = "trigger.1") -> dict[str, Any]:
    return {"envelope_id": envelope_id, "type": "slash_commands",
            "accepts_response_payload": True,
            "payload": {"token": "x", "team_id": TEAM_ID, "team_domain": "fake",
                        "channel_id": PUBLIC_CHANNEL, "channel_name": "general",
                        "user_id": ALICE, "user_name": "alice", "command": "/scale",
                        "text": text, "api_app_id": "A0APP", "is_enterprise_install": "false",
                        "response_url": fake.response_url(), "trigger_id": trigger}}


def test_socket_mode_acks_over_the_socket_and_posts_through_the_web_api(
        fake_slack: FakeSlackAPI, tmp_path: Path) -> None:
    endpoint = FakeSocketModeEndpoint()
    fake_slack.respond_with("apps.connections.open", {"ok": True, "url": endpoint.url})
    server = SlackServer(fake_slack, tmp_path, env_overrides={
        "SLACK_APP_TOKEN": "xapp-1-test", "SLACK_SIGNING_SECRET": None})
    try:
        server.start_socket_mode()
        assert endpoint.connected.wait(20), server.log()
        endpoint.send_envelope(command_envelope("env-stage", "stage 50k", fake_slack))
        ack = endpoint.wait_for_ack("env-stage")
        assert "Stage 2" in json.dumps(ack.get("payload", {}))
        endpoint.send_envelope(command_envelope("env-dialog", "diagnose", fake_slack))
        endpoint.wait_for_ack("env-dialog")
        posts = fake_slack.wait_for("chat.postMessage", 2, timeout=15)
        assert "Roughly how many users" in posts[1].all_text()
        assert posts[1].args["thread_ts"]
        # One-shot advice goes out through the same outbox and delivery loop.
        endpoint.send_envelope(command_envelope("env-now", "diagnose users=50k db_cpu=90%",
                                                fake_slack, trigger="trigger.2"))
        endpoint.wait_for_ack("env-now")
        posts = fake_slack.wait_for("chat.postMessage", 3, timeout=15)
        assert "Stage 2: Growth" in posts[2].all_text()
        # SIGTERM closes the socket, lets the loop finish, and exits 0 without a traceback.
        assert server.proc is not None
        server.proc.send_signal(signal.SIGTERM)
        assert server.proc.wait(15) == 0
        assert "Traceback" not in server.log()
    finally:
        server.stop(kill=True)
        endpoint.close()
