"""The browser phone's Media Stream, server side: the page's WebSocket at /simulator/call/<sid>/stream speaks
Twilio's side of the stream, and the simulator relays it to the app's /voice/stream signed as Twilio signs it."""

from __future__ import annotations

import base64
import contextlib
import json
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
from flask import Flask
from simple_websocket import Client, ConnectionClosed, ConnectionError
from werkzeug.serving import make_server

from tests.voice.test_routes import ALWAYS_OPEN
from voice import mulaw

STREAMING = {**ALWAYS_OPEN, "voice_path": "stream"}
CALLER = "+12025550111"


@pytest.fixture
def served(make_app: Callable[..., Flask]) -> Iterator[Callable[..., str]]:
    servers = []

    def serve(**settings: Any) -> str:
        server = make_server("127.0.0.1", 0, make_app(**settings), threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"127.0.0.1:{server.server_port}"

    yield serve
    for server in servers:
        server.shutdown()
        server.server_close()


def _page(host: str) -> tuple[requests.Session, str]:
    """The simulator page's cookie and token, as the page's script holds them."""
    session = requests.Session()
    assert session.get(f"http://{host}/simulator/", timeout=10).status_code == 200
    return session, session.cookies["hearthline_simulator"]


def _call(host: str, session: requests.Session, token: str) -> dict[str, Any]:
    answer = session.post(
        f"http://{host}/simulator/call", data={"from": CALLER}, headers={"X-Simulator-Token": token}, timeout=30
    )
    assert answer.status_code == 200, answer.text
    return answer.json()  # type: ignore[no-any-return]


class PageLine:
    """What the page's script does on the stream, without the browser: 20 ms frames of line silence."""

    def __init__(self, host: str, sid: str, token: str, headers: dict[str, str]) -> None:
        self.ws = Client.connect(f"ws://{host}/simulator/call/{sid}/stream?token={token}", headers=headers)
        self.received: list[dict[str, Any]] = []
        self.closed = threading.Event()
        self.ws.send(json.dumps({"event": "connected", "protocol": "Call", "version": "1.0.0"}))
        media = {"encoding": "audio/x-mulaw", "sampleRate": mulaw.RATE, "channels": 1}
        self.ws.send(json.dumps({"event": "start", "start": {"tracks": ["inbound"], "mediaFormat": media}}))
        threading.Thread(target=self._receive, daemon=True).start()
        threading.Thread(target=self._line, daemon=True).start()

    def _receive(self) -> None:
        try:
            while True:
                raw = self.ws.receive(timeout=1)
                if raw is not None:
                    message = json.loads(raw)
                    # Marks are not answered: this page's prompts are still playing when it presses a key.
                    self.received.append(message)
        except ConnectionClosed:
            self.closed.set()

    def _line(self) -> None:
        silence = base64.b64encode(b"\xff" * mulaw.FRAME_BYTES).decode()
        while not self.closed.is_set():
            self.send({"event": "media", "media": {"track": "inbound", "payload": silence}})
            time.sleep(0.02)

    def send(self, message: dict[str, Any]) -> None:
        try:
            self.ws.send(json.dumps(message))
        except ConnectionClosed:
            self.closed.set()

    def events(self, name: str) -> list[dict[str, Any]]:
        return [m for m in list(self.received) if m["event"] == name]

    def wait_for(self, condition: Callable[[], bool], seconds: float = 15) -> bool:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if condition():
                return True
            time.sleep(0.02)
        return condition()


def test_the_pages_stream_is_relayed_to_the_app_keys_clear_the_prompt_and_turns_are_told(
    served: Callable[..., str],
) -> None:
    host = served(**STREAMING)
    session, token = _page(host)
    answer = _call(host, session, token)
    assert answer["wait"]["kind"] == "stream"
    # simple_websocket sends a Host without the port; a browser's Origin matches the Host it sends.
    cookie = {"Cookie": f"hearthline_simulator={token}", "Origin": "http://127.0.0.1"}
    line = PageLine(host, answer["call_sid"], token, cookie)
    try:
        assert line.wait_for(lambda: len(line.events("media")) > 10), "the language menu does not play"
        line.send({"event": "dtmf", "dtmf": {"digit": "1"}})  # English, over the menu
        assert line.wait_for(lambda: bool(line.events("hearthline.turn")))
        assert line.events("clear"), "the key did not stop the prompt"
        (turn,) = line.events("hearthline.turn")
        assert turn["log"] == ["Pressed 1"] and turn["captions"]
        line.send({"event": "dtmf", "dtmf": {"digit": "0"}})  # a person: a dial, which the stream cannot play
        assert line.closed.wait(15), "the app did not end the stream for the transfer"
    finally:
        with contextlib.suppress(ConnectionClosed):  # closed by the relay already
            line.ws.close()
    ended = session.post(
        f"http://{host}/simulator/call/{answer['call_sid']}/stream/ended",
        headers={"X-Simulator-Token": token},
        timeout=30,
    )
    assert ended.status_code == 200 and ended.json()["wait"]["kind"] == "dial"


def test_the_stream_upgrade_needs_the_pages_token_and_origin(served: Callable[..., str]) -> None:
    host = served(**STREAMING)
    session, token = _page(host)
    sid = _call(host, session, token)["call_sid"]
    cookie = {"Cookie": f"hearthline_simulator={token}"}
    with pytest.raises(ConnectionError, match="403"):  # no token in the query: refused before any WebSocket
        Client.connect(f"ws://{host}/simulator/call/{sid}/stream", headers=cookie)
    with pytest.raises(ConnectionError, match="403"):  # another site's page (WebSockets ignore same-origin)
        Client.connect(
            f"ws://{host}/simulator/call/{sid}/stream?token={token}", headers={**cookie, "Origin": "http://evil.test"}
        )


def test_the_stream_endpoint_is_not_there_when_the_simulator_is_off(served: Callable[..., str]) -> None:
    host = served(simulator_enabled=False, **STREAMING)
    response = requests.get(
        f"http://{host}/simulator/call/CA{'0' * 32}/stream?token=x",
        headers={
            "Connection": "Upgrade",
            "Upgrade": "websocket",
            "Sec-WebSocket-Version": "13",
            "Sec-WebSocket-Key": base64.b64encode(b"0123456789abcdef").decode(),
        },
        timeout=10,
    )
    assert response.status_code == 404


def test_a_page_that_does_not_speak_twilios_stream_is_closed_without_an_error(
    served: Callable[..., str], caplog: pytest.LogCaptureFixture
) -> None:
    host = served(**STREAMING)
    session, token = _page(host)
    sid = _call(host, session, token)["call_sid"]
    headers = {"Cookie": f"hearthline_simulator={token}", "Origin": "http://127.0.0.1"}
    with caplog.at_level("ERROR"):
        ws = Client.connect(f"ws://{host}/simulator/call/{sid}/stream?token={token}", headers=headers)
        ws.send("not a stream message")
        with pytest.raises(ConnectionClosed):
            while True:
                ws.receive(timeout=5)
    assert not [r for r in caplog.records if r.levelname == "ERROR"], caplog.text
