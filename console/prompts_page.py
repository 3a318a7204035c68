"""Prompts per language: listen, record in the browser or upload, version history, approve and roll back."""

from __future__ import annotations

from babel.numbers import format_decimal
from flask import abort, flash, render_template, request, send_file
from werkzeug.wrappers import Response

from care import directory
from care.settings import LOCALES
from console.web import actor, admin_required, back_to, bp, page_locale, staff, stored_id, t
from i18n import messages
from prompts import catalog
from prompts.audio import PromptAudio, domain_of
from prompts.audio_processing import MAX_PROMPT_SECONDS, MAX_UPLOAD_BYTES, BadAudio, EmptyFile
from prompts.models import RecordingSource
from prompts.store import StoreError
from prompts.tts import SynthesisFailed
from prompts.voices import UnknownVoice
from web.context import current


def _audio() -> PromptAudio:
    voice = current().prompt_voice
    if not isinstance(voice, PromptAudio):
        abort(404)
    return voice


def what_was_wrong(exc: BadAudio) -> str:
    """The reason an upload was refused, in the staff member's language, numbers written as they write them."""
    locale = page_locale()
    numbers = {name: format_decimal(value, format="#,##0.#", locale=locale) for name, value in exc.params.items()}
    return t(f"prompts.bad.{exc.reason}", **numbers)


def _prompt_text(key: str, locale: str) -> str:
    """The catalog text of a recordable prompt; 404 for anything else (no free-form keys from a URL)."""
    domain = domain_of(key)
    if locale not in LOCALES or domain is None or catalog.by_key(key) is None:
        abort(404)
    try:
        return messages.translate(domain, key, locale)
    except messages.MissingTranslation:
        abort(404)


@bp.get("/prompts")
def prompts() -> str:
    locale = request.args.get("locale", "en")
    locale = locale if locale in LOCALES else "en"
    live = _audio().store.live_all()
    rows = []
    for prompt in catalog.static_prompts():
        try:
            text = messages.translate(prompt.domain, prompt.key, locale)
        except messages.MissingTranslation:
            text = ""
        version = live.get((prompt.key, locale))
        rows.append(
            {"prompt": prompt, "text": text, "live": version, "stale": version is not None and version.text != text}
        )
    return render_template("console/prompts.html", rows=rows, locale=locale, locales=LOCALES)


@bp.get("/prompts/<locale>/<key>")
def prompt_page(locale: str, key: str) -> str:
    text = _prompt_text(key, locale)
    store = _audio().store
    versions = list(reversed(store.versions(key, locale)))
    return render_template(
        "console/prompt.html",
        key=key,
        locale=locale,
        text=text,
        number=catalog.by_key(key).number,  # type: ignore[union-attr]
        versions=versions,
        live=next((v for v in versions if v.live), None),
        history=list(reversed(store.history(key, locale))),
        max_mb=MAX_UPLOAD_BYTES // (1024 * 1024),
        max_seconds=int(MAX_PROMPT_SECONDS),
        can_approve=directory.may_approve(staff()),
    )


@bp.post("/prompts/<locale>/<key>/upload")
def prompt_upload(locale: str, key: str) -> Response | tuple[dict[str, object], int]:
    """A file from the upload form, or the WAV the page's recorder made (sent by script: answers JSON)."""
    text = _prompt_text(key, locale)
    wants_json = request.headers.get("Accept", "").startswith("application/json")
    upload = request.files.get("audio")
    # Read whole (the app's MAX_CONTENT_LENGTH bounds it) so a refusal states the file's real size.
    audio = upload.read() if upload is not None else b""
    approve = request.form.get("approve") == "1" and directory.may_approve(staff())
    chosen = upload is not None and bool(upload.filename)
    try:
        if not audio:
            if not chosen:
                raise BadAudio("no file was chosen")
            raise EmptyFile("the file is empty")
        version = _audio().store.add(
            key, locale, text, audio, source=RecordingSource.UPLOAD, by=actor(), approve=approve
        )
    except BadAudio as exc:
        reason = what_was_wrong(exc) if audio or chosen else t("prompts.no_file")
        if wants_json:
            return {"ok": False, "error": t("prompts.not_saved", reason=reason)}, 422
        flash(t("prompts.not_saved", reason=reason), "error")
        return back_to("console.prompt_page", locale=locale, key=key)
    message = t("prompts.saved_live" if version.live else "prompts.saved_draft", version=version.version)
    flash(message, "ok")  # the recorder reloads the page, which shows it
    if wants_json:
        return {"ok": True, "version": version.version, "live": version.live, "message": message}, 201
    return back_to("console.prompt_page", locale=locale, key=key)


def _recording_id() -> int:
    raw = request.form.get("recording_id", "")
    if not raw.strip().isdecimal():
        abort(400, description=t("error.bad_request"))
    found = stored_id(raw)
    if found is None:
        abort(404)
    return found


@bp.post("/prompts/<locale>/<key>/approve")
@admin_required
def prompt_approve(locale: str, key: str) -> Response:
    _prompt_text(key, locale)
    store = _audio().store
    found = store.get(_recording_id())
    if found is None or found.key != key or found.locale != locale:
        abort(404)
    try:
        version = store.approve(found.id, actor())
    except StoreError as exc:
        flash(t("prompts.not_saved", reason=str(exc)), "error")
    else:
        flash(t("prompts.now_live", version=version.version), "ok")
    return back_to("console.prompt_page", locale=locale, key=key)


@bp.post("/prompts/<locale>/<key>/discard")
def prompt_discard(locale: str, key: str) -> Response:
    _prompt_text(key, locale)
    store = _audio().store
    found = store.get(_recording_id())
    if found is None or found.key != key or found.locale != locale:
        abort(404)
    store.discard(found.id, actor())
    flash(t("prompts.discarded", version=found.version), "ok")
    return back_to("console.prompt_page", locale=locale, key=key)


@bp.post("/prompts/<locale>/<key>/rollback")
@admin_required
def prompt_rollback(locale: str, key: str) -> Response:
    _prompt_text(key, locale)
    raw = request.form.get("to", "")
    try:
        version = _audio().store.rollback(key, locale, actor(), to=int(raw) if raw.isdecimal() else None)
    except StoreError as exc:
        flash(t("prompts.not_saved", reason=str(exc)), "error")
    else:
        message = t("prompts.back_to_synthesis") if version is None else t("prompts.now_live", version=version.version)
        flash(message, "ok")
    return back_to("console.prompt_page", locale=locale, key=key)


@bp.get("/prompts/recording/<int:recording_id>.wav")
def prompt_recording(recording_id: int) -> Response:
    store = _audio().store
    found = store.get(recording_id)
    path = store.find(found.audio_id) if found is not None else None
    if path is None:
        abort(404)
    return send_file(path, mimetype="audio/wav", max_age=0)


@bp.get("/prompts/<locale>/<key>/synthesis.wav")
def prompt_synthesis(locale: str, key: str) -> Response:
    """What callers hear while no recording is live (rendered and cached on first listen)."""
    text = _prompt_text(key, locale)
    try:
        rendered = _audio().render(key, locale, text)
    except (SynthesisFailed, UnknownVoice, OSError):
        abort(404)
    return send_file(rendered.path, mimetype="audio/wav", max_age=0)
