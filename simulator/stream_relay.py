"""The browser phone's Media Stream: the page's microphone and speaker on a call's stream, signed as Twilio signs.

A browser cannot sign a WebSocket upgrade (it sets no headers), and must never hold the auth token or the
stream's token. So the page speaks Twilio's side of the stream to the simulator (`connected`, `start`, a `media`
message every 20 ms of 8 kHz μ-law, `dtmf`, `mark`, `stop`), and this relay opens the app's own /voice/stream as
the local stand-in does (simulator.media_stream): the upgrade signed with the auth token for the wss:// URL of
the <Stream>, the `start` carrying the account, the call and the <Parameter>s of the TwiML the call emulator
followed. What the app sends (media, mark, clear) goes to the page as it is; when a turn was taken, the page is
also told what the hotline heard and said (`hearthline.turn`, for its call log).
"""

from __future__ import annotations

import contextlib
import json
import logging
import secrets
import threading
from typing import Any

from flask import Flask
from simple_websocket import Client, ConnectionClosed, Server
from twilio.request_validator import RequestValidator
from werkzeug.serving import BaseWSGIServer, make_server

from care.models import CallState
from i18n.messages import translate
from simulator.phone import PhoneCall
from simulator.twiml_follow import WaitKind
from voice import mulaw
from voice.stream_auth import STREAM_PATH

log = logging.getLogger(__name__)

# Twilio's side sends these; the page may send nothing else (the relay fills in `connected` and `start` itself).
FROM_PAGE = frozenset({"media", "dtmf", "mark", "stop"})
DIGITS = frozenset("0123456789*#")
# One media message carries 20 ms (160 bytes of μ-law, 216 characters of base64); more is not a phone line.
MAX_PAYLOAD_CHARS = 1024
# The page sends a frame every 20 ms while the call is up; this long without one, it has gone (a closed tab).
RECEIVE_TIMEOUT_SECONDS = 10.0

_servers: dict[int, BaseWSGIServer] = {}
_servers_lock = threading.Lock()


class PageRefused(ValueError):
    """The page sent what Twilio's side of a stream never sends."""


def local_port(app: Flask) -> int:
    """The port of a local threaded server of `app`, started once: the relay's way to /voice/stream, whatever
    server (and proxy) serves the page itself."""
    with _servers_lock:
        server = _servers.get(id(app))
        if server is None:
            server = make_server("127.0.0.1", 0, app, threaded=True)
            threading.Thread(target=server.serve_forever, daemon=True, name="simulator-stream").start()
            _servers[id(app)] = server
        return int(server.server_port)


def checked(raw: str) -> dict[str, Any]:
    """One message of the page's, as Twilio's side would send it; PageRefused for anything else."""
    try:
        message = json.loads(raw)
    except ValueError as exc:
        raise PageRefused(f"not JSON: {exc}") from exc
    if not isinstance(message, dict) or message.get("event") not in FROM_PAGE:
        raise PageRefused(f"unexpected message {str(message)[:80]!r}")
    event = message["event"]
    if event == "media":
        payload = (message.get("media") or {}).get("payload")
        if not isinstance(payload, str) or len(payload) > MAX_PAYLOAD_CHARS:
            raise PageRefused("media without a 20 ms payload")
        return {"event": "media", "media": {"track": "inbound", "payload": payload}}
    if event == "dtmf":
        digit = (message.get("dtmf") or {}).get("digit")
        if digit not in DIGITS:
            raise PageRefused(f"dtmf digit {digit!r}")
        return {"event": "dtmf", "dtmf": {"track": "inbound_track", "digit": digit}}
    if event == "mark":
        name = (message.get("mark") or {}).get("name")
        if not isinstance(name, str) or len(name) > 200:
            raise PageRefused("mark without a name")
        return {"event": "mark", "mark": {"name": name}}
    return {"event": "stop"}


