"""Outbound calls through the real `twilio` REST client: calls.create with answering-machine detection."""

from __future__ import annotations

from datetime import UTC, datetime

from twilio.base.exceptions import TwilioException, TwilioRestException

from care.ports import DialFailed, FoundCall, LookupFailed, PlaceCall
from care.settings import Settings
from sms.sender import SEND_TIMEOUT_SECONDS, never_connected, twilio_client

# Every change of an outbound call is posted to us: the dialer frees a line on the final one and the
# escalation ladder moves on (https://www.twilio.com/docs/voice/api/call-resource#statuscallbackevent).
STATUS_EVENTS = ["initiated", "ringing", "answered", "completed"]
# "DetectMessageEnd": the answer URL is fetched after a machine's greeting ends (at the beep), so the
# voicemail we leave is recorded whole; a person is detected within a few seconds either way
# (https://www.twilio.com/docs/voice/answering-machine-detection).
MACHINE_DETECTION = "DetectMessageEnd"
# How far back a lookup reads (Twilio lists newest first); an attempt is looked up minutes after its dial.
LOOKUP_LIMIT = 100


def _naive_utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value


class TwilioCallPlacer:
    """Place calls from the hotline number; look them up by number and time, or by sid."""

    def __init__(self, settings: Settings, timeout_seconds: float = SEND_TIMEOUT_SECONDS) -> None:
        self._client = twilio_client(settings, timeout_seconds)
        self._from = settings.hotline_number

    def place(self, call: PlaceCall) -> str:
        try:
            created = self._client.calls.create(
                to=call.to,
                from_=self._from,
                url=call.answer_url,
                method="POST",
                status_callback=call.status_url,
                status_callback_method="POST",
                status_callback_event=STATUS_EVENTS,
                machine_detection=MACHINE_DETECTION,
                timeout=call.ring_seconds,
                time_limit=call.time_limit_seconds,
            )
        except TwilioRestException as exc:
            # 4xx: this call will never go (bad number 21211, not allowed 21215...); 5xx and 429 may pass later.
            transient = exc.status >= 500 or exc.status == 429
            raise DialFailed(f"Twilio {exc.status} ({exc.code}): {exc.msg}", transient=transient) from exc
        except (TwilioException, OSError) as exc:
            raise DialFailed(
                f"Twilio unreachable: {exc}", transient=True, outcome_unknown=not never_connected(exc)
            ) from exc
        return str(created.sid)

    def calls_to(self, to: str, since: datetime) -> list[FoundCall]:
        try:
            found = self._client.calls.list(to=to, from_=self._from, limit=LOOKUP_LIMIT)
        except (TwilioException, OSError) as exc:
            raise LookupFailed(f"cannot list calls at Twilio: {exc}") from exc
        calls = [self._found(call) for call in found]
        return [call for call in calls if call.created_at is None or call.created_at >= since]

    def fetch(self, sid: str) -> FoundCall | None:
        try:
            return self._found(self._client.calls(sid).fetch())
        except TwilioRestException as exc:
            if exc.status == 404:
                return None
            raise LookupFailed(f"cannot fetch call {sid} at Twilio: {exc}") from exc
        except (TwilioException, OSError) as exc:
            raise LookupFailed(f"cannot fetch call {sid} at Twilio: {exc}") from exc

    @staticmethod
    def _found(call: object) -> FoundCall:
        return FoundCall(
            sid=str(getattr(call, "sid", "")),
            to=str(getattr(call, "to", "") or ""),
            status=str(getattr(call, "status", "") or ""),
            created_at=_naive_utc(getattr(call, "date_created", None)),
            answered_by=str(getattr(call, "answered_by", "") or ""),
        )
