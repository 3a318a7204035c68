"""Console pages of the open-data layer: API keys (admins only) and request exports (personal fields for admins)."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Response as FlaskResponse
from flask import abort, flash, render_template, request
from sqlalchemy import func, select
from werkzeug.wrappers import Response

from care.models import utcnow
from care.routing import TEAMS
from console.web import admin_required, back_to, bp, staff, t
from i18n.clock import local
from opendata import exports, keys
from opendata.models import ApiKey, ApiKeyUse
from web.context import current

# An export covers at most a year: bigger reports are several files (and a year of a city is well under MAX_ROWS).
EXPORT_MAX_DAYS = 366


def _keys_page(new_token: str = "", new_name: str = "") -> str:
    with current().db.sessions() as db:
        rows = keys.list_keys(db)
        uses = dict(db.execute(select(ApiKeyUse.key_id, func.count()).group_by(ApiKeyUse.key_id)).all())
        return render_template(
            "console/apikeys.html",
            rows=rows,
            uses=uses,
            scopes=[s.value for s in keys.Scope],
            new_token=new_token,
            new_name=new_name,
        )


@bp.get("/apikeys")
@admin_required
def apikeys_page() -> str:
    return _keys_page()


@bp.post("/apikeys")
@admin_required
def create_apikey() -> Response | str:
    try:
        with current().db.transaction() as db:
            new = keys.create_key(
                db,
                name=request.form.get("name", ""),
                scopes=keys.parse_scopes(request.form.getlist("scope")),
                created_by=f"staff:{staff().username}",
            )
    except keys.ApiKeyError as exc:
        flash(t("apikeys.not_saved", reason=str(exc)), "error")
        return back_to("console.apikeys_page")
    # The key is shown on this answer only (never flashed into the cookie, never stored but as a hash).
    return _keys_page(new.token, new.name)


@bp.post("/apikeys/<int:key_id>/revoke")
@admin_required
def revoke_apikey(key_id: int) -> Response:
    with current().db.transaction() as db:
        row = db.get(ApiKey, key_id)
        if row is None:
            abort(404)
        keys.revoke(db, row.name)
    flash(t("apikeys.revoked_done"), "ok")
    return back_to("console.apikeys_page")


@bp.get("/exports")
def exports_page() -> str:
    today = local(utcnow(), current().settings.zone).date()
    return render_template(
        "console/exports.html",
        teams=TEAMS,
        start=(today - timedelta(days=30)).isoformat(),
        end=today.isoformat(),
        personal=exports.may_see_personal(staff().role),
    )


def _day(name: str) -> date:
    try:
        return date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        abort(400, description=t("exports.bad_range"))


@bp.get("/exports/requests.<fmt>")
def export_requests(fmt: str) -> Response:
    if fmt not in ("csv", "json"):
        abort(404)
    start, end = _day("start"), _day("end")
    if end < start or (end - start).days > EXPORT_MAX_DAYS:
        abort(400, description=t("exports.bad_range"))
    team = request.args.get("team", "")
    if team and team not in TEAMS:
        abort(400, description=t("exports.bad_range"))
    personal = exports.may_see_personal(staff().role)
    hl = current()
    with hl.db.sessions() as db:
        records = exports.rows(db, exports.ExportQuery(start, end, team), zone=hl.settings.zone, personal=personal)
        body = exports.to_csv(records, personal) if fmt == "csv" else exports.to_json(records)
    kind = "text/csv; charset=utf-8" if fmt == "csv" else "application/json; charset=utf-8"
    name = f"requests-{start}-{end}{'-' + team if team else ''}.{fmt}"
    return FlaskResponse(body, content_type=kind, headers={"Content-Disposition": f'attachment; filename="{name}"'})
