"""The inbox page: texts from numbers not on file, made into requests, their senders linked, or dismissed (why)."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, g, render_template, request
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from care import directory, inbox
from care.hours import ServiceHours
from care.models import InboxStatus, InboxText, Senior
from care.routing import ROUTES
from care.settings import LOCALES
from console.web import actor, back_to, bp, stored_id, t
from web.context import current

NEW_SENIOR = "new"
HANDLED_SHOWN = 50


def _form(name: str) -> str:
    return request.form.get(name, "")


@bp.context_processor
def _inbox_count() -> dict[str, Any]:
    """How many texts wait in the inbox, for the navigation (only for a logged-in page)."""
    if g.get("staff") is None:
        return {}
    with current().db.sessions() as db:
        return {"inbox_open": inbox.open_count(db)}


@bp.get("/inbox")
def inbox_page() -> str:
    with current().db.sessions() as db:
        waiting = inbox.texts(db)
        handled = [*inbox.texts(db, status=InboxStatus.REQUEST), *inbox.texts(db, status=InboxStatus.DISMISSED)]
        handled.sort(key=lambda text: text.received_at, reverse=True)
        handled = handled[:HANDLED_SHOWN]
        histories = {text.id: inbox.history(db, text) for text in [*waiting, *handled]}
        references = {text.id: text.request.reference for text in handled if text.request is not None}
        return render_template(
            "console/inbox.html",
            waiting=waiting,
            handled=handled,
            histories=histories,
            references=references,
            seniors=list(db.scalars(select(Senior).order_by(Senior.name))),
            services=list(ROUTES),
            locales=LOCALES,
        )


def _open_text(db: Session, text_id: int) -> InboxText:
    try:
        return inbox.get(db, text_id)
    except inbox.InboxError:
        abort(404)


def _senior(db: Session, raw: str) -> Senior:
    senior_id = stored_id(raw)
    senior = db.get(Senior, senior_id) if senior_id is not None else None
    if senior is None:
        raise inbox.InboxError(t("inbox.choose_senior"))
    return senior


@bp.post("/inbox/<int:text_id>/request")
def inbox_request(text_id: int) -> Response:
    hl = current()
    try:
        with hl.db.transaction() as db:
            text = _open_text(db, text_id)
            choice = _form("senior_id")
            new_senior = None
            senior = None
            if choice == NEW_SENIOR:
                new_senior = inbox.NewSenior(
                    name=_form("new_name"), phone=_form("new_phone"), locale=_form("new_locale") or text.locale
                )
            elif choice:
                senior = _senior(db, choice)
            made = inbox.make_request(
                db,
                text,
                intent=_form("intent"),
                actor=actor(),
                zone=hl.settings.zone,
                hours=ServiceHours.from_settings(hl.settings),
                senior=senior,
                new_senior=new_senior,
                region=hl.settings.default_region,
            )
            reference = made.reference
    except (inbox.InboxError, directory.DirectoryError) as exc:
        flash(t("inbox.not_done", reason=str(exc)), "error")
        return back_to("console.inbox_page")
    hl.queue.wake_outbox()
    flash(t("inbox.made_request", reference=reference), "ok")
    return back_to("console.request_page", reference=reference)


@bp.post("/inbox/<int:text_id>/link")
def inbox_link(text_id: int) -> Response:
    try:
        with current().db.transaction() as db:
            text = _open_text(db, text_id)
            senior = _senior(db, _form("senior_id"))
            link = inbox.link_sender(
                db,
                text,
                senior=senior,
                name=_form("name"),
                consent_given_by=_form("consent_given_by"),
                relationship_label=_form("relationship"),
                actor=actor(),
                region=current().settings.default_region,
            )
            done = t("inbox.linked", name=link.family_member.name, senior=senior.name)
    except (inbox.InboxError, directory.DirectoryError) as exc:
        flash(t("inbox.not_done", reason=str(exc)), "error")
        return back_to("console.inbox_page")
    flash(done, "ok")
    return back_to("console.inbox_page", _anchor=f"text-{text_id}")


@bp.post("/inbox/<int:text_id>/dismiss")
def inbox_dismiss(text_id: int) -> Response:
    try:
        with current().db.transaction() as db:
            inbox.dismiss(db, _open_text(db, text_id), reason=_form("reason"), actor=actor())
    except inbox.InboxError as exc:
        flash(t("inbox.not_done", reason=str(exc)), "error")
        return back_to("console.inbox_page")
    flash(t("inbox.dismissed"), "ok")
    return back_to("console.inbox_page")
