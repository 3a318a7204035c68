"""Crisis broadcasts (issue 13): staff pick a group, Hearthline calls everyone in it in order of risk with a short
message and "press 1 if you are safe, 2 if you need help"; a live board counts the answers, and "needs help" and
"unreachable" become urgent requests on the queue. A broadcast pauses (queued calls withdrawn) and resumes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from care.models import Channel, RequesterKind, Senior, SeniorTag, ServiceRequest, utcnow
from care.notices import STAFF_LOCALE
from care.requests import NewRequest, add_note, create_request
from care.settings import Settings
from care.tags import Tag, risk
from i18n.messages import translate
from intents import Intent
from outreach.answers import EMERGENCY_ANSWER
from outreach.attempts import cancel, enqueue
from outreach.crisis_tables import Broadcast, BroadcastMember, BroadcastStatus, MemberState
from outreach.models import CallAttempt
from outreach.registry import register
from outreach.script import PERSON_ANSWER, Choice, PlayAudio, Question, Script
from outreach.states import FINAL, AttemptStatus, Purpose
from outreach.view import AttemptView
from voice.dialogue import Speak

SAFE, HELP = "safe", "help"
ACTOR = "system:crisis"
INTENT = "wellbeing"  # care.routing: the befriending team works wellbeing requests unless the senior has a team
MESSAGE_MAX_CHARS = 400  # a short message: about 30 seconds spoken, before the question
# A recorded message: as long as a prompt may be (a minute; short is better), from a file of at most 10 MB
# (a minute of 48 kHz 24-bit stereo WAV is 17 MB, of M4A or MP3 about 1 MB; under the app's 12 MB request limit).
RECORDING_MAX_BYTES = 10 * 1024 * 1024
RECORDING_MAX_SECONDS = 60.0
# Answers that mean "needs help": 2 / "no", asking for a person (key 0), or an emergency heard on the call.
NEEDS_HELP = frozenset({HELP, PERSON_ANSWER, EMERGENCY_ANSWER})


class BroadcastError(ValueError):
    """A broadcast that cannot start or change (no message, nobody in the group, not paused...)."""


@dataclass(frozen=True)
class Group:
    """Who a broadcast calls: seniors in the area and the team (when given) with ANY of the tags (when given)."""

    area: str = ""
    team: str = ""
    tags: frozenset[Tag] = field(default_factory=frozenset)

    @classmethod
    def of(cls, area: str = "", team: str = "", tags: Iterable[str] = ()) -> Group:
        known = {t.value for t in Tag}
        wrong = [t for t in tags if t not in known]
        if wrong:
            raise BroadcastError(f"unknown tag(s): {', '.join(wrong)} (known: {', '.join(sorted(known))})")
        return cls(area.strip(), team.strip(), frozenset(Tag(t) for t in tags))


@dataclass(frozen=True)
class Picked:
    senior: Senior
    tags: frozenset[str]

    @property
    def risk(self) -> int:
        return risk(self.tags)


def tags_of(session: Session, senior_ids: Iterable[int] | None = None) -> dict[int, set[str]]:
    """Each senior's tags; "lives alone" is the profile's own flag (Senior.lives_alone, which care.urgency reads)."""
    ids = list(senior_ids) if senior_ids is not None else None
    query = select(SeniorTag.senior_id, SeniorTag.tag)
    alone = select(Senior.id).where(Senior.lives_alone.is_(True))
    if ids is not None:
        query = query.where(SeniorTag.senior_id.in_(ids))
        alone = alone.where(Senior.id.in_(ids))
    found: dict[int, set[str]] = {}
    for senior_id, tag in session.execute(query):
        found.setdefault(senior_id, set()).add(tag)
    for senior_id in session.scalars(alone):
        found.setdefault(senior_id, set()).add(Tag.LIVES_ALONE.value)
    return found


def set_tags(session: Session, senior: Senior, tags: Iterable[Tag]) -> None:
    """Replace a senior's tags with these ("lives alone" sets the profile's flag, one truth for both uses)."""
    wanted = {Tag(t).value for t in tags}
    senior.lives_alone = Tag.LIVES_ALONE.value in wanted
    wanted.discard(Tag.LIVES_ALONE.value)
    rows = list(session.scalars(select(SeniorTag).where(SeniorTag.senior_id == senior.id)))
    for row in rows:
        if row.tag not in wanted:
            session.delete(row)
    for tag in wanted - {row.tag for row in rows}:
        session.add(SeniorTag(senior_id=senior.id, tag=tag))
    session.flush()


def pick(session: Session, group: Group) -> list[Picked]:
    """The group's seniors, most at risk first (then by name, for a stable order)."""
    query = select(Senior)
    if group.area:
        query = query.where(Senior.area == group.area)
    if group.team:
        query = query.where(Senior.team == group.team)
    if group.tags:
        tagged = select(SeniorTag.senior_id).where(SeniorTag.tag.in_([t.value for t in group.tags]))
        if Tag.LIVES_ALONE in group.tags:
            query = query.where(or_(Senior.id.in_(tagged), Senior.lives_alone.is_(True)))
        else:
            query = query.where(Senior.id.in_(tagged))
    seniors = list(session.scalars(query))
    tags = tags_of(session, [s.id for s in seniors])
    picked = [Picked(s, frozenset(tags.get(s.id, set()))) for s in seniors]
    return sorted(picked, key=lambda p: (-p.risk, p.senior.name, p.senior.id))


