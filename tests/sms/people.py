"""People on file for SMS and care tests, and a helper that texts the app as Twilio would."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from flask.testing import FlaskClient
from sqlalchemy import func, select

from care import directory
from care.models import InboundMessage, Notification, ServiceRequest
from tests.twiml import Verb, parse_twiml, signed_post
from web.context import Hearthline

HOTLINE = "+15550100000"
MARY = "+15550001001"  # senior, English
WANG = "+15550001002"  # senior, Chinese
KIM = "+15550001003"  # senior, Korean
ROSA = "+15550001004"  # senior, Spanish
ANN = "+15550002001"  # Mary's daughter (English), linked to Mary only
LI = "+15550002002"  # Wang's son (Chinese), linked to Wang only
JIN = "+15550002003"  # Kim's daughter (Korean)
CARMEN = "+15550002004"  # Rosa's daughter (Spanish)
SAM = "+15550002005"  # linked to Mary AND Wang (a neighbour both trust)
PAT = "+15550002006"  # family on file but not linked to anyone
STRANGER = "+15550009999"
STAFF_ON_CALL = "+15550003001"
STAFF_REPAIRS = "+15550003002"

_sids = itertools.count(1)


def add_people(hl: Hearthline) -> None:
    """Four seniors (one per language), their family, one person linked to two seniors, and staff."""
    with hl.db.transaction() as s:
        mary = directory.add_senior(s, phone=MARY, name="Mary Jones", locale="en", area="north")
        wang = directory.add_senior(s, phone=WANG, name="王伟", locale="zh")
        kim = directory.add_senior(s, phone=KIM, name="김영희", locale="ko")
        rosa = directory.add_senior(s, phone=ROSA, name="Rosa Díaz", locale="es")
        for phone, name, locale, senior in (
            (ANN, "Ann Jones", "en", mary),
            (LI, "李明", "zh", wang),
            (JIN, "김지은", "ko", kim),
            (CARMEN, "Carmen Díaz", "es", rosa),
        ):
            member = directory.add_family_member(s, phone=phone, name=name, locale=locale)
            directory.link_family(s, senior=senior, family=member, consent_given_by=senior.name)
        sam = directory.add_family_member(s, phone=SAM, name="Sam Lee", locale="en")
        directory.link_family(s, senior=mary, family=sam, consent_given_by="Mary Jones")
        directory.link_family(s, senior=wang, family=sam, consent_given_by="王伟")
        directory.add_family_member(s, phone=PAT, name="Pat Unlinked", locale="en")
        directory.add_staff(s, username="olu", name="Olu On-call", team="on_call", phone=STAFF_ON_CALL)
        directory.add_staff(s, username="rae", name="Rae Repairs", team="repairs", phone=STAFF_REPAIRS)
        directory.add_staff(s, username="admin", name="Ada Admin", role="admin", phone="+15550003009")


@dataclass(frozen=True)
class Texted:
    sid: str
    status: int
    verbs: list[Verb]

    @property
    def replies(self) -> list[str]:
        """The text of each <Message> in the answer."""
        assert all(v.tag == "Message" for v in self.verbs), self.verbs
        return [v.text for v in self.verbs]

    @property
    def reply(self) -> str:
        assert len(self.replies) == 1, self.replies
        return self.replies[0]


def text(client: FlaskClient, hl: Hearthline, sender: str, body: str, *, sid: str | None = None) -> Texted:
    """Deliver one SMS to the webhook as Twilio does (signed form post) and parse the TwiML answer."""
    sid = sid or f"SM{next(_sids):032x}"
    params = {
        "MessageSid": sid,
        "AccountSid": hl.settings.twilio_account_sid,
        "From": sender,
        "To": HOTLINE,
        "Body": body,
        "NumMedia": "0",
    }
    response = signed_post(client, hl, "/sms/incoming", params)
    return Texted(sid, response.status_code, parse_twiml(response))


def requests_of(hl: Hearthline) -> list[ServiceRequest]:
    with hl.db.sessions() as s:
        return list(s.scalars(select(ServiceRequest).order_by(ServiceRequest.id)))


def outbox(hl: Hearthline) -> list[Notification]:
    with hl.db.sessions() as s:
        return list(s.scalars(select(Notification).order_by(Notification.id)))


def inbound_count(hl: Hearthline) -> int:
    with hl.db.sessions() as s:
        return int(s.scalar(select(func.count()).select_from(InboundMessage)) or 0)
