"""The console blueprint and what every page shares: login gate, CSRF check, page language, safe headers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from functools import wraps
from typing import Any, TypeVar, cast

import phonenumbers
from babel import Locale
from babel.dates import format_timedelta
from babel.numbers import format_decimal
from flask import Blueprint, abort, current_app, g, redirect, render_template, request, session, url_for
from flask.blueprints import BlueprintSetupState
from sqlalchemy import exc as sa_exc
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from care.db import unreachable
from care.models import StaffMember, StaffRole, utcnow
from care.settings import LOCALES
from care.urgency import describe as describe_reasons
from i18n.clock import written_datetime
from i18n.messages import MissingTranslation, translate
from web import csrf
from web.context import current

bp = Blueprint(
    "console",
    __name__,
    url_prefix="/console",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)

F = TypeVar("F", bound=Callable[..., Any])
# OWASP ASVS 4.0 V3.3.2: ask for the password again at least every 12 hours of use; one shift, then log in.
SESSION_MAX_AGE = timedelta(hours=12)
# Ids are PostgreSQL `integer` columns: a larger number is no row of ours, but handed to the database it is an
# error ("integer out of range") and a 500. Anything past this is simply not found.
MAX_STORED_ID = 2**31 - 1
# While the database does not answer, the apology page asks the browser (and the reader) to try again after this
# long: past the few seconds a restart takes, short enough for staff in the middle of a shift.
RETRY_AFTER_SECONDS = 30
PUBLIC_ENDPOINTS = {"console.login", "console.static", "console.set_language"}
LANGUAGE_NAMES = {"en": "English", "zh": "中文", "ko": "한국어", "es": "Español"}
# Pages are server-rendered; the only script is none, and audio is served by us. Nothing may frame the console.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; media-src 'self' blob:; style-src 'self'; "
    "script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)


def page_locale() -> str:
    chosen = session.get("lang")
    return chosen if chosen in LOCALES else current().settings.default_locale


def t(key: str, /, **params: object) -> str:
    """A console text in the page's language (web catalog)."""
    return translate("web", key, page_locale(), **params)


def t_count(key: str, n: int) -> str:
    """A counted phrase in the page's language, in the plural form CLDR gives that number ("1 urgente", "2 urgentes").

    The catalog holds one text per plural category the language has (`key.one`, `key.other`; Korean and Chinese
    only `key.other`); the number is written as the language writes it.
    """
    lang = page_locale()
    number = format_decimal(n, locale=lang)
    category = Locale.parse(lang).plural_form(n)
    try:
        return t(f"{key}.{category}", n=number)
    except MissingTranslation:
        return t(f"{key}.other", n=number)


def t_or(key: str, fallback: str) -> str:
    """A console text for an open-ended value (a team or kind added later); the value itself when unnamed."""
    try:
        return t(key)
    except MissingTranslation:
        return fallback


def service_name(intent: str) -> str:
    """What a request is for, in the page's language (the same names callers hear)."""
    try:
        return translate("common", f"service.{intent}", page_locale())
    except MissingTranslation:
        return intent


def urgent_because(stored: str) -> str:
    """Why a request was raised (care.urgency reason codes), in the page's language."""
    return describe_reasons(stored, page_locale())


def csrf_token() -> str:
    return csrf.session_token(session)


def local_time(moment: datetime | None) -> str:
    """A stored UTC time on the centre's clock, in the page's language ("3월 3일 (화) 오후 2:05")."""
    if moment is None:
        return ""
    return written_datetime(moment, page_locale(), current().settings.zone)


def age(moment: datetime) -> str:
    """How long ago, in the page's language ("5 minutes ago", "5분 전", "hace 5 minutos")."""
    return format_timedelta(moment - utcnow(), add_direction=True, locale=page_locale())


def staff() -> StaffMember:
    """The logged-in staff member (the login gate guarantees there is one)."""
    return cast(StaffMember, g.staff)


def actor() -> str:
    """How the history records the logged-in staff member."""
    return f"staff:{staff().username}"


def admin_required(view: F) -> F:
    @wraps(view)
    def checked(*args: Any, **kwargs: Any) -> Any:
        if staff().role != StaffRole.ADMIN:
            abort(403, description=t("error.admin_only"))
        return view(*args, **kwargs)

    return cast(F, checked)


def stored_id(raw: str) -> int | None:
    """A row id typed into a form field, or None when it cannot be one (not digits, or past any stored id)."""
    value = raw.strip()
    return int(value) if value.isdecimal() and len(value) <= 10 and int(value) <= MAX_STORED_ID else None


def back_to(endpoint: str, **values: Any) -> Response:
    """303 after a POST, so reloading the next page never repeats the action."""
    return redirect(url_for(endpoint, **values), code=303)


@bp.record_once
def _front_door(state: BlueprintSetupState) -> None:
    """The site's root opens the console (`make run` prints it), unless another part claimed it first."""
    if not any(rule.rule == "/" for rule in state.app.url_map.iter_rules()):
        state.app.add_url_rule("/", "front_door", lambda: redirect(url_for("console.queue")))


@bp.url_value_preprocessor
def _ids_in_range(_endpoint: str | None, values: dict[str, Any] | None) -> None:
    for value in (values or {}).values():
        if isinstance(value, int) and value > MAX_STORED_ID:
            abort(404)