def areas(session: Session) -> list[str]:
    return sorted(a for a in session.scalars(select(Senior.area).distinct()) if a)


# --- the call ----------------------------------------------------------------------------------------------------
def script(view: AttemptView) -> Script:
    """ "This is an urgent message from Hearthline: <message>. Are you safe? Press 1 or say yes..." The message is
    staff's recording when they made one (<Play>), else their typed words; the question is in the senior's language."""
    message = str(view.context.get("message", ""))
    audio = str(view.context.get("audio_url", ""))
    said: Speak | PlayAudio = (
        PlayAudio(audio, message) if audio else Speak("voice.outreach.crisis.message", (("message", message),))
    )
    return Script(
        message=(Speak("voice.outreach.crisis.intro"), said),
        question=Question(
            prompts=(Speak("voice.outreach.crisis.question"),),
            choices=(
                Choice("1", SAFE, Intent.YES, reply=(Speak("voice.outreach.crisis.safe"),)),
                Choice("2", HELP, Intent.NO, reply=(Speak("voice.outreach.crisis.help"),)),
            ),
            tries=2,
        ),
    )


def _key(broadcast: Broadcast, member: BroadcastMember, attempt: int) -> str:
    return f"crisis:{broadcast.id}:{member.senior_id}:{attempt}:r{broadcast.round}"


def _call(session: Session, broadcast: Broadcast, member: BroadcastMember, at: datetime | None = None) -> None:
    attempt = member.tries + 1
    enqueue(
        session,
        key=_key(broadcast, member, attempt),
        purpose=Purpose.CRISIS,
        to_phone=member.phone,
        locale=member.locale,
        subject_id=broadcast.id,
        senior_id=member.senior_id,
        # Risk orders the calls (outreach.dialer: higher first); crisis calls are an emergency purpose, so they
        # skip the quiet hours (47 CFR 64.1200(a)(1) exempts calls "made for emergency purposes").
        priority=member.risk,
        not_before=at or utcnow(),
        context={
            "message": broadcast.message,
            "audio_url": broadcast.audio_url,
            "broadcast": broadcast.id,
            "attempt": attempt,
        },
    )


