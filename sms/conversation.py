"""The SMS conversation (pure): one text plus who sent it and what we last asked → decisions and the reply.

No database, no Flask, no Twilio: the edge (sms.handling) builds a SenderView from the records, carries out
the decisions this module returns, and renders the Reply in the sender's language.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from intents import REQUESTS, Decision, InputSource, Intent, Locale, Utterance, detect_locale, match_utterance
from sms.keywords import DigitReply, Keyword, KeywordHit, digit_reply, keyword_of, normalise
from sms.replies import Verdict, answer_of

# Ratings are 1 (poor) to 5 (very good), as notify.status.closed asks.
RATING_RANGE = range(1, 6)
CONFIRM_FIXED = 1
CONFIRM_NOT_FIXED = 2
# Shorter unmatched texts ("hi", "?", an emoji) get the help reply; longer ones go to a person at the front
# desk as a callback request, so a message we could not classify is still read by someone, never dropped.
MIN_WORDS_FOR_PERSON = 3
MIN_CJK_CHARS_FOR_PERSON = 4
# A reply to "who is this for?" is a number or a name; anything longer is read as a new text.
MAX_WORDS_IN_A_NAME_ANSWER = 3
YES_OR_NO = frozenset({Intent.YES, Intent.NO})
# Words after an answer that ask for nothing new ("yes, any news on the other one?" is not a new request).
NOT_A_NEED = frozenset({Intent.YES, Intent.NO, Intent.REPEAT, Intent.GOODBYE, Intent.STATUS})


@dataclass(frozen=True)
class Rules:
    """The conversation's time limits (from settings; the defaults are the settings' defaults)."""

    # A digit is a rating only as the direct answer to the rating question, this soon after it was asked
    # (care.settings.sms_rating_reply_minutes says why the hour).
    rating_window: timedelta = timedelta(minutes=60)


class Role(StrEnum):
    SENIOR = "senior"
    FAMILY = "family"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class SeniorRef:
    id: int
    name: str


@dataclass(frozen=True)
class RequestRef:
    """A request the sender may answer about (resolved, waiting for confirmation; or closed, waiting for a rating)."""

    reference: str
    status: str  # "resolved" or "closed"
    intent: str = ""  # the service asked for, so an answer naming it ("the meals arrived") picks this request
    asked_at: datetime | None = None  # when we asked (resolved: "is it sorted?"; closed: "how did we do?")


@dataclass(frozen=True)
class SenderView:
    """What the conversation needs to know about whoever texted."""

    phone: str
    role: Role
    locale: Locale | None = None  # from their profile
    seniors: tuple[SeniorRef, ...] = ()  # a senior: themselves; family: the seniors they are linked to
    opted_out: bool = False
    awaiting_confirmation: tuple[RequestRef, ...] = ()  # resolved, newest first
    awaiting_rating: tuple[RequestRef, ...] = ()  # recently closed and unrated, newest first
    last_text_at: datetime | None = None  # when this number last texted us before this text


# --- decisions ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CreateRequest:
    intent: Intent
    senior_id: int | None
    text: str
    locale: Locale


@dataclass(frozen=True)
class ListStatus:
    reference: str | None = None


@dataclass(frozen=True)
class ConfirmResolved:
    reference: str
    note: str = ""  # the words it was confirmed in, for the history ("yes thank you, the meals arrived")


@dataclass(frozen=True)
class Reopen:
    reference: str
    note: str = ""


@dataclass(frozen=True)
class NoteOn:
    """Add the sender's words to a request's history (a reply we asked about; nothing said is dropped)."""

    reference: str
    note: str


@dataclass(frozen=True)
class Rate:
    reference: str
    rating: int


@dataclass(frozen=True)
class OptOut:
    pass


@dataclass(frozen=True)
class OptIn:
    pass


# What one text decides: effects for the edge to carry out (the reply travels beside them).
SmsDecision = CreateRequest | ListStatus | ConfirmResolved | Reopen | NoteOn | Rate | OptOut | OptIn


@dataclass(frozen=True)
class Reply:
    """A sms catalog key and its parameters (filled in the sender's language when the reply is rendered)."""

    key: str
    params: dict[str, Any] = field(default_factory=dict)


# --- what the conversation remembers between texts ---------------------------------------------------------
@dataclass(frozen=True)
class PendingRequest:
    """A request waiting for the answer to "who is this for?"."""

    intent: Intent
    text: str
    locale: Locale


# The call-back reply that also offers the crisis line (settings.crisis_line_number; the plain one without it).
CRISIS_REPLY = "sms.callback_crisis"
EMERGENCY_AND_NEW_REPLY = "sms.emergency_unanswered.new"  # both texts to staff, and the need's reference


@dataclass(frozen=True)
class EmergencyCheck:
    """A text that may be an emergency, waiting for YES (alert staff now) or NO."""

    text: str
    locale: Locale
    asked_by: str = ""  # the message that was asked about (the unanswered-question job looks for it)
    # A NO still brings a person: the text was about wanting to die (intents Match.person).
    person: bool = False


@dataclass(frozen=True)
class ConversationState:
    """What we last asked a sender; stored as JSON per phone number (empty: nothing pending)."""

    pending: PendingRequest | None = None
    choices: tuple[int, ...] = ()  # the seniors offered, in the order they were listed
    emergency_check: EmergencyCheck | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        if self.pending is not None:
            data["pending"] = {
                "intent": self.pending.intent.value,
                "text": self.pending.text,
                "locale": self.pending.locale.value,
            }
            data["choices"] = list(self.choices)
        if self.emergency_check is not None:
            check = self.emergency_check
            data["emergency_check"] = {
                "text": check.text,
                "locale": check.locale.value,
                "asked_by": check.asked_by,
                "person": check.person,
            }
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any], default_locale: Locale = Locale.EN) -> ConversationState:
        """Read a stored state; anything unreadable (an older shape, a removed intent) counts as nothing pending."""
        pending = data.get("pending")
        check = data.get("emergency_check")
        try:
            return cls(
                pending=None
                if not pending
                else PendingRequest(
                    Intent(pending["intent"]), str(pending["text"]), Locale(pending.get("locale", default_locale))
                ),
                choices=tuple(int(c) for c in data.get("choices", ())),
                emergency_check=None
                if not check
                else EmergencyCheck(
                    str(check["text"]),
                    Locale(check.get("locale", default_locale)),
                    str(check.get("asked_by", "")),
                    bool(check.get("person", False)),
                ),
            )
        except (KeyError, TypeError, ValueError):
            return cls()


