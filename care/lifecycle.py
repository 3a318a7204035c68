"""The life cycle of a service request (pure): which staff or requester action moves it where."""

from __future__ import annotations

from enum import StrEnum

from care.states import RequestStatus

S = RequestStatus


class Action(StrEnum):
    ASSIGN = "assign"
    START = "start"
    RESOLVE = "resolve"
    CLOSE = "close"  # only the requester's confirmation (or staff recording it) closes a request
    REOPEN = "reopen"


class TransitionRefused(ValueError):
    """The action does not apply to a request in its current state."""


# An open request may be (re)assigned, started or resolved; a resolved one is closed on confirmation or
# reopened; a closed one can still be reopened when the problem comes back.
TRANSITIONS: dict[Action, dict[RequestStatus, RequestStatus]] = {
    Action.ASSIGN: {S.NEW: S.ASSIGNED, S.REOPENED: S.ASSIGNED, S.ASSIGNED: S.ASSIGNED, S.IN_PROGRESS: S.ASSIGNED},
    Action.START: {S.NEW: S.IN_PROGRESS, S.ASSIGNED: S.IN_PROGRESS, S.REOPENED: S.IN_PROGRESS},
    Action.RESOLVE: {S.NEW: S.RESOLVED, S.ASSIGNED: S.RESOLVED, S.IN_PROGRESS: S.RESOLVED, S.REOPENED: S.RESOLVED},
    Action.CLOSE: {S.RESOLVED: S.CLOSED},
    Action.REOPEN: {S.RESOLVED: S.REOPENED, S.CLOSED: S.REOPENED},
}

OPEN_STATUSES = frozenset({S.NEW, S.ASSIGNED, S.IN_PROGRESS, S.REOPENED, S.RESOLVED})


def next_status(current: RequestStatus, action: Action) -> RequestStatus:
    """Return the status an action leads to, or raise TransitionRefused."""
    try:
        return TRANSITIONS[action][current]
    except KeyError:
        raise TransitionRefused(f"cannot {action.value} a request that is {current.value}") from None


def allowed_actions(current: RequestStatus) -> list[Action]:
    """The actions that apply now, in the order staff usually take them."""
    return [action for action in Action if current in TRANSITIONS[action]]
