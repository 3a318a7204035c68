"""Crisis broadcasts on the console: pick a group (area, team, tags), preview the count, start; the live board;
pause and resume. Any signed-in staff member may start one: a heat wave or a storm at night cannot wait for an
admin, and every broadcast records who started it (the same trust as working urgent requests on the queue)."""

from __future__ import annotations

from babel.numbers import format_decimal
from flask import abort, flash, render_template, request
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from care.models import Senior
from care.routing import TEAMS
from care.tags import Tag
from console.prompts_page import what_was_wrong
from console.web import actor, back_to, bp, page_locale, t
from outreach import crisis
from prompts.audio import PromptAudio
from prompts.audio_processing import BadAudio, EmptyFile, NotAudio
from web.context import current

REFRESH_SECONDS = 10  # the board refreshes itself this often (the queue page's way, console/live-queue.js)


def _group_form() -> tuple[crisis.Group, str, dict[str, object]]:
    form = request.form
    message = form.get("message", "").strip()[: crisis.MESSAGE_MAX_CHARS * 2]
    raw: dict[str, object] = {"area": form.get("area", ""), "team": form.get("team", ""), "tags": form.getlist("tags")}
    team = str(raw["team"])
    if team and team not in TEAMS:
        abort(400, description=t("error.bad_request"))
    try:
        group = crisis.Group.of(str(raw["area"]), team, form.getlist("tags"))
    except crisis.BroadcastError:
        abort(400, description=t("error.bad_request"))
    return group, message, raw


def _page(chosen: dict[str, object], message: str = "", count: int | None = None) -> str:
    with current().db.sessions() as db:
        return render_template(
            "console/broadcasts.html",
            broadcasts=crisis.broadcasts(db),
            areas=crisis.areas(db),
            teams=TEAMS,
            tags=[tag.value for tag in Tag],
            chosen=chosen,
            message=message,
            count=count,
            max_chars=crisis.MESSAGE_MAX_CHARS,
            max_mb=crisis.RECORDING_MAX_BYTES // (1024 * 1024),
            max_seconds=int(crisis.RECORDING_MAX_SECONDS),
        )


def _recording() -> str:
    """The message staff recorded or uploaded, kept phone-ready; the URL Twilio plays it from ("" for none).

    The prompts' own checks and conversion (prompts.audio_processing): any phone or computer recording, refused
    with the reason when it is not one, silent, too long or too big (crisis.RECORDING_MAX_BYTES).
    """
    upload = request.files.get("audio")
    # Read whole (the app's MAX_CONTENT_LENGTH bounds it) so a refusal states the file's real size.
    audio = upload.read() if upload is not None else b""
    if not audio:
        if upload is not None and upload.filename:
            raise EmptyFile("the file is empty")
        return ""
    voice = current().prompt_voice
    if not isinstance(voice, PromptAudio):
        raise NotAudio("recordings cannot be played here (no prompt audio)")
    audio_id, _seconds = voice.store.keep(
        audio, max_bytes=crisis.RECORDING_MAX_BYTES, max_seconds=crisis.RECORDING_MAX_SECONDS
    )
    return voice.url_for(audio_id)


@bp.get("/broadcasts")
def broadcasts_page() -> str:
    return _page({"area": "", "team": "", "tags": []})


@bp.post("/broadcasts")
def start_broadcast() -> Response | str:
    group, message, chosen = _group_form()
    hl = current()
    if request.form.get("action") != "start":
        with hl.db.sessions() as db:
            count = len(crisis.pick(db, group))
        return _page(chosen, message, count)
    try:
        audio_url = _recording()
    except BadAudio as exc:
        flash(t("broadcasts.bad_recording", reason=what_was_wrong(exc)), "error")
        return _page(chosen, message)
    if not message and not audio_url:
        flash(t("broadcasts.no_message"), "error")
        return _page(chosen, message)
    if len(message) > crisis.MESSAGE_MAX_CHARS:
        flash(t("broadcasts.too_long", max=crisis.MESSAGE_MAX_CHARS), "error")
        return _page(chosen, message)
    try:
        with hl.db.transaction() as db:
            broadcast = crisis.start(db, group, message, actor=actor(), audio_url=audio_url)
            broadcast_id = broadcast.id
    except crisis.BroadcastError:
        flash(t("broadcasts.nobody"), "error")
        return _page(chosen, message, 0)
    flash(t("broadcasts.started"), "ok")
    return back_to("console.broadcast_page", broadcast_id=broadcast_id)


@bp.get("/broadcasts/<int:broadcast_id>")
def broadcast_page(broadcast_id: int) -> str:
    with current().db.sessions() as db:
        try:
            board = crisis.board(db, broadcast_id)
        except crisis.BroadcastError:
            abort(404)
        return render_template(
            "console/broadcast.html",
            board=board,
            refresh_seconds=REFRESH_SECONDS,
            number=_number,
            recording=_on_this_site(board.audio_url),
        )


def _on_this_site(url: str) -> str:
    """The recording's address as a path, so staff's browser fetches it from the console it is on (the page's
    Content-Security-Policy allows media from 'self'; the public address is the one Twilio uses)."""
    base = current().settings.public_base_url.rstrip("/")
    return url.removeprefix(base) if url.startswith(base + "/") else url


def _number(n: int) -> str:
    return format_decimal(n, locale=page_locale())


@bp.post("/broadcasts/<int:broadcast_id>/<what>")
def change_broadcast(broadcast_id: int, what: str) -> Response:
    change = {"pause": crisis.pause, "resume": crisis.resume}.get(what)
    if change is None:
        abort(404)
    try:
        with current().db.transaction() as db:
            change(db, broadcast_id)
    except crisis.BroadcastError:
        flash(t("broadcasts.not_changed"), "error")
        return back_to("console.broadcast_page", broadcast_id=broadcast_id)
    flash(t(f"broadcasts.{what}d"), "ok")
    return back_to("console.broadcast_page", broadcast_id=broadcast_id)


# "Lives alone" is edited with the profile (Senior.lives_alone); the other tags and the team here.
TAG_CHOICES = [tag.value for tag in Tag if tag is not Tag.LIVES_ALONE]


def crisis_profile(db: Session, senior: Senior) -> dict[str, object]:
    """What the senior's page shows of their crisis-call tags and team."""
    return {
        "crisis_tags": crisis.tags_of(db, [senior.id]).get(senior.id, set()),
        "crisis_tag_choices": TAG_CHOICES,
        "crisis_teams": TEAMS,
    }


@bp.post("/seniors/<int:senior_id>/tags")
def set_senior_tags(senior_id: int) -> Response:
    team = request.form.get("team", "")
    chosen = request.form.getlist("tags")
    if (team and team not in TEAMS) or any(tag not in TAG_CHOICES for tag in chosen):
        abort(400, description=t("error.bad_request"))
    with current().db.transaction() as db:
        senior = db.get(Senior, senior_id)
        if senior is None:
            abort(404)
        kept = [Tag.LIVES_ALONE] if senior.lives_alone else []
        crisis.set_tags(db, senior, [Tag(tag) for tag in chosen] + kept)
        senior.team = team
    flash(t("people.crisis.saved"), "ok")
    return back_to("console.senior_page", senior_id=senior_id)