NOTHING_PENDING = ConversationState()


@dataclass(frozen=True)
class Outcome:
    actions: tuple[SmsDecision, ...]
    reply: Reply | None  # None: send nothing (Twilio confirms STOP itself; an opted-out number gets nothing)
    locale: Locale
    state: ConversationState = NOTHING_PENDING  # what to remember for the next text


# --- what carrying out a decision found (the edge reports it; `settle` chooses the reply by it) ---------------
@dataclass(frozen=True)
class Created:
    """The request was made (or had been, by a repeated delivery)."""

    reference: str
    promised_by: str | None = None  # a callback: when it is promised, written in the sender's language


@dataclass(frozen=True)
class NotFound:
    """No request with this reference that the sender may see."""

    reference: str


@dataclass(frozen=True)
class StatusItem:
    reference: str
    intent: str
    status: str
    senior_name: str | None = None


@dataclass(frozen=True)
class StatusList:
    """The requests asked about, newest first (empty: nothing open)."""

    items: tuple[StatusItem, ...]


@dataclass(frozen=True)
class Refused:
    """The change could not be made (staff moved the request meanwhile, or it was rated already)."""

    now: StatusItem


@dataclass(frozen=True)
class Repeated:
    """The same text came from the same number a little earlier: its request stands, none is made."""

    reference: str


@dataclass(frozen=True)
class Done:
    """The change was made (confirmed, reopened, rated, opted out or in)."""


SmsResult = Created | Repeated | NotFound | StatusList | Refused | Done


