"""A local stand-in of the parts of Twilio's REST API we use (Messages, Recordings, Calls), over real HTTP.

Used by the tests, the call simulator and the browser simulator, so the real `twilio` client and the real
recording download run unchanged against it. It can fail on purpose: be down, answer 5xx, or say a
recording is not ready yet.
"""

from __future__ import annotations

import base64
import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

from werkzeug.serving import BaseWSGIServer, make_server
from werkzeug.wrappers import Request, Response

from simulator.standin_calls import CallNetwork

API = "/2010-04-01/Accounts/"
# The stand-in's own control endpoint (Twilio has none like it): POST a WAV, get the RecordingUrl to post.
CONTROL_RECORDINGS = "/_standin/Recordings"
# Control endpoints for a browser simulator page at a number (not Twilio APIs either): GET the calls ringing
# it (which also tells the stand-in the page is there), POST .../<CallSid>/answer | decline | hangup.
CONTROL_RINGING = "/_standin/Ringing"
CONTROL_PAGE_CALLS = "/_standin/PageCalls/"
PAGE_ACTIONS = frozenset({"answer", "decline", "hangup"})


@dataclass
class StoredRecording:
    wav: bytes
    not_ready_fetches: int = 0  # answer 404 this many times first, as Twilio does right after <Record>
    fetches: int = 0


