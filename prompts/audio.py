"""What a caller hears for a prompt: an approved staff recording, else cached or fresh synthesis, else <Say>."""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from care.db import Database
from care.models import utcnow
from care.ports import Synthesizer
from care.settings import Settings
from i18n import messages
from prompts.cache import SynthesisCache, is_audio_id, synthesis_key
from prompts.store import RecordingStore
from prompts.tts import SynthesisFailed
from prompts.voices import UnknownVoice, espeak_voice

log = logging.getLogger(__name__)

AUDIO_ROUTE = "/prompts/audio/"
STAFF_CALL_STATE_KEPT = timedelta(days=1)
# 128 bits of HMAC: a URL cannot be guessed from another one or from the text it speaks.
TOKEN_MAC_HEX = 32


@dataclass(frozen=True)
class Rendered:
    """One prompt rendered (or found) on disk, and whether it was already there."""

    key: str
    locale: str
    audio_id: str
    path: Path
    cached: bool


def audio_token(secret_key: str, audio_id: str) -> str:
    """The public name of an audio file: its id and an HMAC of it, so only URLs we issued resolve."""
    mac = hmac.new(secret_key.encode("utf-8"), f"prompt-audio:{audio_id}".encode(), hashlib.sha256).hexdigest()
    return f"{audio_id}-{mac[:TOKEN_MAC_HEX]}"


def audio_id_of(secret_key: str, token: str) -> str | None:
    """The audio id a token names, or None when the token is not one we issued."""
    audio_id, _, _ = token.partition("-")
    if not is_audio_id(audio_id):
        return None
    return audio_id if hmac.compare_digest(audio_token(secret_key, audio_id), token) else None


def domain_of(key: str) -> str | None:
    """Keys are dotted and start with their domain (voice.greeting, staffline.enter_pin)."""
    domain = key.split(".", 1)[0]
    return domain if domain in messages.DOMAINS else None


class PromptAudio:
    """The PromptVoice adapter: URLs Twilio can <Play>, from staff recordings first, then local synthesis."""

    def __init__(self, settings: Settings, db: Database, synthesizer: Synthesizer) -> None:
        self.settings = settings
        self.synthesizer = synthesizer
        root = settings.data_dir / "prompts"
        self.store = RecordingStore(db, root / "recordings")
        self.cache = SynthesisCache(root / "cache")

    # --- URLs -------------------------------------------------------------------------------------------
    def url_for(self, audio_id: str) -> str:
        token = audio_token(self.settings.secret_key, audio_id)
        return f"{self.settings.public_base_url.rstrip('/')}{AUDIO_ROUTE}{token}.wav"

    def find(self, token: str) -> tuple[Path, bool] | None:
        """The file a token names and whether it may be cached publicly (False: it may hold personal data)."""
        audio_id = audio_id_of(self.settings.secret_key, token)
        if audio_id is None:
            return None
        recorded = self.store.find(audio_id)
        if recorded is not None:
            return recorded, True
        if (path := self.cache.path(audio_id, dynamic=False)).is_file():
            return path, True
        if (path := self.cache.path(audio_id, dynamic=True)).is_file():
            return path, False
        return None

    # --- the fallback chain -------------------------------------------------------------------------------
    def audio_url(self, key: str, locale: str, text: str) -> str | None:
        """Staff recording of exactly this text, else synthesis (cached), else None so the caller hears <Say>."""
        try:
            # A database that just failed to answer is not asked again for every prompt: synthesis will do.
            live = self.store.live(key, locale) if self.store.db.available else None
        except SQLAlchemyError:
            log.exception("prompt recordings unavailable; using synthesis for %s (%s)", key, locale)
            live = None
        # A recording of older wording is not used: callers hear what the catalog says now.
        if live is not None and live.text == text and self.store.find(live.audio_id) is not None:
            return self.url_for(live.audio_id)
        return self.synthesis_url(key, locale, text)

    def synthesis_url(self, key: str, locale: str, text: str) -> str | None:
        """Synthesis (cached) only, never the database: for answers that must work while it is down."""
        try:
            return self.url_for(self.render(key, locale, text).audio_id)
        except (SynthesisFailed, UnknownVoice, OSError) as exc:
            log.warning("synthesis failed for %s (%s), Twilio will <Say> it: %s", key, locale, exc)
            return None

    def audio_file(self, key: str, locale: str, text: str, rate_wpm: int | None = None) -> Path | None:
        """The file a Media Stream plays for a prompt: the same choice as audio_url (a staff recording of exactly
        this text, else synthesis), or a synthesis at `rate_wpm` (a slow repeat); None when nothing could be had."""
        if rate_wpm is None:
            try:
                live = self.store.live(key, locale) if self.store.db.available else None
            except SQLAlchemyError:
                log.exception("prompt recordings unavailable; using synthesis for %s (%s)", key, locale)
                live = None
            if live is not None and live.text == text and (found := self.store.find(live.audio_id)) is not None:
                return found
        try:
            return self.render(key, locale, text, rate_wpm).path
        except (SynthesisFailed, UnknownVoice, OSError) as exc:
            log.warning("synthesis failed for %s (%s): %s", key, locale, exc)
            return None

    def engine(self) -> str:
        """Names the synthesiser and its version (raises SynthesisFailed when it is not installed)."""
        version = getattr(self.synthesizer, "version", "")
        return f"{type(self.synthesizer).__name__}:{version}"

    def cached(self, key: str, locale: str, text: str) -> bool:
        """Whether a synthesis of this text is on disk already."""
        try:
            audio_id = synthesis_key(text, espeak_voice(locale), self.settings.speaking_rate_wpm, self.engine())
        except (SynthesisFailed, UnknownVoice):
            return False
        return self.cache.find(audio_id) is not None

    def is_static_text(self, key: str, locale: str, text: str) -> bool:
        """Whether `text` is the catalog text of `key` itself (no caller's details in it)."""
        prefixed = domain_of(key)
        for domain in [prefixed] if prefixed else messages.available_domains(locale):
            try:
                if messages.translate(domain, key, locale) == text:
                    return True
            except (messages.MissingTranslation, KeyError, IndexError):
                continue
        return False

    def render(self, key: str, locale: str, text: str, rate_wpm: int | None = None) -> Rendered:
        """Synthesise `text` unless the cache has it; raise SynthesisFailed or UnknownVoice."""
        rate = self.settings.speaking_rate_wpm if rate_wpm is None else rate_wpm
        audio_id = synthesis_key(text, espeak_voice(locale), rate, self.engine())
        found = self.cache.find(audio_id)
        if found is not None:
            return Rendered(key, locale, audio_id, found, cached=True)
        wav = self.synthesizer.synthesize(text, locale, rate)
        path = self.cache.put(audio_id, wav, dynamic=not self.is_static_text(key, locale, text))
        return Rendered(key, locale, audio_id, path, cached=False)

    def render_all(
        self, items: Iterable[tuple[str, str, str]], progress: Callable[[Rendered], None] | None = None
    ) -> list[Rendered]:
        """Render every (key, locale, text) ahead of time; failures propagate (the command reports them)."""
        done: list[Rendered] = []
        for key, locale, text in items:
            rendered = self.render(key, locale, text)
            done.append(rendered)
            if progress is not None:
                progress(rendered)
        return done

    def prune(self) -> int:
        """Delete dynamic renders (they may name a caller's request) older than the audio retention period,
        and staff-line call state older than a day (a call lasts minutes; the row holds a phone number)."""
        self.store.forget_calls(utcnow() - STAFF_CALL_STATE_KEPT)
        return self.cache.prune_dynamic(max(self.settings.audio_retention_days, 1) * 86400)