def settle(outcome: Outcome, results: tuple[SmsResult, ...]) -> Reply | None:
    """The reply to send once the decisions were carried out: what happened decides what is said."""
    reply = outcome.reply
    if reply is None:
        return None
    if reply.key == EMERGENCY_AND_NEW_REPLY:
        # The urgent request comes first and the need the second text named last: its reference is the one to
        # give (a need asked for again keeps its earlier reference).
        need = results[-1] if results else None
        if isinstance(need, Created | Repeated):
            return Reply(reply.key, {**reply.params, "reference": need.reference})
        return Reply("sms.emergency_unanswered")
    for result in results:
        if isinstance(result, NotFound):
            return Reply("sms.status.not_found", {"reference": result.reference})
        if isinstance(result, Refused):
            return _status_reply((result.now,))
        if isinstance(result, StatusList):
            return _status_reply(result.items)
        if isinstance(result, Repeated) and not any(isinstance(r, Created) for r in results):
            # Only a repeat: "you already asked". Beside a new request (an unanswered emergency question and
            # a need asked for again) the reply about the new one stands.
            return Reply("sms.repeated", {"reference": result.reference})
        if isinstance(result, Created):
            extra = {"reference": result.reference}
            if result.promised_by is not None:
                extra["when"] = result.promised_by
            reply = Reply(reply.key, {**reply.params, **extra})
    return reply


def _status_reply(items: tuple[StatusItem, ...]) -> Reply:
    if not items:
        return Reply("sms.status.none")
    if len({item.senior_name for item in items}) <= 1:
        # Requests for one senior need no name in front of each; several seniors' requests do.
        items = tuple(replace(item, senior_name=None) for item in items)
    return Reply("sms.status.list", {"items": items, "count": len(items)})


def reply_locale(sender: SenderView, text: str, default: Locale) -> Locale:
    """The sender's profile language, else the language of the text, else the hotline's default."""
    return sender.locale or detect_locale(text) or default


def utterance_of(text: str, sender: SenderView, default_locale: Locale = Locale.EN) -> Utterance:
    """The one input shape for a text, in the language it is written in (the edge adds the semantic opinion)."""
    return Utterance(text, InputSource.SMS, detect_locale(text) or reply_locale(sender, text, default_locale))


def reply_to(
    text: str,
    sender: SenderView,
    state: ConversationState,
    *,
    default_locale: Locale = Locale.EN,
    heard: Utterance | None = None,
    now: datetime | None = None,
    rules: Rules = Rules(),  # frozen, so one shared default is safe
) -> Outcome:
    """Decide what one incoming text means and what to answer; `heard` is the text as the edge enriched it.

    `now` is when the text arrived (a rating is taken only within `rules.rating_window` of the question).
    """
    locale = reply_locale(sender, text, default_locale)
    if now is not None:
        sender = replace(sender, awaiting_rating=_asked_just_now(sender, now, rules))
    outcome = _decide(text, sender, state, locale, heard if heard is not None and heard.text == text else None)
    if sender.opted_out and not any(isinstance(a, OptIn) for a in outcome.actions):
        # Texting us is their own act, so we still do the work (a request is created, staff see it), but a
        # number that said STOP gets nothing back from us until START (Twilio would refuse it anyway).
        return Outcome(outcome.actions, None, outcome.locale, outcome.state)
    return outcome


def _asked_just_now(sender: SenderView, now: datetime, rules: Rules) -> tuple[RequestRef, ...]:
    """The closed requests whose rating question this text directly answers.

    Direct: asked within the window, and nothing else texted since ("1" an hour later, after other texts,
    answers something else, not "how did we do?"). The question's time is unknown for refs the edge did not
    date; those are left out rather than guessed.
    """
    return tuple(
        ref
        for ref in sender.awaiting_rating
        if ref.asked_at is not None
        and now - ref.asked_at <= rules.rating_window
        and (sender.last_text_at is None or sender.last_text_at < ref.asked_at)
    )


