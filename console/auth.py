"""Console login and logout: hashed passwords, a fresh session on login, lockout after repeated failures."""

from __future__ import annotations

import logging

from flask import redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response

from care.directory import LoginOutcome, end_sessions, login_candidate, password_matches, record_login
from care.models import StaffMember, utcnow
from console.web import bp, t
from web import csrf
from web.context import current

log = logging.getLogger(__name__)


def _safe_next(target: str | None) -> str:
    """Only a path of the console itself (never another site: no scheme, no //host)."""
    if target and target.startswith("/console/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("console.queue")


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response | tuple[str, int] | str:
    if request.method == "GET":
        return render_template("console/login.html", next=request.args.get("next", ""), error="")
    username = request.form.get("username", "")
    password = request.form.get("password", "")
    with current().db.sessions() as db:
        candidate = login_candidate(db, username)
    right = password_matches(candidate, password)
    with current().db.transaction() as db:
        result = record_login(db, candidate, right)
        staff_id = result.staff.id if result.staff is not None else None
        epoch = result.staff.session_epoch if result.staff is not None else 0
    if result.outcome is LoginOutcome.OK and staff_id is not None:
        lang = session.get("lang")
        # A new session on login: nothing chosen before logging in (or planted) carries over but the language.
        session.clear()
        session["staff_id"] = staff_id
        session["epoch"] = epoch
        session["logged_in_at"] = utcnow().timestamp()
        csrf.session_token(session)  # a fresh token for the fresh session
        if lang:
            session["lang"] = lang
        return redirect(_safe_next(request.form.get("next")), code=303)
    if result.outcome is LoginOutcome.LOCKED:
        log.warning("console login refused: account %r is locked after repeated failures", username[:60])
    # A locked account answers exactly as a wrong password or an unknown name does: no time, no other status,
    # so nobody can learn which usernames exist (OWASP ASVS V2.2.1; lockouts must not enumerate accounts).
    error = t("login.failed")
    return render_template("console/login.html", next=request.form.get("next", ""), error=error), 401


@bp.post("/logout")
def logout() -> Response:
    """End the session on the server too: a copy of the cookie (a shared computer, a proxy log) is then useless."""
    staff_id = session.get("staff_id")
    if isinstance(staff_id, int):
        with current().db.transaction() as db:
            member = db.get(StaffMember, staff_id)
            if member is not None and member.session_epoch == session.get("epoch"):
                end_sessions(member)
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    return redirect(url_for("console.login"), code=303)