# --- staff actions -------------------------------------------------------------------------------------------------
def start(session: Session, group: Group, message: str, *, actor: str, audio_url: str = "") -> Broadcast:
    """Start a broadcast to the group: one call each, queued in order of risk.

    The message is typed, or recorded (`audio_url`, played as it is; `message` then says what it says, if given).
    """
    message = " ".join(message.split())
    if not message and not audio_url:
        raise BroadcastError("a message is needed")
    if len(message) > MESSAGE_MAX_CHARS:
        raise BroadcastError(f"the message is {len(message)} characters; at most {MESSAGE_MAX_CHARS}")
    picked = pick(session, group)
    if not picked:
        raise BroadcastError("nobody is in this group")
    broadcast = Broadcast(
        message=message,
        audio_url=audio_url,
        area=group.area,
        team=group.team,
        tags=",".join(sorted(t.value for t in group.tags)),
        status=BroadcastStatus.RUNNING,
        round=1,
        created_by=actor,
    )
    session.add(broadcast)
    session.flush()
    for p in picked:
        member = BroadcastMember(
            broadcast_id=broadcast.id,
            senior_id=p.senior.id,
            phone=p.senior.phone,
            locale=p.senior.locale,
            risk=p.risk,
            state=MemberState.WAITING,
            reached=False,
            tries=0,
        )
        session.add(member)
        session.flush()
        _call(session, broadcast, member)
    return broadcast


def _locked(session: Session, broadcast_id: int) -> Broadcast:
    found = session.scalar(select(Broadcast).where(Broadcast.id == broadcast_id).with_for_update())
    if found is None:
        raise BroadcastError(f"no broadcast {broadcast_id}")
    return found


def pause(session: Session, broadcast_id: int) -> int:
    """Withdraw the queued calls (calls already ringing run their course); returns how many were withdrawn."""
    broadcast = _locked(session, broadcast_id)
    if broadcast.status != BroadcastStatus.RUNNING:
        raise BroadcastError(f"broadcast {broadcast_id} is {broadcast.status}, not running")
    broadcast.status = BroadcastStatus.PAUSED
    return cancel(session, purpose=Purpose.CRISIS, subject_id=broadcast.id)


def resume(session: Session, broadcast_id: int) -> int:
    """Call again everyone not reached yet who has no call under way (new attempt keys); returns how many."""
    broadcast = _locked(session, broadcast_id)
    if broadcast.status != BroadcastStatus.PAUSED:
        raise BroadcastError(f"broadcast {broadcast_id} is {broadcast.status}, not paused")
    broadcast.status = BroadcastStatus.RUNNING
    broadcast.round += 1
    under_way = set(
        session.scalars(
            select(CallAttempt.senior_id).where(
                CallAttempt.purpose == Purpose.CRISIS.value,
                CallAttempt.subject_id == broadcast.id,
                CallAttempt.status.not_in([s.value for s in FINAL]),
            )
        )
    )
    waiting = _members(session, broadcast.id, MemberState.WAITING)
    again = [m for m in waiting if m.senior_id not in under_way]
    for member in again:
        _call(session, broadcast, member)
    _finish_if_done(session, broadcast)
    return len(again)


def _members(session: Session, broadcast_id: int, state: MemberState | None = None) -> list[BroadcastMember]:
    query = select(BroadcastMember).where(BroadcastMember.broadcast_id == broadcast_id)
    if state is not None:
        query = query.where(BroadcastMember.state == state)
    return list(session.scalars(query.order_by(BroadcastMember.risk.desc(), BroadcastMember.id)))


def _finish_if_done(session: Session, broadcast: Broadcast) -> None:
    if broadcast.status == BroadcastStatus.RUNNING and not _members(session, broadcast.id, MemberState.WAITING):
        broadcast.status = BroadcastStatus.FINISHED