def _decide(
    text: str, sender: SenderView, state: ConversationState, locale: Locale, heard: Utterance | None
) -> Outcome:
    hit = keyword_of(text)
    if hit is not None and hit.keyword is not Keyword.START:
        # STOP, HELP and STATUS answer at once, and an emergency question still waiting stays waiting (its
        # timeout brings it to staff): a keyword in between never drops what the first text said.
        return replace(
            _keyword(hit, sender, locale), state=replace(NOTHING_PENDING, emergency_check=state.emergency_check)
        )
    if hit is not None and hit.keyword is Keyword.START and (sender.opted_out or not hit.twilio_handles):
        return Outcome((OptIn(),), Reply("sms.started"), locale)

    check = state.emergency_check
    if check is not None:
        answer = match_utterance(Utterance(text, InputSource.SMS, detect_locale(text) or locale), YES_OR_NO)
        if answer.intent is Intent.YES and answer.decision is not Decision.REJECT:
            return _emergency(f"{check.text}\n{text}", sender, check.locale)
        if answer.intent is Intent.NO and answer.decision is not Decision.REJECT:
            if check.person:
                # No emergency, but somebody said they want to die: a person at the front desk calls back.
                senior = _senior_without_asking(check.text, sender)  # as YES would have chosen
                made = _create(Intent.OPERATOR, senior, check.text, check.locale, sender)
                # The reply also offers the crisis line, when the deployment has one (sms.handling._render).
                return replace(made, reply=Reply(CRISIS_REPLY, made.reply.params if made.reply is not None else {}))
            return Outcome((), Reply("sms.what_needed"), locale)
        # Anything else leaves the question unanswered, and an unclear answer to an emergency question counts
        # as yes (DESIGN.md): staff get the first text now, with this one, as an urgent request, rather than the
        # first being forgotten. A need this text names is requested too, for its own team.
        urgent = urgent_request(f"{check.text}\n{text}", sender, check.locale)
        own = _understand(text, sender, locale, heard)
        also = tuple(a for a in own.actions if isinstance(a, CreateRequest) and a.intent is not Intent.EMERGENCY)
        if not also:
            return Outcome((urgent,), Reply("sms.emergency_unanswered"), locale)
        # The sender named a need: they are told its reference too, as for any request (settle fills it in).
        return Outcome((urgent, *also), Reply(EMERGENCY_AND_NEW_REPLY, {"intent": also[-1].intent.value}), locale)

    pending = state.pending
    if pending is not None and sender.role is Role.FAMILY:
        chosen = choose_senior(text, sender.seniors, state.choices)
        if chosen is not None:
            return _create(pending.intent, chosen, pending.text, pending.locale, sender)

    digits = digit_reply(text)
    if digits is not None and sender.role is not Role.UNKNOWN:
        answered = _digit_answer(digits, sender, locale)
        if answered is not None:
            return answered

    if sender.awaiting_confirmation and sender.role is not Role.UNKNOWN:
        answered = _answer_in_words(text, sender, locale)
        if answered is not None:
            return answered

    return _understand(text, sender, locale, heard)


def _keyword(hit: KeywordHit, sender: SenderView, locale: Locale) -> Outcome:
    if hit.keyword is Keyword.STOP:
        # Twilio answers its own STOP words; a second confirmation from us would be refused (error 21610).
        reply = None if hit.twilio_handles else Reply("sms.stopped")
        return Outcome((OptOut(),), reply, locale)
    if hit.keyword is Keyword.HELP:
        return Outcome((), Reply("sms.help"), locale)
    if sender.role is Role.UNKNOWN:
        return Outcome((), Reply("sms.unknown_sender"), locale)
    return Outcome((ListStatus(hit.reference),), Reply("sms.status.list"), locale)


def _answer_in_words(text: str, sender: SenderView, locale: Locale) -> Outcome | None:
    """A reply in words to "is it sorted?" closes or reopens; one that also asks for something else is asked about.

    "Yes thank you, the meals arrived" answers the meal request. "Yes, and I also need a ride" may answer it
    or may only be a new request: we ask about the request rather than guess, and the ride is requested now.
    """
    answer = answer_of(text)
    if answer is None:
        return None
    waiting = sender.awaiting_confirmation
    need = _need_in(answer.rest, locale)
    same = [ref for ref in waiting if need is not None and ref.intent == need.value]
    digit = CONFIRM_FIXED if answer.verdict is Verdict.FIXED else CONFIRM_NOT_FIXED
    if need is None or (same and answer.worded):
        target = (same or list(waiting))[0] if len(same) == 1 or len(waiting) == 1 else None
        if target is None:
            return Outcome((), Reply("sms.which_request", {"digit": digit, "reference": waiting[0].reference}), locale)
        if answer.verdict is Verdict.FIXED:
            return Outcome(
                (ConfirmResolved(target.reference, text),),
                Reply("sms.confirmed", {"reference": target.reference}),
                locale,
            )
        return Outcome(
            (Reopen(target.reference, text),), Reply("sms.reopened", {"reference": target.reference}), locale
        )
    asked = (same or list(waiting))[0]
    question = {"asked": asked.reference, "asked_intent": asked.intent}
    if same:
        # "No, mum needs her meals": about this request, but not plainly an answer. Ask; the words go on it.
        return Outcome((NoteOn(asked.reference, text),), Reply("sms.about_request", question), locale)
    new = _act_on(need, text, sender, locale)
    if len(new.actions) == 1 and isinstance(new.actions[0], CreateRequest) and need is not Intent.EMERGENCY:
        return Outcome(
            new.actions, Reply("sms.about_request.new", {**question, "intent": need.value}), locale, new.state
        )
    return new  # an emergency, or "who is this for?": that first; the request still waits for its answer


