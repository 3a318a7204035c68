"""The closed sets of outbound calling (pure): why a call is placed, and where an attempt stands."""

from __future__ import annotations

from enum import StrEnum


class Purpose(StrEnum):
    """Why a call is placed; each purpose registers its script and outcome handler (outreach.registry)."""

    CONFIRM = "confirm"  # "is your request sorted?" to a senior who cannot receive texts (issue 12)
    CHECKIN = "checkin"  # the daily "are you well today?" call of a check-in plan
    REMINDER = "reminder"  # medication or appointment reminder
    CRISIS = "crisis"  # a broadcast in a heat wave, storm, outbreak: "press 1 if you are safe"
    FAMILY = "family"  # a rung of the escalation ladder: asking linked family to check on a senior
    # The same rung for a reminder nobody acknowledged: its subject is a reminder round, not a check-in round,
    # so it is a purpose of its own (cancelling one ladder's family calls never touches the other's).
    REMINDER_FAMILY = "reminder_fam"  # call_attempts.purpose holds 12 characters


class AttemptStatus(StrEnum):
    """One attempt's state. The in-call values and the final ones are Twilio's CallStatus words
    (https://www.twilio.com/docs/voice/api/call-resource#call-status-values), plus our own queued, dialling,
    machine and unknown."""

    QUEUED = "queued"  # waiting for its not-before time and a free line
    DIALLING = "dialling"  # claimed by a worker, calls.create under way
    RINGING = "ringing"
    IN_PROGRESS = "in-progress"  # a person (or a machine, until detection says so) answered
    COMPLETED = "completed"  # answered and ended; the answer (if any) is on the attempt
    NO_ANSWER = "no-answer"
    BUSY = "busy"
    FAILED = "failed"  # Twilio could not place it (bad number, refused, carrier) or we gave up
    MACHINE = "machine"  # answering machine or voicemail: a short message with no personal details was left
    CANCELED = "canceled"  # withdrawn before it was answered (cancel(), a paused broadcast, a plan stopped)
    UNKNOWN = "unknown"  # calls.create may or may not have placed it (timeout, worker died): ask Twilio first


FINAL: frozenset[AttemptStatus] = frozenset(
    {
        AttemptStatus.COMPLETED,
        AttemptStatus.NO_ANSWER,
        AttemptStatus.BUSY,
        AttemptStatus.FAILED,
        AttemptStatus.MACHINE,
        AttemptStatus.CANCELED,
    }
)
# Not reached: the ladder's rungs carry on after these.
NOT_REACHED: frozenset[AttemptStatus] = frozenset(
    {AttemptStatus.NO_ANSWER, AttemptStatus.BUSY, AttemptStatus.FAILED, AttemptStatus.MACHINE}
)
# A line is taken (counts against the concurrency cap) in these.
ON_THE_LINE: frozenset[AttemptStatus] = frozenset(
    {AttemptStatus.DIALLING, AttemptStatus.RINGING, AttemptStatus.IN_PROGRESS, AttemptStatus.UNKNOWN}
)


class AnswerVia(StrEnum):
    """How the answer on an attempt was given."""

    KEYS = "keys"
    SPEECH = "speech"
    PERSON = "person"  # pressed 0 / asked for a person: put through to staff
    SILENCE = "silence"  # answered but gave no usable answer before the question's tries ran out


# Twilio's AnsweredBy values that mean no person took the call
# (https://www.twilio.com/docs/voice/answering-machine-detection#webhook-parameters).
MACHINE_ANSWERS: frozenset[str] = frozenset(
    {"machine_start", "machine_end_beep", "machine_end_silence", "machine_end_other", "fax"}
)
# How far along a live call is; a late or repeated status callback never moves an attempt backwards.
_RANK = {
    AttemptStatus.QUEUED: 0,
    AttemptStatus.DIALLING: 1,
    AttemptStatus.UNKNOWN: 1,
    AttemptStatus.RINGING: 2,
    AttemptStatus.IN_PROGRESS: 3,
}
_FROM_TWILIO = {
    "queued": AttemptStatus.DIALLING,
    "initiated": AttemptStatus.DIALLING,
    "ringing": AttemptStatus.RINGING,
    "in-progress": AttemptStatus.IN_PROGRESS,
    "answered": AttemptStatus.IN_PROGRESS,
    "busy": AttemptStatus.BUSY,
    "no-answer": AttemptStatus.NO_ANSWER,
    "failed": AttemptStatus.FAILED,
    "canceled": AttemptStatus.CANCELED,
}


def from_twilio(call_status: str, answered_by: str = "") -> AttemptStatus | None:
    """Our status for Twilio's CallStatus (None: a word we do not know); a completed call a machine
    answered is MACHINE."""
    if call_status == "completed":
        return AttemptStatus.MACHINE if answered_by in MACHINE_ANSWERS else AttemptStatus.COMPLETED
    return _FROM_TWILIO.get(call_status)


def moves_forward(current: AttemptStatus, new: AttemptStatus) -> bool:
    """Whether `new` is news: a final status is never left, and a live one only moves forward."""
    if current in FINAL:
        return False
    if new in FINAL:
        return True
    return _RANK.get(new, 0) > _RANK.get(current, 0)
