"""Every console and simulator text exists in all four languages with the same {placeholders} as English."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from care.lifecycle import RequestAction
from care.models import Channel, NotificationStatus, RequestStatus, StaffRole
from care.routing import TEAMS
from care.settings import LOCALES
from care.states import InboxKind
from care.tags import Tag
from console.calls_page import TEXTS_CHOICES
from i18n import messages
from opendata.keys import Scope
from outreach.checkin_tables import ConsentHow, PlanStatus
from outreach.checkins import CALL_NOW_REFUSALS
from outreach.crisis_tables import BroadcastStatus, MemberState
from outreach.ladder import Status as LadderStatus
from outreach.states import AttemptStatus, Purpose
from outreach.trends import Answer
from prompts import audio_processing as ap
from prompts.models import RecordingSource, RecordingState
from simulator.phone import Event

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [
    *sorted((ROOT / "console").rglob("*.py")),
    *sorted((ROOT / "console" / "templates").rglob("*.html")),
    ROOT / "simulator" / "page.py",
    *sorted((ROOT / "simulator" / "templates" / "simulator").rglob("*.html")),
]
LITERAL = re.compile(r"""\b(?:t|t_or)\(\s*["']([a-z_]+(?:\.[a-z_]+)+)["']""")
QUOTED = re.compile(r"""["']([a-z_]+(?:\.[a-z_]+)+)["']""")


def used_keys() -> set[str]:
    """Keys written out in the code and templates, plus the families built from a value (status.<status>)."""
    found = {key for path in SOURCES for key in LITERAL.findall(path.read_text(encoding="utf-8"))}
    found |= {f"status.{s.value}" for s in RequestStatus}
    found |= {f"team.{team}" for team in TEAMS}
    found |= {f"action.{a.value}.{part}" for a in RequestAction for part in ("title", "button")}
    found |= {f"queue.filter.{name}" for name in ("open", "waiting", "resolved", "closed", "all")}
    found |= {f"call_status.{status.value}" for status in AttemptStatus}
    found |= {f"people.texts.choice.{choice}" for choice in TEXTS_CHOICES}
    found |= {f"role.{r.value}" for r in StaffRole}
    found |= {f"outbox.{s.value}" for s in NotificationStatus}
    found |= {f"prompts.state.{s.value}" for s in RecordingState}
    found |= {f"prompts.source.{s.value}" for s in RecordingSource}
    found |= {f"summary.by.{way}" for way in ("speech", "keypad", "sms", "person")}
    found |= {f"staff.changed.{what}" for what in ("pin", "password", "unlock", "deactivate", "activate", "phone")}
    found |= {f"error.{name}" for name in ("bad_request", "forbidden", "not_found", "too_large", "general")}
    found |= {f"channel.{c.value}" for c in Channel}
    found |= {f"sim.log.{event.value}" for event in Event}  # the simulator's call log
    found |= {f"kind.{kind}" for kind in ("senior", "family", "unknown", "staff")}  # who is in the history
    found |= {
        f"history.kind.{kind}"
        for kind in (
            "created",
            "status",
            "note",
            "detail",
            "detail_audio",
            "rating",
            "assigned",
            "checkin",
            "repeat",
            "provider",
            "urgency",
            "reminder",
        )
    }
    found |= {f"inbox.kind.{kind.value}" for kind in InboxKind}  # an inbox text's history
    found |= {f"apikeys.scope.{scope.value}" for scope in Scope}  # the API keys page (console/apikeys.html)
    found |= {f"sim.purpose.{purpose.value}" for purpose in Purpose}  # why the hotline rings the simulator page
    # Crisis calls (console/broadcasts_page.py and its templates): tags, a broadcast's state, each senior's state.
    found |= {f"tag.{tag.value}" for tag in Tag}
    found |= {f"broadcasts.status.{s.value}" for s in BroadcastStatus}
    found |= {f"broadcasts.state.{s.value}" for s in MemberState}
    found |= {f"broadcasts.{what}" for what in ("pause", "resume", "paused", "resumed")}
    found |= {f"broadcasts.in_group.{form}" for form in ("one", "other")}
    # The check-ins page (console/checkins_page.py): a plan's state, how consent was given, today's round.
    found |= {f"checkins.status.{s.value}" for s in PlanStatus}
    found |= {f"checkins.how.{h.value}" for h in ConsentHow}
    found |= {f"checkins.round.{s.value}" for s in LadderStatus} | {"checkins.round.none"}
    found |= {f"checkins.answer.{a.value}" for a in Answer}
    found |= {f"checkins.{what}" for what in ("pause", "resume", "remove")}
    found |= {f"checkins.call_now.{why}" for why in CALL_NOW_REFUSALS}
    # Why an upload was refused: one message per kind of bad audio (prompts.audio_processing.BadAudio.reason).
    found |= {f"prompts.bad.{kind.reason}" for kind in _bad_audio_kinds(ap.BadAudio)}
    found |= {f"prompts.event.{action}" for action in ("recorded", "approved", "discarded", "rolled_back")}
    # Counted phrases: t_count picks the plural category (CLDR "one"/"other") at run time.
    found |= {f"queue.count.{what}.{form}" for what in ("shown", "urgent", "overdue") for form in ("one", "other")}
    found |= {f"inbox.waiting.{form}" for form in ("one", "other")}
    return found


def _bad_audio_kinds(kind: type[ap.BadAudio]) -> list[type[ap.BadAudio]]:
    return [kind] + [sub for child in kind.__subclasses__() for sub in _bad_audio_kinds(child)]


def mentioned_keys() -> set[str]:
    """Used keys and any dotted name quoted in the sources (a key chosen by a condition, say)."""
    return used_keys() | {key for path in SOURCES for key in QUOTED.findall(path.read_text(encoding="utf-8"))}


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_the_scan_finds_the_texts_of_every_page() -> None:
    keys = used_keys()
    assert len(keys) > 300
    assert {"login.title", "queue.counts", "sim.hold_to_talk", "summary.calls_per_day"} <= keys


@pytest.mark.parametrize("locale", LOCALES)
def test_every_used_key_has_text_with_the_english_placeholders(locale: str) -> None:
    missing, mismatched = [], []
    for key in sorted(used_keys()):
        try:
            text = messages.translate("web", key, locale)
        except messages.MissingTranslation:
            missing.append(key)
            continue
        if _placeholders(text) != _placeholders(messages.translate("web", key, "en")):
            mismatched.append(key)
    assert missing == [] and mismatched == []


def test_no_key_in_the_web_catalog_is_left_unused() -> None:
    assert sorted(set(messages.keys("web")) - mentioned_keys()) == []
