"""The Hearthline web app: settings, one adapter per outside system, blueprints and commands."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from care.context import EXTENSION_KEY, Hearthline
from care.db import Database
from care.jobs import HueyQueue
from care.outbox import on_commit_with_new_messages
from care.settings import LOCALES, Settings, load_settings
from prompts.audio import PromptAudio
from prompts.tts import EspeakSynthesizer
from sms.sender import TwilioSender
from voice.recognizer import VoskRecognizer
from voice.recordings import TwilioRecordings

# A caller's request body is a few form fields; a staff upload of a prompt is at most a few MB.
MAX_UPLOAD_BYTES = 12 * 1024 * 1024


def build_adapters(settings: Settings) -> Hearthline:
    """The only place that names concrete adapters."""
    db = Database(settings.effective_database_url)
    sender = TwilioSender(settings)
    synthesizer = EspeakSynthesizer()
    prompt_voice = PromptAudio(settings, db, synthesizer)
    queue = HueyQueue(settings, db, sender, chores={"prompt_renders": prompt_voice.prune})
    on_commit_with_new_messages(db.sessions, queue.wake_outbox)
    recognizer = VoskRecognizer(settings.vosk_model_dir, check_seconds=settings.speech_check_seconds)
    if settings.preload_speech_models:
        # Under `gunicorn --preload` the models load once, before the workers fork, and their pages are shared.
        recognizer.preload(LOCALES)
    return Hearthline(
        settings=settings,
        db=db,
        sender=sender,
        recordings=TwilioRecordings(settings),
        recognizer=recognizer,
        synthesizer=synthesizer,
        prompt_voice=prompt_voice,
        queue=queue,
    )


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app from layered settings (defaults < HEARTHLINE_CONFIG file < environment < `config`)."""
    settings = load_settings(config)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    app = Flask(__name__, instance_path=str(settings.data_dir.resolve()))
    app.config.update(
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=MAX_UPLOAD_BYTES,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.is_production,
    )
    # Behind one reverse proxy (the usual deployment), trust its X-Forwarded-* headers and nothing more.
    app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)  # type: ignore[method-assign]
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app.extensions[EXTENSION_KEY] = build_adapters(settings)
    _register(app)
    return app


def _register(app: Flask) -> None:
    """Blueprints and CLI commands of each part of the product."""
    from care.commands import register_commands as care_commands
    from care.console import bp as console_bp
    from prompts.routes import bp as prompts_bp
    from sms.routes import bp as sms_bp
    from voice.routes import bp as voice_bp
    from voice.simulator_page import bp as simulator_bp

    app.register_blueprint(voice_bp)
    app.register_blueprint(sms_bp)
    app.register_blueprint(prompts_bp)
    app.register_blueprint(console_bp)
    app.register_blueprint(simulator_bp)
    care_commands(app)

    @app.errorhandler(413)
    def too_large(_error: Exception) -> tuple[str, int, dict[str, str]]:
        # Webhooks are a few form fields and prompt uploads a few MB: say plainly why nothing was accepted.
        limit = MAX_UPLOAD_BYTES // (1024 * 1024)
        return (
            f"Too large: requests to Hearthline are limited to {limit} MB. Nothing was stored.\n",
            413,
            {"Content-Type": "text/plain; charset=utf-8"},
        )
