"""The care domain on a real database: life cycle, append-only history, notices in each language, reminders."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from care import directory
from care.delivery import DeliveryPolicy
from care.hours import ServiceHours
from care.lifecycle import RequestAction, TransitionRefused, allowed_actions, next_status
from care.models import (
    Channel,
    HistoryIsAppendOnly,
    Notification,
    RequesterKind,
    RequestEvent,
    RequestStatus,
    Senior,
    ServiceRequest,
    utcnow,
)
from care.notices import callback_reminders
from care.people import family_of, identify, linked_seniors, staff_for_team
from care.requests import NewRequest, apply_action, create_request, open_requests, rate
from care.segments import Encoding, segment_info
from care.settings import SettingsError, load_settings
from tests.sms.people import ANN, CARMEN, JIN, KIM, LI, MARY, ROSA, SAM, STAFF_ON_CALL, WANG, add_people
from web.context import Hearthline

S = RequestStatus


@pytest.fixture
def people(hearthline: Hearthline) -> Hearthline:
    add_people(hearthline)
    return hearthline


def _senior(hl: Hearthline, phone: str) -> int:
    with hl.db.sessions() as s:
        found = s.scalar(select(Senior.id).where(Senior.phone == phone))
        assert found is not None
        return found


def _new(hl: Hearthline, intent: str, senior_phone: str, requester: str, key: str, locale: str = "en") -> int:
    with hl.db.transaction() as s:
        request, created = create_request(
            s,
            NewRequest(
                intent=intent,
                channel=Channel.SMS,
                requester_phone=requester,
                source_key=key,
                requester_kind=RequesterKind.FAMILY,
                senior_id=_senior(hl, senior_phone),
                locale=locale,
                transcript="test",
            ),
            zone=hl.settings.zone,
        )
        assert created
        return request.id


# --- life cycle ---------------------------------------------------------------------------------------------------
def test_life_cycle_transitions() -> None:
    assert next_status(S.NEW, RequestAction.ASSIGN) is S.ASSIGNED
    assert next_status(S.ASSIGNED, RequestAction.START) is S.IN_PROGRESS
    assert next_status(S.IN_PROGRESS, RequestAction.RESOLVE) is S.RESOLVED
    assert next_status(S.RESOLVED, RequestAction.CLOSE) is S.CLOSED
    assert next_status(S.CLOSED, RequestAction.REOPEN) is S.REOPENED
    assert allowed_actions(S.RESOLVED) == [RequestAction.CLOSE, RequestAction.REOPEN]
    for status, action in [
        (S.NEW, RequestAction.CLOSE),
        (S.IN_PROGRESS, RequestAction.CLOSE),
        (S.CLOSED, RequestAction.START),
        (S.NEW, RequestAction.REOPEN),
    ]:
        with pytest.raises(TransitionRefused):
            next_status(status, action)


def test_same_source_key_never_creates_a_second_request(people: Hearthline) -> None:
    first = _new(people, "meals", MARY, ANN, "sms:SMsame")
    with people.db.transaction() as s:
        again, created = create_request(
            s,
            NewRequest("meals", Channel.SMS, ANN, "sms:SMsame", senior_id=_senior(people, MARY)),
            zone=people.settings.zone,
        )
        assert not created and again.id == first


def test_history_is_append_only_and_names_who_did_what(people: Hearthline) -> None:
    request_id = _new(people, "home_repair", MARY, ANN, "k1")
    with people.db.transaction() as s:
        request = s.get(ServiceRequest, request_id)
        assert request is not None
        apply_action(s, request, RequestAction.ASSIGN, actor="staff:admin", assignee="rae")
        apply_action(s, request, RequestAction.RESOLVE, actor="staff:rae", note="fixed")
    with people.db.sessions() as s:
        events = list(s.scalars(select(RequestEvent).order_by(RequestEvent.id)))
    assert [(e.actor, e.from_status, e.to_status) for e in events] == [
        ("family:" + ANN, None, "new"),
        ("staff:admin", "new", "assigned"),
        ("staff:rae", "assigned", "resolved"),
    ]
    with pytest.raises(HistoryIsAppendOnly), people.db.transaction() as s:
        event = s.get(RequestEvent, events[0].id)
        assert event is not None
        event.note = "rewritten"
    with pytest.raises(HistoryIsAppendOnly), people.db.transaction() as s:
        event = s.get(RequestEvent, events[1].id)
        s.delete(event)
    with people.db.sessions() as s:
        assert next(e.note for e in s.scalars(select(RequestEvent).order_by(RequestEvent.id))) == "test"
        assert len(list(s.scalars(select(RequestEvent)))) == 3


def test_rating_only_after_close_and_only_1_to_5(people: Hearthline) -> None:
    request_id = _new(people, "meals", MARY, ANN, "k2")
    with people.db.transaction() as s:
        request = s.get(ServiceRequest, request_id)
        assert request is not None
        with pytest.raises(ValueError, match="closed"):
            rate(s, request, 5, actor="family:" + ANN)
        apply_action(s, request, RequestAction.RESOLVE, actor="staff:rae")
        apply_action(s, request, RequestAction.CLOSE, actor="family:" + ANN)
        with pytest.raises(ValueError, match="1 to 5"):
            rate(s, request, 6, actor="family:" + ANN)
        rate(s, request, 4, actor="family:" + ANN)
    with people.db.sessions() as s:
        request = s.get(ServiceRequest, request_id)
        assert request is not None and request.rating == 4 and request.closed_at is not None


# --- notices: who is told what, in which language ------------------------------------------------------------
@pytest.mark.parametrize(
    ("senior", "family", "locale", "words"),
    [
        (MARY, ANN, "en", "work has started"),
        (WANG, LI, "zh", "正在处理"),
        (KIM, JIN, "ko", "처리를 시작"),
        (ROSA, CARMEN, "es", "trabajando"),
    ],
)
def test_status_changes_reach_the_requester_in_their_language(
    people: Hearthline, senior: str, family: str, locale: str, words: str
) -> None:
    request_id = _new(people, "meals", senior, family, f"k-{locale}", locale=locale)
    with people.db.transaction() as s:
        request = s.get(ServiceRequest, request_id)
        assert request is not None
        apply_action(s, request, RequestAction.START, actor="staff:rae")
    with people.db.sessions() as s:
        rows = list(s.scalars(select(Notification).where(Notification.to_phone == family)))
        reference = s.get(ServiceRequest, request_id).reference  # type: ignore[union-attr]
    [row] = rows
    assert reference in row.body and words in row.body
    assert row.kind == "status" and row.status == "pending"
    assert segment_info(row.body).segments <= 3


def test_an_emergency_alerts_staff_on_call_and_the_seniors_other_family(people: Hearthline) -> None:
    _new(people, "emergency", MARY, ANN, "k-emergency")
    with people.db.sessions() as s:
        rows = {(n.to_phone, n.kind) for n in s.scalars(select(Notification))}
    assert rows == {(STAFF_ON_CALL, "staff"), (SAM, "family")}  # not Ann: she raised it


def test_staff_alerts_give_the_due_time_on_the_centres_clock_not_in_utc(people: Hearthline) -> None:
    """A callback asked for at 15:00 UTC (10 AM in New York) is due 4 hours later: "2:00 PM", never "19:00"."""
    assert people.settings.timezone == "America/New_York"
    asked = datetime(2026, 3, 3, 15, 0)  # stored naive, as UTC
    with people.db.transaction() as s:
        request, _ = create_request(
            s,
            NewRequest("operator", Channel.VOICE, MARY, "call:CA-alert:1", senior_id=_senior(people, MARY)),
            zone=people.settings.zone,
            hours=ServiceHours.from_settings(people.settings),
            now=asked,
        )
        assert request.due_at == datetime(2026, 3, 3, 19, 0)
        assert callback_reminders(s, asked + timedelta(hours=3, minutes=30), people.settings.zone) == 1
    with people.db.sessions() as s:
        alerts = {n.kind: n.body for n in s.scalars(select(Notification).where(Notification.kind != "family"))}
    assert alerts.keys() == {"staff", "reminder"}
    for body in alerts.values():
        assert "by Tue, Mar 3, 2:00 PM." in body, body
        assert "19:00" not in body
        assert segment_info(body).encoding is Encoding.GSM7  # plain spaces: the alert keeps 160 characters


def test_callback_reminders_go_once_before_the_promised_time(people: Hearthline) -> None:
    request_id = _new(people, "operator", MARY, ANN, "k-callback")
    with people.db.transaction() as s:
        request = s.get(ServiceRequest, request_id)
        assert request is not None
        due = request.due_at
        # Not yet within the hour before it is due: nothing.
        assert callback_reminders(s, due - timedelta(hours=2), people.settings.zone) == 0
        assert callback_reminders(s, due - timedelta(minutes=30), people.settings.zone) == 1
        assert callback_reminders(s, due - timedelta(minutes=10), people.settings.zone) == 0  # once only
    with people.db.sessions() as s:
        [reminder] = list(s.scalars(select(Notification).where(Notification.kind == "reminder")))
    assert reminder.to_phone == "+15550003009"  # the admin stands in: nobody is on the front desk team
    assert "still waiting" in reminder.body


def test_an_assigned_callback_is_not_reminded(people: Hearthline) -> None:
    request_id = _new(people, "operator", MARY, ANN, "k-callback-2")
    with people.db.transaction() as s:
        request = s.get(ServiceRequest, request_id)
        assert request is not None
        apply_action(s, request, RequestAction.ASSIGN, actor="staff:admin", assignee="olu")
        assert callback_reminders(s, utcnow() + timedelta(days=1), people.settings.zone) == 0


# --- people ---------------------------------------------------------------------------------------------------------
def test_people_lookups(people: Hearthline) -> None:
    with people.db.transaction() as s:
        sam = identify(s, SAM)
        assert sam.family is not None and sam.senior is None and sam.locale == "en"
        assert [x.phone for x in linked_seniors(s, sam.family)] == [MARY, WANG]
        mary = identify(s, MARY)
        assert mary.senior is not None
        assert sorted(m.phone for m in family_of(s, mary.senior.id)) == [ANN, SAM]
        assert [m.phone for m in staff_for_team(s, "on_call")] == [STAFF_ON_CALL]
        assert [m.username for m in staff_for_team(s, "meals")] == ["admin"]
        # An ended link stops the family member acting for (and hearing about) the senior.
        from care.models import FamilyLink

        link = s.scalar(
            select(FamilyLink).where(
                FamilyLink.family_member_id == sam.family.id, FamilyLink.senior_id == mary.senior.id
            )
        )
        assert link is not None
        directory.end_link(link)
        s.flush()
        assert [x.phone for x in linked_seniors(s, sam.family)] == [WANG]
        assert [m.phone for m in family_of(s, mary.senior.id)] == [ANN]


def test_open_requests_newest_first_without_closed(people: Hearthline) -> None:
    first = _new(people, "meals", MARY, ANN, "k-o1")
    second = _new(people, "transport", MARY, ANN, "k-o2")
    with people.db.transaction() as s:
        request = s.get(ServiceRequest, first)
        assert request is not None
        apply_action(s, request, RequestAction.RESOLVE, actor="staff:rae")
        apply_action(s, request, RequestAction.CLOSE, actor="family:" + ANN)
        assert [r.id for r in open_requests(s, senior_id=_senior(people, MARY))] == [second]
        assert [r.id for r in open_requests(s, phone=ANN)] == [second]


# --- settings ------------------------------------------------------------------------------------------------------
def test_settings_name_every_problem_at_once(tmp_path: Path) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings(
            {
                "environment": "production",
                "secret_key": "short",
                "twilio_account_sid": "XX1",
                "hotline_number": "not a number",
                "timezone": "Mars/Olympus",
                "redis_url": "http://wrong",
                "speaking_rate_wpm": 400,
                "open_answers_recognition": "guess",
            },
            environ={},
        )
    text = str(caught.value)
    for name in (
        "SECRET_KEY",
        "TWILIO_ACCOUNT_SID",
        "HEARTHLINE_HOTLINE_NUMBER",
        "HEARTHLINE_TIMEZONE",
        "REDIS_URL",
        "SPEAKING_RATE_WPM",
        "OPEN_ANSWERS_RECOGNITION",
    ):
        assert name in text
    assert len(caught.value.problems) >= 7


def test_an_unknown_setting_is_an_error_naming_it(tmp_path: Path) -> None:
    # A typo in the config file or an override used to land silently in an `extra` back door.
    config = tmp_path / "hearthline.json"
    config.write_text('{"outbox_retry_bse_seconds": 1}', encoding="utf-8")
    with pytest.raises(SettingsError) as caught:
        load_settings({"speaking_rate": 120}, environ={"HEARTHLINE_CONFIG": str(config)})
    assert caught.value.problems == [
        "outbox_retry_bse_seconds: not a Hearthline setting (did you mean outbox_retry_base_seconds?)",
        "speaking_rate: not a Hearthline setting (did you mean speaking_rate_wpm?)",
    ]
    assert not hasattr(load_settings(environ={}), "extra")


def test_outbox_timings_are_validated_settings() -> None:
    settings = load_settings(
        {"outbox_lease_seconds": "2.5"},
        environ={"HEARTHLINE_OUTBOX_RETRY_BASE_SECONDS": "0.5", "HEARTHLINE_OUTBOX_MAX_ATTEMPTS": "3"},
    )
    policy = DeliveryPolicy.from_settings(settings)
    assert (policy.retry_base_seconds, policy.max_attempts, policy.lease_seconds) == (0.5, 3, 2.5)
    assert policy.retry_cap_seconds == 30 * 60 and policy.batch_size == 50  # the defaults
    with pytest.raises(SettingsError) as caught:
        load_settings(
            {"outbox_retry_base_seconds": 60, "outbox_retry_cap_seconds": 10, "outbox_batch_size": 0}, environ={}
        )
    assert {p.split(":")[0].split(" ")[0] for p in caught.value.problems} == {
        "HEARTHLINE_OUTBOX_RETRY_CAP_SECONDS",
        "HEARTHLINE_OUTBOX_BATCH_SIZE",
    }


def test_settings_read_booleans_strictly_and_layer_environment_under_overrides() -> None:
    settings = load_settings(
        {"callback_within_hours": 2},
        environ={
            "HEARTHLINE_DELETE_TWILIO_RECORDINGS": "false",
            "HEARTHLINE_CALLBACK_WITHIN_HOURS": "6",
            "REDIS_URL": "redis://127.0.0.1:6379/0",
        },
    )
    assert settings.delete_twilio_recordings is False
    assert settings.callback_within_hours == 2 and settings.redis_url == "redis://127.0.0.1:6379/0"
    with pytest.raises(SettingsError, match="expected true or false"):
        load_settings(environ={"HEARTHLINE_SIMULATOR_ENABLED": "maybe"})


def test_every_outbox_message_fits_three_segments(people: Hearthline) -> None:
    with people.db.transaction() as s:
        request, _ = create_request(
            s,
            NewRequest(
                intent="emergency",
                channel=Channel.SMS,
                requester_phone=LI,
                source_key="k-long",
                senior_id=_senior(people, WANG),
                locale="zh",
                transcript="我爸爸摔倒了起不来，头在流血，" * 20,  # the staff alert quotes up to 200 characters
            ),
            zone=people.settings.zone,
        )
    with people.db.sessions() as s:
        bodies = [n.body for n in s.scalars(select(Notification))]
    assert bodies and all(segment_info(body).segments <= 3 for body in bodies)
    assert any(body.endswith("…") and request.reference in body for body in bodies)
