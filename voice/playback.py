"""What a Media Stream plays for a turn: each prompt's audio (staff recording or synthesis) as μ-law, and the
question that follows (speech or keys, and how long to wait)."""

from __future__ import annotations

import io
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile
import soxr

from voice import keypad, mulaw
from voice.calls import Playable
from voice.dialogue import CallDecision, ChooseLanguage, Gather, Listen, ListenKind, Speak, SpeakReference
from voice.twiml import (
    DIGIT_PAUSE,
    EMERGENCY_CHECK_MAX_SECONDS,
    EMERGENCY_CHECK_PAUSE_SECONDS,
    KEY_WINDOW_SECONDS,
    SLOW_FACTOR,
    YES_NO_MAX_SECONDS,
    RenderContext,
    prompt_text,
    spaced_digits,
)
from web.context import Hearthline

# Decoded prompt files by path and modification time: the same few dozen prompts are played all day.
CACHE_ENTRIES = 256
_cache: OrderedDict[tuple[Path, float], bytes] = OrderedDict()
_cache_lock = threading.Lock()


class NoAudio(RuntimeError):
    """A prompt has no audio (synthesis failed and nobody recorded it): the stream cannot say it."""


@dataclass(frozen=True)
class Clip:
    """One prompt's audio as Twilio plays it (8 kHz μ-law) and the catalog key it says."""

    key: str
    ulaw: bytes


@dataclass(frozen=True)
class Question:
    """What the call waits for after the prompts: speech (with its kind) and keys, or keys only."""

    listen: ListenKind | None  # None: keys only (a menu, the language choice)
    no_input_seconds: float  # after the prompts end, silence this long is "no input"
    max_speech_seconds: float
    pause_seconds: float  # silence that ends an answer


def ulaw_of(path: Path) -> bytes:
    """A prompt file as 8 kHz μ-law (any WAV soundfile reads; resampled when it is not 8 kHz already)."""
    key = (path, path.stat().st_mtime)
    with _cache_lock:
        found = _cache.get(key)
        if found is not None:
            _cache.move_to_end(key)
            return found
    data, rate = soundfile.read(str(path), dtype="float32", always_2d=True)
    mono = data.mean(axis=1)
    if rate != mulaw.RATE and mono.size:
        mono = soxr.resample(mono, rate, mulaw.RATE)
    ulaw = mulaw.encode(np.clip(mono * 32768.0, -32768, 32767).astype("<i2").tobytes())
    with _cache_lock:
        _cache[key] = ulaw
        while len(_cache) > CACHE_ENTRIES:
            _cache.popitem(last=False)
    return ulaw


def wav_ulaw(wav: bytes) -> bytes:
    """A WAV in memory as 8 kHz μ-law (the stand-in's caller audio)."""
    data, rate = soundfile.read(io.BytesIO(wav), dtype="float32", always_2d=True)
    mono = data.mean(axis=1)
    if rate != mulaw.RATE and mono.size:
        mono = soxr.resample(mono, rate, mulaw.RATE)
    return mulaw.encode(np.clip(mono * 32768.0, -32768, 32767).astype("<i2").tobytes())


def _slow_rate(ctx: RenderContext) -> int:
    # <Say> slows a repeat by prosody (voice/twiml.py rate_percent); synthesis is slowed the same way.
    return round(ctx.speaking_rate_wpm * SLOW_FACTOR)


def _speak(hl: Hearthline, ctx: RenderContext, speak: Speak, locale: str | None = None) -> Clip:
    locale = locale or ctx.locale
    text = prompt_text(speak, ctx, locale)
    rate = _slow_rate(ctx) if speak.slow else None
    path = hl.prompt_voice.audio_file(speak.key, locale, text, rate)
    if path is None:
        raise NoAudio(f"no audio for {speak.key} ({locale})")
    return Clip(speak.key, ulaw_of(path))


def _reference(hl: Hearthline, ctx: RenderContext, slow: bool) -> list[Clip]:
    """The reference digit by digit with pauses, twice, as the <Say> rendering reads it."""
    if not ctx.reference:
        return []
    pause = mulaw.silence(int(DIGIT_PAUSE.removesuffix("ms")) / 1000)
    rate = _slow_rate(ctx) if slow else ctx.speaking_rate_wpm
    digits = bytearray()
    for digit in spaced_digits(ctx.reference).split():
        # A digit alone is no catalog sentence (no key, never a staff recording): synthesis, cached.
        path = hl.prompt_voice.audio_file("", ctx.locale, digit, rate)
        if path is None:
            raise NoAudio(f"no audio for the digit {digit} ({ctx.locale})")
        digits += ulaw_of(path) + pause
    clips = []
    for key in ("voice.reference_intro", "voice.reference_again"):
        clips.append(_speak(hl, ctx, Speak(key)))
        clips.append(Clip("reference", bytes(digits)))
    return clips


def _language_menu(hl: Hearthline, ctx: RenderContext) -> list[Clip]:
    return [
        _speak(hl, ctx, Speak("voice.language_option", (("digit", digit),)), locale=locale)
        for digit, locale in keypad.LANGUAGE_KEYS.items()
    ]


def question_of(decision: CallDecision, ctx: RenderContext) -> Question:
    """How the stream waits after the prompts, with the <Record> rendering's limits where they still apply."""
    pause = ctx.end_of_speech_seconds
    if isinstance(decision, Listen):
        if decision.kind is ListenKind.EMERGENCY_CHECK:
            # The fail-safe question keeps its short timings (issue #10): silence soon counts as yes.
            no_input = KEY_WINDOW_SECONDS + EMERGENCY_CHECK_PAUSE_SECONDS
            return Question(decision.kind, no_input, EMERGENCY_CHECK_MAX_SECONDS, EMERGENCY_CHECK_PAUSE_SECONDS)
        longest = YES_NO_MAX_SECONDS if decision.kind is ListenKind.YES_NO else ctx.max_recording_seconds
        return Question(decision.kind, ctx.silence_timeout_seconds, longest, pause)
    return Question(None, ctx.silence_timeout_seconds, 0.0, pause)


def render(hl: Hearthline, play: Playable) -> tuple[list[Clip], Question]:
    """The clips of a turn, in order, and the question they end with (NoAudio when a prompt has none)."""
    ctx = play.render
    clips: list[Clip] = []
    for decision in play.decisions:
        if isinstance(decision, Speak):
            clips.append(_speak(hl, ctx, decision))
        elif isinstance(decision, SpeakReference):
            clips.extend(_reference(hl, ctx, decision.slow))
        elif isinstance(decision, Listen):
            clips.extend(_speak(hl, ctx, speak) for speak in decision.prompts)
        elif isinstance(decision, Gather):
            clips.extend(_speak(hl, ctx, speak) for speak in decision.prompts)
            if decision.menu == "language":
                clips.extend(_language_menu(hl, ctx))
        elif isinstance(decision, ChooseLanguage):
            clips.extend(_language_menu(hl, ctx))
    return clips, question_of(play.decisions[-1], ctx)
