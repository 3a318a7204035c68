"""Shared helpers of the outreach tests: the app served over HTTP for the stand-in, a recording programme."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.serving import BaseWSGIServer, make_server

from intents import Intent
from outreach.attempts import enqueue
from outreach.models import CallAttempt
from outreach.registry import register
from outreach.script import Choice, Question, Script, Then
from outreach.states import Purpose
from outreach.view import AttemptView
from simulator.twilio_standin import TwilioStandIn
from tests.conftest import PUBLIC_BASE_URL
from voice.dialogue import Speak
from web.context import EXTENSION_KEY, Hearthline

WAIT_SECONDS = 20


@contextmanager
def served(app: Flask, standin: TwilioStandIn) -> Iterator[Hearthline]:
    """Serve the app on 127.0.0.1 and have the stand-in post our public URLs there, as Twilio would."""
    server: BaseWSGIServer = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True, name="outreach-app"
    )
    thread.start()
    standin.calls.routes[PUBLIC_BASE_URL] = f"http://127.0.0.1:{server.server_port}"
    try:
        yield app.extensions[EXTENSION_KEY]
    finally:
        standin.calls.wait_all(5)
        server.shutdown()
        server.server_close()


def wait_for(condition: Callable[[], bool], what: str, seconds: float = WAIT_SECONDS) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


@dataclass
class Recorder:
    """A test programme (a crisis-style "are you safe?" call) that records each outcome it is handed."""

    outcomes: list[AttemptView] = field(default_factory=list)
    fail_next: int = 0

    def script(self, view: AttemptView) -> Script:
        return Script(
            message=(Speak("voice.outreach.confirm.intro"),),
            question=Question(
                prompts=(Speak("voice.outreach.confirm.question", (("service", "meals"), ("reference", "501451"))),),
                choices=(
                    Choice("1", "yes", Intent.YES, reply=(Speak("voice.outreach.confirm.closed"),)),
                    Choice("2", "no", Intent.NO, reply=(Speak("voice.outreach.confirm.reopened"),)),
                    Choice("9", "help", None, then=Then.PERSON),
                ),
                tries=2,
            ),
        )

    def on_outcome(self, session: Session, view: AttemptView) -> None:
        if self.fail_next > 0:
            self.fail_next -= 1
            raise RuntimeError("handler failed on purpose")
        self.outcomes.append(view)


def recorder(purpose: Purpose = Purpose.CRISIS) -> Recorder:
    found = Recorder()
    register(purpose, script=found.script, on_outcome=found.on_outcome)
    return found


def ask(
    hl: Hearthline, phone: str, *, key: str | None = None, priority: int = 0, purpose: Purpose = Purpose.CRISIS
) -> int:
    with hl.db.transaction() as session:
        row = enqueue(
            session,
            key=key or f"test:{phone}",
            purpose=purpose,
            to_phone=phone,
            locale="en",
            subject_id=1,
            priority=priority,
        )
        return row.id


def attempt(hl: Hearthline, attempt_id: int) -> CallAttempt:
    with hl.db.sessions() as session:
        row = session.get(CallAttempt, attempt_id)
        assert row is not None
        session.expunge(row)
        return row


def all_attempts(hl: Hearthline) -> list[CallAttempt]:
    with hl.db.sessions() as session:
        rows = list(session.scalars(select(CallAttempt).order_by(CallAttempt.id)))
        for row in rows:
            session.expunge(row)
        return rows


def said(hl: Hearthline, call_sid: str) -> str:
    """Every sentence our answers said on this call, in order (kept as the hotline keeps its own)."""
    from care.models import CallState

    with hl.db.sessions() as session:
        row = session.get(CallState, call_sid)
        return " ".join(row.state.get("said", [])) if row is not None else ""