def _has_nul() -> bool:
    """PostgreSQL text cannot hold NUL (it raises and the page would be a 500); no person types one."""
    fields = [request.path, *(k for k, _ in request.values.lists())]
    fields.extend(v for _, vs in request.values.lists() for v in vs)
    return any("\x00" in text for text in fields)


def _database_away_page() -> tuple[str, int, dict[str, str]]:
    """A plain apology while the database does not answer: 503 with Retry-After, in the reader's language.

    It names nobody and shows no menu (the signed-in check needs the database), so it renders without it.
    """
    g.pop("staff", None)
    page = render_template("console/error.html", code=503, message=t("error.database_away"))
    return page, 503, {"Retry-After": str(RETRY_AFTER_SECONDS)}


@bp.errorhandler(sa_exc.SQLAlchemyError)
def _database_error(error: sa_exc.SQLAlchemyError) -> tuple[str, int] | tuple[str, int, dict[str, str]]:
    """The database did not answer in time: the apology page. It refused something: a bug, logged, and the page
    every other failure gets."""
    if unreachable(error):
        current_app.logger.warning("console %s: the database did not answer: %s", request.path, error)
        return _database_away_page()
    current_app.logger.exception("console %s failed", request.path)
    return render_template("console/error.html", code=500, message=t("error.general")), 500


@bp.before_request
def _gate() -> Response | tuple[str, int, dict[str, str]] | None:
    if request.endpoint != "console.static" and not current().db.available:
        return _database_away_page()  # known to be away this very moment: no page waits out another timeout
    if _has_nul():
        abort(400, description=t("error.nul"))
    if request.method == "POST":
        sent = request.form.get("csrf_token") or request.headers.get("X-CSRF-Token", "")
        if not csrf.tokens_match(session.get(csrf.SESSION_KEY), sent):
            abort(400, description=t("error.csrf"))
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    staff_id = session.get("staff_id")
    logged_in_at = session.get("logged_in_at")
    member = None
    fresh = isinstance(logged_in_at, (int, float)) and (
        utcnow().timestamp() - logged_in_at <= SESSION_MAX_AGE.total_seconds()
    )
    if isinstance(staff_id, int) and fresh:
        with current().db.sessions() as db:
            member = db.get(StaffMember, staff_id)
    if member is None or not member.active or not member.password_hash or session.get("epoch") != member.session_epoch:
        # Logged out, password reset, deactivated: the session ended on the server, whatever the cookie says.
        session.pop("staff_id", None)
        return redirect(url_for("console.login", next=request.full_path if request.method == "GET" else None))
    g.staff = member
    return None


@bp.after_request
def _headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    # Request pages carry personal details: never keep them in a shared computer's cache.
    if request.endpoint != "console.static":
        response.headers.setdefault("Cache-Control", "no-store")
    return response


@bp.app_template_global("t")
def _t(key: str, /, **params: object) -> str:
    return t(key, **params)


@bp.app_template_filter("phone_display")
def phone_display(e164: str | None) -> str:
    """A stored number as staff dial it: national form for the centre's own country, else international."""
    if not e164:
        return "–"
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    region = current().settings.default_region
    same_country = phonenumbers.region_code_for_number(number) == region
    style = phonenumbers.PhoneNumberFormat.NATIONAL if same_country else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    return phonenumbers.format_number(number, style)


@bp.app_template_filter("actor_display")
def actor_display(actor: str) -> str:
    """Who made a change, as the history shows it: "sam (staff)", "(202) 555-0111 (senior)", "system"."""
    kind, _, who = actor.partition(":")
    if not who:
        return actor
    shown = phone_display(who) if who.startswith("+") else who
    return f"{shown} ({t_or('kind.' + kind, kind)})"


@bp.context_processor
def _page_context() -> dict[str, Any]:
    return {
        "csrf_token": csrf_token,
        "t_or": t_or,
        "t_count": t_count,
        "age": age,
        "service_name": service_name,
        "urgent_because": urgent_because,
        "local_time": local_time,
        "me": g.get("staff"),
        "lang": page_locale(),
        "languages": LANGUAGE_NAMES,
        "is_admin": g.get("staff") is not None and g.staff.role == StaffRole.ADMIN,
    }


# Registered for 413 by code as well: Flask prefers an app handler for a code over a blueprint's class handler,
# and the app answers oversized webhooks with plain text; console users get the readable page.
@bp.errorhandler(413)
@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException) -> tuple[str, int]:
    """Every console error is a readable page with a way back, never a bare status line."""
    code = error.code or 500
    key = {400: "error.bad_request", 403: "error.forbidden", 404: "error.not_found", 413: "error.too_large"}
    message = error.description if code in (400, 403) and error.description else t(key.get(code, "error.general"))
    if code == 413:
        message = t("error.too_large")
    return render_template("console/error.html", code=code, message=message), code


@bp.post("/language")
def set_language() -> Response:
    lang = request.form.get("lang", "")
    if lang in LOCALES:
        session["lang"] = lang
    target = request.form.get("next", "")
    # Only ever back to one of our own pages.
    if not target.startswith("/console/") or target.startswith("//"):
        target = url_for("console.queue")
    return redirect(target, code=303)