def _need_in(rest: str, locale: Locale) -> Intent | None:
    """The service the words beside an answer ask for, if any."""
    if not rest.strip():
        return None
    found = match_utterance(Utterance(rest, InputSource.SMS, detect_locale(rest) or locale))
    if found.decision is Decision.REJECT or found.negated or found.intent is None or found.intent in NOT_A_NEED:
        return None
    return found.intent


def _digit_answer(digits: DigitReply, sender: SenderView, locale: Locale) -> Outcome | None:
    """Digits "1"/"2" confirm or reopen a resolved request; "1"-"5" rate a closed one; a reference picks which.

    A rating question asked after the newest "is it sorted?" is what a bare digit answers.
    """
    if digits.digit in RATING_RANGE and sender.awaiting_rating and digits.reference is None:
        newest_rating = max((r.asked_at for r in sender.awaiting_rating if r.asked_at), default=None)
        newest_confirm = max((r.asked_at for r in sender.awaiting_confirmation if r.asked_at), default=None)
        if newest_rating is not None and (newest_confirm is None or newest_confirm < newest_rating):
            rated = sender.awaiting_rating[0].reference
            return Outcome((Rate(rated, digits.digit),), Reply("sms.rated", {"reference": rated}), locale)
    if digits.digit in (CONFIRM_FIXED, CONFIRM_NOT_FIXED) and sender.awaiting_confirmation:
        target = _pick(digits, sender.awaiting_confirmation)
        if target is None:
            example = sender.awaiting_confirmation[0].reference
            return Outcome((), Reply("sms.which_request", {"digit": digits.digit, "reference": example}), locale)
        if digits.digit == CONFIRM_FIXED:
            return Outcome((ConfirmResolved(target),), Reply("sms.confirmed", {"reference": target}), locale)
        return Outcome((Reopen(target),), Reply("sms.reopened", {"reference": target}), locale)
    if digits.digit in RATING_RANGE and sender.awaiting_rating:
        target = _pick(digits, sender.awaiting_rating, latest_wins=True)
        if target is not None:
            return Outcome((Rate(target, digits.digit),), Reply("sms.rated", {"reference": target}), locale)
    return None


def _pick(digits: DigitReply, candidates: tuple[RequestRef, ...], *, latest_wins: bool = False) -> str | None:
    if digits.reference is not None:
        return next((c.reference for c in candidates if c.reference == digits.reference), None)
    if len(candidates) == 1 or latest_wins:
        return candidates[0].reference
    return None  # several requests wait for an answer: ask which


def _understand(text: str, sender: SenderView, locale: Locale, heard: Utterance | None) -> Outcome:
    # Nothing is pending here, so only what a first message can ask for: a bare "yes" or "thanks" asks for nothing.
    found = match_utterance(heard or Utterance(text, InputSource.SMS, detect_locale(text) or locale), REQUESTS)
    intent = found.intent if found.decision is not Decision.REJECT and not found.negated else None
    if found.intent is Intent.EMERGENCY and found.decision is Decision.CONFIRM:
        # "Please help my mum" may be an emergency or a request. The reply tells them to call the emergency
        # number now if anyone is in danger (what matters most in a real one), and asks: YES alerts staff.
        check = ConversationState(emergency_check=EmergencyCheck(text, locale, person=found.person))
        return Outcome((), Reply("sms.emergency_check"), locale, check)
    if intent is Intent.STATUS:
        if sender.role is Role.UNKNOWN:
            return Outcome((), Reply("sms.unknown_sender"), locale)
        return Outcome((ListStatus(),), Reply("sms.status.list"), locale)
    if intent is None and _substantial(text):
        intent = Intent.OPERATOR  # a person at the front desk reads it and calls back
    if intent is None:
        key = "sms.unknown_sender" if sender.role is Role.UNKNOWN else "sms.not_understood"
        return Outcome((), Reply(key), locale)
    return _act_on(intent, text, sender, locale)


