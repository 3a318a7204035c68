"""Which team handles each kind of request and how soon it is due (pure data and lookups)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Route:
    team: str
    due_within: timedelta
    urgent: bool = False


# Due times follow what a community centre can promise: emergencies are worked at once, health and food
# within a day, practical help within two, paperwork and social requests within the week.
ROUTES: dict[str, Route] = {
    "emergency": Route("on_call", timedelta(minutes=15), urgent=True),
    "medical": Route("health", timedelta(hours=24)),
    "medication": Route("health", timedelta(hours=12)),
    "meals": Route("meals", timedelta(hours=24)),
    "transport": Route("transport", timedelta(hours=48)),
    "home_repair": Route("repairs", timedelta(hours=48)),
    "benefits": Route("benefits", timedelta(days=5)),
    "companionship": Route("befriending", timedelta(days=3)),
    "complaint": Route("community", timedelta(days=7)),
    "events": Route("activities", timedelta(days=7)),
    "operator": Route("front_desk", timedelta(hours=4)),  # a callback request
    # A daily check-in that needs staff (nobody reached, a worrying trend, "stop calling me"): the plan's team
    # works it; an unreachable senior is made urgent by the ladder (outreach.checkins).
    "wellbeing": Route("befriending", timedelta(hours=24)),
}

TEAMS = sorted({route.team for route in ROUTES.values()})


def route_for(intent: str) -> Route:
    """The route of an intent; anything unforeseen goes to the front desk rather than nowhere."""
    return ROUTES.get(intent, ROUTES["operator"])


def due_at(intent: str, created: datetime, callback_promised: datetime | None = None) -> datetime:
    """When a request is due: a callback when it was promised (care.hours), anything else by its route."""
    if intent == "operator" and callback_promised is not None:
        return callback_promised
    return created + route_for(intent).due_within
