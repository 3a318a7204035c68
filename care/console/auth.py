"""Console login and logout: hashed passwords, a fresh session on login, lockout after repeated failures."""

from __future__ import annotations

import secrets

from flask import redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response

from care.console.web import bp, local_clock, t
from care.context import current
from care.directory import LoginOutcome, check_login
from care.models import utcnow


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
    with current().db.transaction() as db:
        result = check_login(db, username, password)
        staff_id = result.staff.id if result.staff is not None else None
    if result.outcome is LoginOutcome.OK and staff_id is not None:
        lang = session.get("lang")
        # A new session on login: nothing chosen before logging in (or planted) carries over but the language.
        session.clear()
        session["staff_id"] = staff_id
        session["logged_in_at"] = utcnow().timestamp()
        session["csrf"] = secrets.token_urlsafe(32)
        if lang:
            session["lang"] = lang
        return redirect(_safe_next(request.form.get("next")), code=303)
    if result.outcome is LoginOutcome.LOCKED:
        error = t("login.locked", until=local_clock(result.locked_until))
        status = 429
    else:
        error = t("login.failed")
        status = 401
    return render_template("console/login.html", next=request.form.get("next", ""), error=error), status


@bp.post("/logout")
def logout() -> Response:
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    return redirect(url_for("console.login"), code=303)