@dataclass
class TwilioStandIn:
    """The state of the fake Twilio; start() serves it on 127.0.0.1 and returns its base URL."""

    account_sid: str
    auth_token: str
    messages: list[dict[str, str]] = field(default_factory=list)
    recordings: dict[str, StoredRecording] = field(default_factory=dict)
    deleted_recordings: list[str] = field(default_factory=list)
    down: bool = False  # every API request answers 503
    # Every request waits this long before it is answered, as when Twilio's API hangs (set it back to 0 to
    # release the requests already waiting).
    hang_seconds: float = 0.0
    fail_next: int = 0  # the next N message posts answer 500
    refused_numbers: set[str] = field(default_factory=set)  # message posts to these answer 400 (invalid To)
    # Slow answers to message posts, to let a test kill a worker mid-send: the message is accepted (stored)
    # first and the 201 held back for this long when `accept_before_delay`, else held back before storing.
    message_delay_seconds: float = 0.0
    accept_before_delay: bool = True
    # Slow answers to call posts, as for messages: placed (and driven) first, the 201 held back this long.
    call_delay_seconds: float = 0.0
    log: list[tuple[str, str, int]] = field(default_factory=list)
    network: CallNetwork | None = None
    _server: BaseWSGIServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    def __post_init__(self) -> None:
        if self.network is None:
            self.network = CallNetwork(self.account_sid, self.auth_token)
            self.network.record_wav = self.add_recording

    @property
    def calls(self) -> CallNetwork:
        """The calls placed through the stand-in, its number plan and where it posts our webhooks."""
        assert self.network is not None
        return self.network

    # --- control -------------------------------------------------------------------------------------
    def start(self, port: int = 0) -> str:
        """Serve on 127.0.0.1 (`port` 0: any free port; the browser simulator asks for a configured one)."""
        self._server = make_server("127.0.0.1", port, self._wsgi, threaded=True)
        # It checks for stop() every 50 ms, not serve_forever's default 0.5 s: each test starts and stops one.
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True, name="twilio-standin"
        ).start()
        return self.base_url

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def base_url(self) -> str:
        assert self._server is not None, "start() the stand-in first"
        return f"http://127.0.0.1:{self._server.server_port}"

    def add_recording(self, wav: bytes, not_ready_fetches: int = 0) -> str:
        """Store a recording; return the RecordingUrl Twilio would post (no extension, like Twilio's)."""
        sid = f"RE{next(self._ids):032x}"
        with self._lock:
            self.recordings[sid] = StoredRecording(wav, not_ready_fetches)
        return f"{self.base_url}{API}{self.account_sid}/Recordings/{sid}"

    def messages_to(self, phone: str) -> list[str]:
        with self._lock:
            return [m["Body"] for m in self.messages if m["To"] == phone]

    # --- HTTP ----------------------------------------------------------------------------------------
    def _wsgi(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        response = self._handle(request)
        with self._lock:
            self.log.append((request.method, request.path, response.status_code))
        return response(environ, start_response)

    def _authorised(self, request: Request) -> bool:
        expected = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        return request.headers.get("Authorization", "") == f"Basic {expected}"

    def _hang(self) -> None:
        started = time.monotonic()
        while time.monotonic() - started < self.hang_seconds:
            time.sleep(0.05)

    def _handle(self, request: Request) -> Response:
        self._hang()
        # Down means Twilio's API is down; the phone side (a caller's speech stored by the simulator) still works.
        if self.down and request.path != CONTROL_RECORDINGS:
            return _json({"code": 20503, "message": "Service unavailable"}, 503)
        if not self._authorised(request):
            return _json({"code": 20003, "message": "Authenticate"}, 401)
        if request.path == CONTROL_RECORDINGS and request.method == "POST":
            return self._upload_recording(request)
        if request.path == CONTROL_RINGING and request.method == "GET":
            ringing = self.calls.ringing_at(request.args.get("To", ""))
            return _json({"calls": [{"sid": c.sid, "from": c.from_, "url": c.url} for c in ringing]}, 200)
        if request.path.startswith(CONTROL_PAGE_CALLS) and request.method == "POST":
            return self._page_call(request.path.removeprefix(CONTROL_PAGE_CALLS))
        prefix = f"{API}{self.account_sid}/"
        if not request.path.startswith(prefix):
            return _json({"code": 20404, "message": "Not found"}, 404)
        resource = request.path.removeprefix(prefix)
        if resource == "Messages.json" and request.method == "POST":
            return self._create_message(request)
        if resource == "Messages.json" and request.method == "GET":
            return self._list_messages(request)
        if resource == "Calls.json" and request.method == "POST":
            return self._create_call(request)
        if resource == "Calls.json" and request.method == "GET":
            return self._list_calls(request)
        if resource.startswith("Calls/") and resource.endswith(".json") and request.method == "GET":
            return self._get_call(resource.removeprefix("Calls/").removesuffix(".json"))
        if resource.startswith("Recordings/"):
            return self._recording(request, resource.removeprefix("Recordings/"))
        return _json({"code": 20404, "message": "Not found"}, 404)

    def _create_message(self, request: Request) -> Response:
        delay = self.message_delay_seconds
        if delay and not self.accept_before_delay:
            time.sleep(delay)
        response = self._accept_message(request)
        if delay and self.accept_before_delay:
            time.sleep(delay)
        return response

    def _list_messages(self, request: Request) -> Response:
        """GET Messages.json filtered by To and From, newest first, as Twilio pages it (one page here)."""
        to, sender = request.args.get("To"), request.args.get("From")
        with self._lock:
            found = [
                m
                for m in reversed(self.messages)
                if (to is None or m["To"] == to) and (sender is None or m.get("From") == sender)
            ]
        page = [
            {
                "sid": m["sid"],
                "account_sid": self.account_sid,
                "to": m["To"],
                "from": m.get("From", ""),
                "body": m["Body"],
                "status": "delivered",
                "date_created": m.get("DateCreated", ""),
            }
            for m in found
        ]
        uri = f"{API}{self.account_sid}/Messages.json"
        return _json({"messages": page, "page": 0, "page_size": len(page), "uri": uri, "next_page_uri": None}, 200)

    def _accept_message(self, request: Request) -> Response:
        with self._lock:
            if self.fail_next > 0:
                self.fail_next -= 1
                return _json({"code": 20500, "message": "Internal error"}, 500)
            if request.form.get("To") in self.refused_numbers:
                return _json({"code": 21211, "message": "The 'To' number is not a valid phone number."}, 400)
            if not request.form.get("To") or not request.form.get("Body"):
                return _json({"code": 21604, "message": "A 'To' phone number and a Body are required."}, 400)
            sid = f"SM{next(self._ids):032x}"
            message = {"sid": sid, **request.form.to_dict(), "DateCreated": format_datetime(datetime.now(UTC), True)}
            self.messages.append(message)
        return _json(
            {
                "sid": sid,
                "account_sid": self.account_sid,
                "to": message["To"],
                "from": message.get("From", ""),
                "body": message["Body"],
                "status": "queued",
                "num_segments": "1",
            },
            201,
        )

    def _upload_recording(self, request: Request) -> Response:
        """Not a Twilio API: the browser simulator (another process or thread) stores a caller's WAV here."""
        wav = request.get_data()
        if not wav.startswith(b"RIFF"):
            return _json({"code": 20400, "message": "expected a WAV body"}, 400)
        return _json({"recording_url": self.add_recording(wav)}, 201)

    def _page_call(self, rest: str) -> Response:
        """The simulator page answers, declines or hangs up a call placed to its number."""
        sid, _, action = rest.partition("/")
        if action not in PAGE_ACTIONS:
            return _json({"code": 20404, "message": "Not found"}, 404)
        call = self.calls.hang_up(sid) if action == "hangup" else self.calls.pick_up(sid, answer=action == "answer")
        if call is None:
            return _json({"code": 21220, "message": f"Call {sid} is not ringing this page"}, 409)
        return _json({"sid": call.sid, "to": call.to, "from": call.from_, "url": call.url}, 200)

    def _create_call(self, request: Request) -> Response:
        """POST Calls.json: place the call (the number plan decides what happens) and answer 201."""
        with self._lock:
            if self.fail_next > 0:
                self.fail_next -= 1
                return _json({"code": 20500, "message": "Internal error"}, 500)
        form = request.form
        if form.get("To") in self.refused_numbers:
            return _json({"code": 21211, "message": "The 'To' number is not a valid phone number."}, 400)
        if not form.get("To") or not form.get("From") or not form.get("Url"):
            return _json({"code": 21205, "message": "To, From and Url are required."}, 400)
        call = self.calls.create(form.to_dict(), form.getlist("StatusCallbackEvent"))
        if self.call_delay_seconds:
            time.sleep(self.call_delay_seconds)
        return _json(call.resource(self.account_sid), 201)

    def _list_calls(self, request: Request) -> Response:
        """GET Calls.json filtered by To and From, newest first (one page)."""
        found = self.calls.find(request.args.get("To"), request.args.get("From"))
        page = [call.resource(self.account_sid) for call in found]
        uri = f"{API}{self.account_sid}/Calls.json"
        return _json({"calls": page, "page": 0, "page_size": len(page), "uri": uri, "next_page_uri": None}, 200)

    def _get_call(self, sid: str) -> Response:
        call = self.calls.get(sid)
        if call is None:
            return _json({"code": 20404, "message": f"Call {sid} not found"}, 404)
        return _json(call.resource(self.account_sid), 200)

    def _recording(self, request: Request, name: str) -> Response:
        sid = name.split(".", 1)[0]
        with self._lock:
            stored = self.recordings.get(sid)
            if stored is None:
                return _json({"code": 20404, "message": f"Recording {sid} not found"}, 404)
            if request.method == "DELETE":
                del self.recordings[sid]
                self.deleted_recordings.append(sid)
                return Response(status=204)
            if request.method != "GET":
                return _json({"code": 20004, "message": "Method not allowed"}, 405)
            stored.fetches += 1
            if stored.fetches <= stored.not_ready_fetches:
                return _json({"code": 20404, "message": "The requested resource was not found"}, 404)
            wav = stored.wav
        return Response(wav, mimetype="audio/x-wav")


def _json(body: dict[str, Any], status: int) -> Response:
    return Response(json.dumps(body), status=status, mimetype="application/json")
