"""The outbound webhooks as Twilio posts them: signed, idempotent, and a 400 for what Twilio never sends."""

from __future__ import annotations

from typing import Any

import pytest

from outreach.states import AttemptStatus
from tests.outreach.helpers import ask, attempt, recorder
from tests.twiml import parse_twiml
from web.context import Hearthline
from web.webhooks import sign

SID = "CA" + "7" * 32


def _post(client: Any, hl: Hearthline, path: str, form: dict[str, str], *, signed: bool = True) -> Any:
    headers = {"X-Twilio-Signature": sign(hl.settings, path, form) if signed else "forged"}
    return client.post(path, data=form, headers=headers)


def test_unsigned_outbound_webhooks_are_refused(client: Any, hearthline: Hearthline) -> None:
    recorder()
    attempt_id = ask(hearthline, "+15550005001")
    for path in ("answer", "reply", "status", "dialled"):
        response = _post(
            client, hearthline, f"/voice/outbound/{path}?attempt={attempt_id}", {"CallSid": SID}, signed=False
        )
        assert response.status_code == 403, path


@pytest.mark.parametrize(
    ("query", "form"),
    [
        ("attempt=%C2%B2", {"CallSid": SID, "CallStatus": "ringing"}),  # "²": isdigit, yet int() fails
        ("attempt=999999", {"CallSid": SID, "CallStatus": "ringing"}),
        ("attempt={id}", {"CallSid": "CA" + "x" * 3000, "CallStatus": "ringing"}),
        ("attempt={id}", {"CallSid": "CA한국", "CallStatus": "ringing"}),
        ("attempt={id}", {"CallSid": SID, "CallStatus": "exploded"}),
    ],
)
def test_a_status_twilio_never_sends_is_a_400_and_changes_nothing(
    client: Any, hearthline: Hearthline, query: str, form: dict[str, str]
) -> None:
    recorder()
    attempt_id = ask(hearthline, "+15550005002")
    response = _post(client, hearthline, "/voice/outbound/status?" + query.format(id=attempt_id), form)
    assert response.status_code == 400
    assert attempt(hearthline, attempt_id).status == AttemptStatus.QUEUED


def test_a_repeated_answer_delivery_keeps_the_first_answer_and_says_the_same(
    client: Any, hearthline: Hearthline
) -> None:
    programme = recorder()
    attempt_id = ask(hearthline, "+15550005003")
    first = parse_twiml(
        _post(
            client,
            hearthline,
            f"/voice/outbound/answer?attempt={attempt_id}",
            {"CallSid": SID, "AnsweredBy": "human", "CallStatus": "in-progress"},
        )
    )
    gather = next(verb for verb in first if verb.tag == "Gather")
    assert gather.attrs["action"] == f"/voice/outbound/reply?attempt={attempt_id}&t=1&via=keys"
    path = f"/voice/outbound/reply?attempt={attempt_id}&t=1&via=keys"
    once = _post(client, hearthline, path, {"CallSid": SID, "Digits": "1"})
    again = _post(client, hearthline, path, {"CallSid": SID, "Digits": "2"})  # a late, different delivery
    assert once.get_data() == again.get_data()
    row = attempt(hearthline, attempt_id)
    assert (row.answer, row.status) == ("yes", AttemptStatus.IN_PROGRESS)
    for _ in range(2):  # Twilio may post the final status twice: the handler still runs once
        assert (
            _post(
                client,
                hearthline,
                f"/voice/outbound/status?attempt={attempt_id}",
                {"CallSid": SID, "CallStatus": "completed"},
            ).status_code
            == 204
        )
    assert [(v.id, v.answer) for v in programme.outcomes] == [(attempt_id, "yes")]
    # A callback about another call for this attempt is not believed.
    assert (
        _post(
            client,
            hearthline,
            f"/voice/outbound/reply?attempt={attempt_id}&t=1&via=keys",
            {"CallSid": "CA" + "8" * 32, "Digits": "2"},
        ).status_code
        == 400
    )


def test_a_handler_that_fails_runs_again_on_the_next_pass_and_only_then(client: Any, hearthline: Hearthline) -> None:
    from outreach.outcomes import run_due_handlers

    programme = recorder()
    programme.fail_next = 1
    attempt_id = ask(hearthline, "+15550005004")
    assert (
        _post(
            client, hearthline, f"/voice/outbound/status?attempt={attempt_id}", {"CallSid": SID, "CallStatus": "busy"}
        ).status_code
        == 204
    )
    row = attempt(hearthline, attempt_id)
    assert row.status == AttemptStatus.BUSY and row.handled_at is None and programme.outcomes == []
    assert run_due_handlers(hearthline.db) == 1
    assert run_due_handlers(hearthline.db) == 0
    assert [(v.id, v.status) for v in programme.outcomes] == [(attempt_id, AttemptStatus.BUSY)]
