"""The life cycle of a service request (pure): which staff or requester action moves it where."""

from __future__ import annotations

from enum import StrEnum

from care.states import RequestStatus

S = RequestStatus


class RequestAction(StrEnum):
    ASSIGN = "assign"
    START = "start"
    RESOLVE = "resolve"
    CLOSE = "close"  # only the requester's confirmation (or staff recording it) closes a request
    REOPEN = "reopen"


class TransitionRefused(ValueError):
    """The action does not apply to a request in its current state."""


# An open request may be (re)assigned, started or resolved; a resolved one is closed on confirmation or
# reopened; a closed one can still be reopened when the problem comes back.
A = RequestAction
TRANSITIONS: dict[RequestAction, dict[RequestStatus, RequestStatus]] = {
    A.ASSIGN: {
        S.NEW: S.ASSIGNED,
        S.REOPENED: S.ASSIGNED,
        S.ASSIGNED: S.ASSIGNED,
        S.IN_PROGRESS: S.ASSIGNED,
    },
    A.START: {S.NEW: S.IN_PROGRESS, S.ASSIGNED: S.IN_PROGRESS, S.REOPENED: S.IN_PROGRESS},
    A.RESOLVE: {
        S.NEW: S.RESOLVED,
        S.ASSIGNED: S.RESOLVED,
        S.IN_PROGRESS: S.RESOLVED,
        S.REOPENED: S.RESOLVED,
    },
    A.CLOSE: {S.RESOLVED: S.CLOSED},
    A.REOPEN: {S.RESOLVED: S.REOPENED, S.CLOSED: S.REOPENED},
}

OPEN_STATUSES = frozenset({S.NEW, S.ASSIGNED, S.IN_PROGRESS, S.REOPENED, S.RESOLVED})


def next_status(current: RequestStatus, action: RequestAction) -> RequestStatus:
    """Return the status an action leads to, or raise TransitionRefused."""
    try:
        return TRANSITIONS[action][current]
    except KeyError:
        raise TransitionRefused(f"cannot {action.value} a request that is {current.value}") from None


def allowed_actions(current: RequestStatus) -> list[RequestAction]:
    """The actions that apply now, in the order staff usually take them."""
    return [action for action in RequestAction if current in TRANSITIONS[action]]
