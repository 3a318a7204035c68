"""Outbound calls on the console: whether a number can receive texts (the senior's profile), and a request's
confirmation calls, with the close-with-a-note that staff may use once the calls ran their course."""

from __future__ import annotations

from flask import abort, flash, request
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from care.lifecycle import TransitionRefused
from care.lines import TextsBy, receives_texts, set_receives_texts
from care.models import Senior, ServiceRequest
from care.requests import RequestNotFound, find_by_reference
from console.web import actor, back_to, bp, t
from outreach.confirm import ConfirmCalls, ConfirmProgramme
from web.context import current

TEXTS_CHOICES = ("auto", "yes", "no")
NOTE_MAX_CHARS = 1000


def texts_label(db: Session, phone: str) -> str:
    """ "Receives texts (assumed...)", "Cannot receive texts (a landline by its number)..." for a profile."""
    can, why = receives_texts(db, phone)
    if why is TextsBy.STAFF:
        return t("people.texts.staff_yes") if can else t("people.texts.staff_no")
    return t("people.texts.guess") if can else t("people.texts.fixed_line")


def texts_choice(db: Session, phone: str) -> str:
    can, why = receives_texts(db, phone)
    return "auto" if why is not TextsBy.STAFF else "yes" if can else "no"


@bp.post("/seniors/<int:senior_id>/texts")
def set_texts(senior_id: int) -> Response:
    choice = request.form.get("texts", "")
    if choice not in TEXTS_CHOICES:
        abort(400, description=t("error.bad_request"))
    with current().db.transaction() as db:
        senior = db.get(Senior, senior_id)
        if senior is None:
            abort(404)
        value = None if choice == "auto" else choice == "yes"
        set_receives_texts(db, senior.phone, value, actor=actor())
    flash(t("people.texts.saved"), "ok")
    return back_to("console.senior_page", senior_id=senior_id)


def confirm_calls(db: Session, req: ServiceRequest) -> ConfirmCalls:
    return ConfirmProgramme(current().settings).calls_for(db, req)


@bp.post("/requests/<reference>/close-unreached")
def close_unreached(reference: str) -> Response:
    note = request.form.get("note", "").strip()[:NOTE_MAX_CHARS]
    if not note:
        flash(t("request.close_unreached_needs_note"), "error")
        return back_to("console.request_page", reference=reference)
    with current().db.transaction() as db:
        try:
            req = find_by_reference(db, reference)
        except RequestNotFound:
            abort(404)
        try:
            ConfirmProgramme(current().settings).close_unreached(db, req, actor=actor(), note=note)
        except TransitionRefused:
            flash(t("request.close_unreached_refused"), "error")
            return back_to("console.request_page", reference=reference)
    flash(t("request.closed_unreached"), "ok")
    return back_to("console.request_page", reference=reference)