def _act_on(intent: Intent, text: str, sender: SenderView, locale: Locale) -> Outcome:
    """Make the request a text asks for (asking first which senior it is for, when that is unclear)."""
    if intent is Intent.EMERGENCY:
        return _emergency(text, sender, locale)
    if sender.role is Role.UNKNOWN:
        return Outcome((), Reply("sms.unknown_sender"), locale)
    if sender.role is Role.SENIOR:
        return _create(intent, sender.seniors[0].id, text, locale, sender)
    if len(sender.seniors) == 1:
        return _create(intent, sender.seniors[0].id, text, locale, sender)
    named = senior_named_in(text, sender.seniors)
    if named is not None:
        return _create(intent, named, text, locale, sender)
    listing = ", ".join(f"{n} {s.name}" for n, s in enumerate(sender.seniors, start=1))
    state = ConversationState(PendingRequest(intent, text, locale), tuple(s.id for s in sender.seniors))
    return Outcome((), Reply("sms.which_senior", {"choices": listing}), locale, state)


def _emergency(text: str, sender: SenderView, locale: Locale) -> Outcome:
    """Alert staff (and the senior's other contacts) now; tell the texter to call the emergency number.

    Someone not on file gets the same: nothing is created for a senior, but an emergency is never ignored
    (a request without a senior alerts staff). Family linked to several seniors are not asked which one
    first: staff see the text and the number, and there is no time for a question.
    """
    return Outcome((urgent_request(text, sender, locale),), Reply("sms.emergency"), locale)


def urgent_request(text: str, sender: SenderView, locale: Locale) -> CreateRequest:
    """The emergency request a text makes (for the senior it is about, see `_senior_without_asking`)."""
    return CreateRequest(Intent.EMERGENCY, _senior_without_asking(text, sender), text, locale)


def _senior_without_asking(text: str, sender: SenderView) -> int | None:
    """The senior a text is about when there is no time to ask: the sender's one senior, or the one it names, else
    nobody yet (staff read it)."""
    if sender.role is Role.SENIOR or (sender.role is Role.FAMILY and len(sender.seniors) == 1):
        return sender.seniors[0].id
    return senior_named_in(text, sender.seniors) if sender.seniors else None


def _create(intent: Intent, senior_id: int | None, text: str, locale: Locale, sender: SenderView) -> Outcome:
    if intent is Intent.OPERATOR:
        key = "sms.callback"
    else:
        key = "sms.created.self" if sender.role is Role.SENIOR else "sms.created"
    name = next((s.name for s in sender.seniors if s.id == senior_id), "")
    reply = Reply(key, {"who": name, "intent": intent.value})
    return Outcome((CreateRequest(intent, senior_id, text, locale),), reply, locale)


def choose_senior(text: str, seniors: tuple[SeniorRef, ...], choices: tuple[int, ...]) -> int | None:
    """The senior a reply to "who is this for?" names: their number in the list, or their name."""
    answer = normalise(text)
    if answer.isdecimal() and 1 <= int(answer) <= len(choices):
        chosen = choices[int(answer) - 1]
        return chosen if any(s.id == chosen for s in seniors) else None
    # "Mary" or "for Mary" answers the question; "Mary needs a meal" is a new request of its own.
    if len(answer.split()) > MAX_WORDS_IN_A_NAME_ANSWER:
        return None
    return senior_named_in(text, seniors)


def senior_named_in(text: str, seniors: tuple[SeniorRef, ...]) -> int | None:
    """The one linked senior whose name (or first name) the text mentions; None when none or several."""
    folded = normalise(text)
    words = set(re.findall(r"\w+", folded))
    hits = {
        s.id
        for s in seniors
        if normalise(s.name) in folded or any(len(part) >= 2 and part in words for part in normalise(s.name).split())
    }
    return hits.pop() if len(hits) == 1 else None


def _substantial(text: str) -> bool:
    cjk = sum(1 for ch in text if unicodedata.category(ch) == "Lo")
    words = [w for w in text.split() if any(ch.isalnum() for ch in w)]
    return cjk >= MIN_CJK_CHARS_FOR_PERSON or len(words) >= MIN_WORDS_FOR_PERSON