class StreamRelay:
    """One call's stream between the page (a WebSocket to the simulator) and the app's /voice/stream."""

    def __init__(self, page: Server, app: Flask, call: PhoneCall, locale: str) -> None:
        self.page = page
        self.app = app
        self.call = call
        self.locale = locale  # the page's language (its call log)
        self.stream_sid = "MZ" + secrets.token_hex(16)
        self.sequence = 0
        self.turns = self._state()[0]
        self.lock = threading.Lock()

    def run(self) -> None:
        wait = self.call.wait
        if wait is None or wait.kind is not WaitKind.STREAM:
            return
        try:
            self._page_start()
        except (PageRefused, ConnectionClosed) as exc:
            log.info("simulator stream %s: no start from the page (%s)", self.call.sid, exc)
            return
        settings = self.call.settings
        signature = RequestValidator(settings.twilio_auth_token).compute_signature(wait.url, {})
        url = f"ws://127.0.0.1:{local_port(self.app)}{STREAM_PATH}"
        try:
            to_app = Client.connect(url, headers={"X-Twilio-Signature": signature})
        except Exception as exc:  # the app refused the stream (or is gone): the page's onclose carries on by TwiML
            log.warning("simulator stream %s: the app's stream did not open: %s", self.call.sid, exc)
            with contextlib.suppress(Exception):
                self.page.close()
            return
        pump = threading.Thread(target=self._to_page, args=(to_app,), daemon=True, name="simulator-stream-out")
        try:
            self._send(to_app, {"event": "connected", "protocol": "Call", "version": "1.0.0"})
            self._send(
                to_app,
                {
                    "event": "start",
                    "start": {
                        "streamSid": self.stream_sid,
                        "accountSid": settings.twilio_account_sid,
                        "callSid": self.call.sid,
                        "tracks": ["inbound"],
                        "customParameters": dict(wait.parameters),
                        "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": mulaw.RATE, "channels": 1},
                    },
                },
            )
            pump.start()
            while True:
                raw = self.page.receive(timeout=RECEIVE_TIMEOUT_SECONDS)
                if raw is None:
                    log.info("simulator stream %s: the page went quiet", self.call.sid)
                    return
                message = checked(str(raw))
                self._send(to_app, message)
                if message["event"] == "stop":
                    return
        except PageRefused as exc:
            log.warning("simulator stream %s: %s", self.call.sid, exc)
        except ConnectionClosed:
            pass  # either side closed it: the other is closed below
        finally:
            with contextlib.suppress(Exception):
                to_app.close()
            if pump.is_alive():
                pump.join(timeout=2)
            with contextlib.suppress(Exception):
                self.page.close()

    def _page_start(self) -> None:
        """`connected` (optional) then `start` in the μ-law 8 kHz format Twilio streams."""
        while True:
            raw = self.page.receive(timeout=RECEIVE_TIMEOUT_SECONDS)
            if raw is None:
                raise PageRefused("no start")
            try:
                message = json.loads(raw)
            except ValueError as exc:
                raise PageRefused(f"not JSON: {exc}") from exc
            if not isinstance(message, dict):
                raise PageRefused("not a message")
            if message.get("event") == "connected":
                continue
            if message.get("event") != "start":
                raise PageRefused(f"expected start, got {message.get('event')!r}")
            media = (message.get("start") or {}).get("mediaFormat") or {}
            if media.get("encoding") != "audio/x-mulaw" or media.get("sampleRate") != mulaw.RATE:
                raise PageRefused(f"unexpected media format {media}")
            return

    def _send(self, ws: Client, message: dict[str, Any]) -> None:
        with self.lock:
            self.sequence += 1
            stamped = {**message, "sequenceNumber": str(self.sequence)}
            if message["event"] != "connected":
                stamped["streamSid"] = self.stream_sid
        ws.send(json.dumps(stamped))

    def _to_page(self, to_app: Client) -> None:
        """The app's media, marks and clears to the page; after each mark or clear, a turn taken (if any)."""
        try:
            while True:
                raw = to_app.receive(timeout=RECEIVE_TIMEOUT_SECONDS * 6)
                if raw is None:
                    continue
                message = json.loads(raw)
                event = message.get("event")
                if event in ("media", "mark", "clear"):
                    forwarded = {"event": event}
                    if event in message:  # media.payload, mark.name (clear carries nothing)
                        forwarded[event] = message[event]
                    self.page.send(json.dumps(forwarded))
                if event in ("mark", "clear"):
                    self._turn_news()
        except ConnectionClosed:
            pass  # the app ended the stream (a turn it plays by TwiML) or the page hung up
        finally:
            with contextlib.suppress(Exception):
                self._turn_news()
                self.page.close()

    def _state(self) -> tuple[int, dict[str, Any]]:
        hl = self.call.hl
        with hl.db.sessions() as session:
            row = session.get(CallState, self.call.sid)
            return (0, {}) if row is None else (int(row.turns or 0), dict(row.state))

    def _turn_news(self) -> None:
        turns, state = self._state()
        if turns <= self.turns:
            return
        self.turns = turns
        last = state.get("last") or {}
        heard = last.get("heard") or {}
        lines = []
        if heard.get("source") == "keypad":
            lines.append(translate("web", "sim.log.pressed", self.locale, digits=heard.get("text", "")))
        elif heard.get("text"):
            lines.append(translate("web", "sim.log.heard", self.locale, text=heard["text"]))
        elif not heard.get("source"):
            lines.append(translate("web", "sim.log.silence", self.locale))
        news = {"event": "hearthline.turn", "turn": turns, "log": lines, "captions": list(last.get("spoken", []))}
        self.page.send(json.dumps(news))
