"""Texts arriving together, as Twilio delivers them: none is lost, on SQLite and on PostgreSQL."""

from __future__ import annotations

import random
import threading
from collections.abc import Callable

import pytest
from flask import Flask
from sqlalchemy import func, select

from care.models import InboundMessage
from sms.handling import apology
from tests.sms.people import Texted, text
from web.context import EXTENSION_KEY, Hearthline

PAIRS = 20  # the probe that found the loss sent 20 pairs and lost 10


def _new_numbers(count: int) -> list[str]:
    """Numbers nobody has texted from before, even in a PostgreSQL database kept between runs."""
    picked = random.Random().sample(range(10**6), count)
    return [f"+1555{n:07d}" for n in picked]


@pytest.fixture(params=["sqlite", "postgresql"])
def app(request: pytest.FixtureRequest, make_app: Callable[..., Flask]) -> Flask:
    if request.param == "postgresql":
        return make_app(database_url=request.getfixturevalue("postgres_url"))
    return make_app()


def test_two_texts_at_once_from_a_new_number_are_both_kept_and_answered(app: Flask) -> None:
    hl: Hearthline = app.extensions[EXTENSION_KEY]
    answers: list[Texted] = []
    failures: list[BaseException] = []
    lock = threading.Lock()

    def deliver(phone: str, body: str, barrier: threading.Barrier) -> None:
        try:
            client = app.test_client()
            barrier.wait()
            answered = text(client, hl, phone, body)
            with lock:
                answers.append(answered)
        except BaseException as exc:  # a thread's failure must fail the test, not vanish
            with lock:
                failures.append(exc)

    threads = []
    for phone in _new_numbers(PAIRS):
        barrier = threading.Barrier(2)
        for body in ("Hello, my father needs help with his heating", "And with his shopping too please"):
            threads.append(threading.Thread(target=deliver, args=(phone, body, barrier)))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not failures, failures
    assert len(answers) == 2 * PAIRS
    sorry = apology(hl.settings)
    assert [a.reply for a in answers if a.reply == sorry] == []  # nobody was told "something went wrong"
    with hl.db.sessions() as session:
        kept = session.scalar(select(func.count()).where(InboundMessage.message_sid.in_([a.sid for a in answers])))
    assert kept == 2 * PAIRS
