"""Which script an answered call of each purpose plays, and who is told of each attempt's final outcome."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from outreach.script import Script
from outreach.states import Purpose
from outreach.view import AttemptView

# Builds the script of one answered call from the attempt (its locale and context); pure, no database.
ScriptFor = Callable[[AttemptView], Script]
# Runs once per attempt that reached a final status, inside the transaction that marks it handled: whatever
# it writes (history, texts through care.outbox, the next attempt through outreach.enqueue) commits with it,
# and an exception rolls everything back so the handler runs again later (so: no outside calls in here).
OutcomeHandler = Callable[[Session, AttemptView], None]


@dataclass(frozen=True)
class Programme:
    purpose: Purpose
    script: ScriptFor
    on_outcome: OutcomeHandler


class UnknownPurpose(KeyError):
    """No programme registered this purpose (create_app registers them all before any call is placed)."""


_PROGRAMMES: dict[Purpose, Programme] = {}


def register(purpose: Purpose, *, script: ScriptFor, on_outcome: OutcomeHandler) -> Programme:
    """Register a purpose's programme; registering the same purpose again replaces it (create_app runs per app)."""
    programme = Programme(purpose, script, on_outcome)
    _PROGRAMMES[purpose] = programme
    return programme


def programme(purpose: Purpose | str) -> Programme:
    try:
        return _PROGRAMMES[Purpose(purpose)]
    except (KeyError, ValueError) as exc:
        raise UnknownPurpose(f"no outreach programme registered for {purpose!r}") from exc


def registered() -> frozenset[Purpose]:
    return frozenset(_PROGRAMMES)