# --- outcomes ------------------------------------------------------------------------------------------------------
class CrisisProgramme:
    """The crisis purpose on one app's settings."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def on_outcome(self, session: Session, view: AttemptView) -> None:
        if view.subject_id is None or view.senior_id is None:
            return
        broadcast = _locked(session, view.subject_id)
        member = session.scalar(
            select(BroadcastMember).where(
                BroadcastMember.broadcast_id == broadcast.id, BroadcastMember.senior_id == view.senior_id
            )
        )
        if member is None or member.state != MemberState.WAITING:
            return  # settled by an earlier call (cannot happen with one call at a time, but never count twice)
        member.tries += 1
        if view.status is AttemptStatus.COMPLETED:
            member.reached = True
        if view.answer == SAFE:
            member.state = MemberState.SAFE
        elif view.answer in NEEDS_HELP:
            member.state = MemberState.HELP
            self._urgent(session, broadcast, member, view, "notify.crisis.needs_help")
        elif member.tries < self.settings.crisis_call_tries:
            if broadcast.status == BroadcastStatus.RUNNING:  # paused: resume calls them again
                later = utcnow() + timedelta(minutes=self.settings.crisis_call_retry_minutes)
                _call(session, broadcast, member, at=later)
        else:
            member.state = MemberState.UNREACHABLE
            self._urgent(session, broadcast, member, view, "notify.crisis.unreachable")
        _finish_if_done(session, broadcast)

    def _urgent(
        self, session: Session, broadcast: Broadcast, member: BroadcastMember, view: AttemptView, key: str
    ) -> None:
        """One urgent request per senior per broadcast (the source key makes a second one the same one)."""
        senior = session.get(Senior, member.senior_id)
        assert senior is not None
        transcript = translate(
            "notify",
            key,
            STAFF_LOCALE,
            broadcast=broadcast.id,
            name=senior.name,
            tries=member.tries,
            answer=view.answer or "-",
            heard=view.heard or "-",
        )
        request, created = create_request(
            session,
            NewRequest(
                intent=INTENT,
                channel=Channel.VOICE,
                requester_phone=senior.phone,
                source_key=f"crisis:{broadcast.id}:{senior.id}",
                requester_kind=RequesterKind.SYSTEM,
                senior_id=senior.id,
                locale=senior.locale,
                transcript=transcript,
                actor=ACTOR,
                team=senior.team or None,
                announce=False,
            ),
            zone=self.settings.zone,
        )
        if created:
            # Created urgent (like an emergency's route): the queue shows it first and announces it.
            request.urgent = True
            add_note(
                session,
                request,
                actor=ACTOR,
                note=translate("notify", "notify.crisis.message", STAFF_LOCALE, message=broadcast.message),
            )
        member.request_id = request.id


# --- the board -------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class BoardRow:
    senior_id: int
    name: str
    phone: str
    risk: int
    state: MemberState
    reached: bool
    tries: int
    reference: str | None


@dataclass(frozen=True)
class Board:
    broadcast_id: int
    status: BroadcastStatus
    message: str
    total: int
    reached: int
    safe: int
    help: int
    waiting: int
    unreachable: int
    rows: tuple[BoardRow, ...]
    audio_url: str = ""  # the recorded message, when staff made one


def board(session: Session, broadcast_id: int) -> Board:
    broadcast = session.get(Broadcast, broadcast_id)
    if broadcast is None:
        raise BroadcastError(f"no broadcast {broadcast_id}")
    rows = []
    for member in _members(session, broadcast_id):
        senior = session.get(Senior, member.senior_id)
        request = session.get(ServiceRequest, member.request_id) if member.request_id else None
        rows.append(
            BoardRow(
                member.senior_id,
                senior.name if senior else "?",
                member.phone,
                member.risk,
                MemberState(member.state),
                member.reached,
                member.tries,
                request.reference if request else None,
            )
        )
    states = [r.state for r in rows]
    return Board(
        broadcast.id,
        BroadcastStatus(broadcast.status),
        broadcast.message,
        total=len(rows),
        reached=sum(r.reached for r in rows),
        safe=states.count(MemberState.SAFE),
        help=states.count(MemberState.HELP),
        waiting=states.count(MemberState.WAITING),
        unreachable=states.count(MemberState.UNREACHABLE),
        rows=tuple(rows),
        audio_url=broadcast.audio_url,
    )


def broadcasts(session: Session) -> list[Broadcast]:
    return list(session.scalars(select(Broadcast).order_by(Broadcast.id.desc())))


def register_crisis(settings: Settings) -> CrisisProgramme:
    """Register the crisis purpose (create_app, once per app)."""
    programme = CrisisProgramme(settings)
    register(Purpose.CRISIS, script=script, on_outcome=programme.on_outcome)
    return programme
