"""Seniors, family members and their consented links; staff accounts, phone numbers and PINs (admins only)."""

from __future__ import annotations

from flask import abort, flash, render_template, request
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from care import directory
from care.lifecycle import OPEN_STATUSES
from care.models import FamilyLink, FamilyMember, Senior, ServiceRequest, StaffMember, StaffRole, utcnow
from care.routing import TEAMS
from care.settings import LOCALES
from console.broadcasts_page import crisis_profile
from console.calls_page import texts_choice, texts_label
from console.web import admin_required, back_to, bp, staff, stored_id, t
from web.context import current

PEOPLE_LIMIT = 500


def _form(name: str) -> str:
    return request.form.get(name, "")


@bp.get("/people")
def people() -> str:
    search = request.args.get("q", "").strip()[:60]
    with current().db.sessions() as db:
        seniors_q = select(Senior).order_by(Senior.name).limit(PEOPLE_LIMIT)
        family_q = (
            select(FamilyMember)
            .options(selectinload(FamilyMember.links).selectinload(FamilyLink.senior))
            .order_by(FamilyMember.name)
            .limit(PEOPLE_LIMIT)
        )
        if search:
            like = f"%{search}%"
            seniors_q = seniors_q.where(or_(Senior.name.ilike(like), Senior.phone.like(like)))
            family_q = family_q.where(or_(FamilyMember.name.ilike(like), FamilyMember.phone.like(like)))
        open_counts = dict(
            db.execute(
                select(ServiceRequest.senior_id, func.count())
                .where(ServiceRequest.status.in_([s.value for s in OPEN_STATUSES]))
                .group_by(ServiceRequest.senior_id)
            ).all()
        )
        return render_template(
            "console/people.html",
            seniors=list(db.scalars(seniors_q)),
            family=list(db.scalars(family_q)),
            open_counts=open_counts,
            locales=LOCALES,
            search=search,
        )


@bp.post("/seniors")
def add_senior() -> Response:
    try:
        with current().db.transaction() as db:
            senior = directory.add_senior(
                db,
                phone=_form("phone"),
                name=_form("name"),
                locale=_form("locale") or "en",
                address=_form("address"),
                area=_form("area"),
                notes=_form("notes"),
                region=current().settings.default_region,
                lives_alone=_form("lives_alone") == "1",
            )
            senior_id = senior.id
    except directory.DirectoryError as exc:
        flash(t("people.not_saved", reason=str(exc)), "error")
        return back_to("console.people")
    flash(t("people.senior_added"), "ok")
    return back_to("console.senior_page", senior_id=senior_id)


@bp.post("/family")
def add_family() -> Response:
    try:
        with current().db.transaction() as db:
            directory.add_family_member(
                db,
                phone=_form("phone"),
                name=_form("name"),
                locale=_form("locale") or "en",
                region=current().settings.default_region,
            )
    except directory.DirectoryError as exc:
        flash(t("people.not_saved", reason=str(exc)), "error")
        return back_to("console.people")
    flash(t("people.family_added"), "ok")
    return back_to("console.people")


@bp.get("/seniors/<int:senior_id>")
def senior_page(senior_id: int) -> str:
    with current().db.sessions() as db:
        senior = db.get(Senior, senior_id)
        if senior is None:
            abort(404)
        links = list(
            db.scalars(
                select(FamilyLink)
                .options(selectinload(FamilyLink.family_member))
                .where(FamilyLink.senior_id == senior.id)
                .order_by(FamilyLink.active.desc(), FamilyLink.id)
            )
        )
        linked = {link.family_member_id for link in links if link.active}
        candidates = [m for m in db.scalars(select(FamilyMember).order_by(FamilyMember.name)) if m.id not in linked]
        requests = list(
            db.scalars(
                select(ServiceRequest)
                .where(ServiceRequest.senior_id == senior.id)
                .order_by(ServiceRequest.created_at.desc())
                .limit(50)
            )
        )
        return render_template(
            "console/senior.html",
            senior=senior,
            links=links,
            candidates=candidates,
            requests=requests,
            texts=texts_label(db, senior.phone),
            texts_choice=texts_choice(db, senior.phone),
            **crisis_profile(db, senior),
        )


@bp.post("/seniors/<int:senior_id>/profile")
def edit_senior(senior_id: int) -> Response:
    try:
        with current().db.transaction() as db:
            senior = db.get(Senior, senior_id)
            if senior is None:
                abort(404)
            directory.update_senior(
                senior,
                name=_form("name"),
                locale=_form("locale") or senior.locale,
                address=_form("address"),
                area=_form("area"),
                notes=_form("notes"),
                lives_alone=_form("lives_alone") == "1",
            )
    except directory.DirectoryError as exc:
        flash(t("people.not_saved", reason=str(exc)), "error")
        return back_to("console.senior_page", senior_id=senior_id)
    flash(t("people.profile_saved"), "ok")
    return back_to("console.senior_page", senior_id=senior_id)


@bp.post("/seniors/<int:senior_id>/links")
def link_family(senior_id: int) -> Response:
    try:
        with current().db.transaction() as db:
            senior = db.get(Senior, senior_id)
            family_id = stored_id(_form("family_id"))
            family = db.get(FamilyMember, family_id) if family_id is not None else None
            if senior is None:
                abort(404)
            if family is None:
                raise directory.DirectoryError(t("people.pick_family"))
            directory.link_family(
                db,
                senior=senior,
                family=family,
                consent_given_by=_form("consent_given_by"),
                relationship_label=_form("relationship"),
            )
    except directory.DirectoryError as exc:
        flash(t("people.not_saved", reason=str(exc)), "error")
        return back_to("console.senior_page", senior_id=senior_id)
    flash(t("people.linked"), "ok")
    return back_to("console.senior_page", senior_id=senior_id)


@bp.post("/links/<int:link_id>/end")
def end_link(link_id: int) -> Response:
    with current().db.transaction() as db:
        link = db.get(FamilyLink, link_id)
        if link is None:
            abort(404)
        directory.end_link(link)
        senior_id = link.senior_id
    flash(t("people.link_ended"), "ok")
    return back_to("console.senior_page", senior_id=senior_id)


@bp.get("/staff")
@admin_required
def staff_page() -> str:
    with current().db.sessions() as db:
        members = list(db.scalars(select(StaffMember).order_by(StaffMember.active.desc(), StaffMember.username)))
        return render_template(
            "console/staff.html",
            members=members,
            teams=TEAMS,
            roles=[r.value for r in StaffRole],
            pin_digits=directory.PIN_DIGITS,
            password_min=directory.PASSWORD_MIN_LENGTH,
            now=utcnow(),
        )


@bp.post("/staff")
@admin_required
def add_staff() -> Response:
    try:
        with current().db.transaction() as db:
            directory.add_staff(
                db,
                username=_form("username"),
                name=_form("name"),
                password=_form("password"),
                role=_form("role") or StaffRole.STAFF,
                team=_form("team") if _form("team") in TEAMS else "",
                phone=_form("phone"),
                region=current().settings.default_region,
            )
    except directory.DirectoryError as exc:
        flash(t("people.not_saved", reason=str(exc)), "error")
        return back_to("console.staff_page")
    flash(t("staff.added"), "ok")
    return back_to("console.staff_page")


@bp.post("/staff/<int:member_id>/<what>")
@admin_required
def change_staff(member_id: int, what: str) -> Response:
    if what not in {"pin", "password", "unlock", "deactivate", "activate", "phone"}:
        abort(404)
    try:
        with current().db.transaction() as db:
            member = db.get(StaffMember, member_id)
            if member is None:
                abort(404)
            if what == "pin":
                directory.set_pin(member, _form("pin"))
            elif what == "password":
                directory.set_password(member, _form("password"))
            elif what == "unlock":
                directory.unlock(member)
            elif what == "phone":
                directory.set_staff_phone(db, member, _form("phone"), region=current().settings.default_region)
            elif what == "deactivate":
                if member.id == staff().id:
                    raise directory.DirectoryError(t("staff.not_yourself"))
                member.active = False
            else:
                member.active = True
    except directory.DirectoryError as exc:
        flash(t("people.not_saved", reason=str(exc)), "error")
        return back_to("console.staff_page")
    flash(t(f"staff.changed.{what}"), "ok")
    return back_to("console.staff_page")
