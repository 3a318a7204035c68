"""Speech synthesis through pyttsx3 (SAPI5 on Windows, NSSpeech on macOS, espeak-ng on Linux) in its own process.

pyttsx3 keeps one engine per process and is not thread-safe, so the engine lives in one dedicated child
process and the web threads take turns through a lock and a pipe. Its first save after init() can return
before the file exists, so the child waits for a complete WAV before answering. Through the espeak driver
(pyttsx3 2.99) settings and saves run on espeak-ng's own queue and the file is written before the last block
of samples is added: unsynchronised, about one save in ten came out empty here and rates landed a prompt
late; the child waits for espeak-ng's queue after each step (none empty in 60 saves) and saves again if a
file is still empty. The parent checks the audio is not silence and converts it to the phone line's 8 kHz
mono 16-bit, as the espeak-ng adapter does.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import importlib.util
import io
import itertools
import multiprocessing
import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError

from prompts.tts import SYNTHESIS_TIMEOUT_SECONDS, SynthesisFailed, phone_speech, speakable
from prompts.voices import ESPEAK_VOICES, SAY_LANGUAGES

# Starting the child imports pyttsx3 and lists the system's voices: about a second on Linux; generous for a
# cold Windows machine loading SAPI5.
START_TIMEOUT_SECONDS = 30
# How long the child waits for the saved file to be complete after runAndWait() returns (the first-save bug).
FILE_WAIT_SECONDS = 5.0
FILE_POLL_SECONDS = 0.02
# A RIFF/WAVE header is 44 bytes; a file no longer holds no sound.
WAV_HEADER_BYTES = 44
# Saves of one prompt before giving up on empty files (each failed save here was followed by a good one).
SAVE_ATTEMPTS = 3


class EmptySave(SynthesisFailed):
    """pyttsx3 saved a WAV with no samples in it."""


@dataclass(frozen=True)
class VoiceInfo:
    """What a pyttsx3 driver tells about one of its voices."""

    id: str
    name: str
    languages: tuple[str, ...]


def voice_tags(locale: str) -> tuple[str, ...]:
    """Language tags to look for among an engine's voices, best first ("en-us", then "en-US", then "en")."""
    tags = [ESPEAK_VOICES.get(locale, ""), SAY_LANGUAGES.get(locale, ""), locale]
    return tuple(dict.fromkeys(tag.lower().replace("_", "-") for tag in tags if tag))


def choose_voice(voices: Sequence[VoiceInfo], locale: str) -> str | None:
    """The id of the voice that best speaks `locale`; None when none does.

    espeak-ng names languages "en-us" and NSSpeech "en_US"; SAPI5 gives no languages, only a name such as
    "Microsoft Heami Desktop - Korean", so the language's English name is the last resort.
    """
    for tag in voice_tags(locale):
        for voice in voices:
            spoken = {lang.lower().replace("_", "-") for lang in voice.languages}
            last_part = voice.id.lower().replace("_", "-").rsplit("/", 1)[-1]
            if tag in spoken or any(lang.startswith(tag + "-") for lang in spoken) or last_part == tag:
                return voice.id
    try:
        english_name = Locale.parse(locale).english_name or ""
    except (ValueError, UnknownLocaleError):
        return None
    return next((v.id for v in voices if english_name and english_name.lower() in v.name.lower()), None)


def in_band_rate(text: str, rate_wpm: int) -> str:
    """The text led by espeak-ng's embedded speed command (Ctrl-A, the rate, "S"), so the rate travels with the
    words: the rate property goes through espeak-ng's asynchronous queue, and one prompt in a CI run of several
    thousand tests still came out at the engine's 200 wpm instead of the 140 asked for. `text` is speakable():
    no control character of its own."""
    return f"\x01{int(rate_wpm)}S {text}"


def _complete_wav(path: Path, deadline: float) -> bytes:
    """The file's bytes once it exists and has stopped growing; EmptySave when it holds only a header."""
    last = -1
    while time.monotonic() < deadline:
        size = path.stat().st_size if path.exists() else -1
        if size >= 0 and size == last:
            if size <= WAV_HEADER_BYTES:
                raise EmptySave("pyttsx3 saved a file with no sound in it")
            return path.read_bytes()
        last = size
        time.sleep(FILE_POLL_SECONDS)
    raise SynthesisFailed(f"pyttsx3 wrote no complete file within {FILE_WAIT_SECONDS:.0f} s")


def _save(engine: Any, text: str, path: Path, settle: Callable[[], object]) -> bytes:
    """Save `text` with the engine's current voice and rate, again while the file comes out empty."""
    attempt = 1
    while True:
        engine.save_to_file(text, str(path))
        with contextlib.redirect_stdout(io.StringIO()):  # the espeak driver prints "Audio saved to ..."
            engine.runAndWait()
            settle()
        try:
            return _complete_wav(path, time.monotonic() + FILE_WAIT_SECONDS)
        except EmptySave:
            if attempt >= SAVE_ATTEMPTS:
                raise
            attempt += 1
        finally:
            path.unlink(missing_ok=True)


def _voice_info(voice: Any) -> VoiceInfo:
    """A driver's voice object as plain values (older espeak drivers give bytes led by a priority byte)."""
    languages = tuple(
        lang.decode("utf-8", "replace").lstrip("\x05") if isinstance(lang, bytes) else str(lang)
        for lang in (voice.languages or ())
    )
    return VoiceInfo(str(voice.id), str(voice.name or ""), languages)


def _driver_name(driver: str | None) -> str:
    """The driver pyttsx3 uses: the one named, else its platform default (as pyttsx3/driver.py chooses)."""
    return driver or {"win32": "sapi5", "darwin": "nsss"}.get(sys.platform, "espeak")


def _serve(conn: Connection, driver: str | None) -> None:
    """The child process: one pyttsx3 engine, one prompt at a time, until the pipe closes."""
    try:
        import pyttsx3  # only here: the heavy library stays in this process

        engine = pyttsx3.init(driverName=driver)
        voices = [_voice_info(v) for v in engine.getProperty("voices")]
        settle: Callable[[], object] = lambda: None  # noqa: E731
        if _driver_name(driver) == "espeak":
            # pyttsx3 starts espeak-ng in its asynchronous mode (AUDIO_OUTPUT_RETRIEVAL): a voice or rate set
            # and a file saved are queued inside espeak-ng, so they can land a prompt late (measured here: English
            # asked at 110 wpm after Spanish at 140 came out at 140). espeak_Synchronize waits for that queue.
            from pyttsx3.drivers import _espeak

            settle = _espeak.Synchronize
    except Exception as exc:  # whatever the platform's driver raises, the parent must hear it
        conn.send(("error", f"pyttsx3 could not start: {exc!r}"))
        return
    conn.send(("ready", ""))
    with tempfile.TemporaryDirectory(prefix="hearthline-pyttsx3-") as folder:
        for count in itertools.count(1):
            try:
                request = conn.recv()
            except EOFError:
                return
            if request is None:
                return
            text, locale, rate_wpm = request
            try:
                voice_id = choose_voice(voices, locale)
                if voice_id is None:
                    raise SynthesisFailed(f"no pyttsx3 voice speaks {locale!r}")
                engine.setProperty("voice", voice_id)
                engine.setProperty("rate", rate_wpm)
                settle()
                spoken = in_band_rate(text, rate_wpm) if _driver_name(driver) == "espeak" else text
                conn.send(("ok", _save(engine, spoken, Path(folder) / f"{count}.wav", settle)))
            except Exception as exc:  # one bad prompt must not end the engine's process
                conn.send(("error", str(exc)))


class Pyttsx3Synthesizer:
    """Speak text with pyttsx3's one engine, owned by a child process started on first use in each process.

    A child started before gunicorn forks would be shared by every worker through one pipe, so each process
    (by pid) starts its own. A child that hangs past the timeout is killed and the next prompt starts a new one.
    """

    def __init__(self, driver: str | None = None, timeout_seconds: float = SYNTHESIS_TIMEOUT_SECONDS) -> None:
        self.driver = driver  # None: the platform's default (sapi5, nsss or espeak)
        self.timeout_seconds = timeout_seconds
        self._lock = threading.Lock()
        self._child: BaseProcess | None = None
        self._conn: Connection | None = None
        self._pid = 0

    @cached_property
    def version(self) -> str:
        """pyttsx3's version and driver, part of the cache key so a change re-renders every prompt."""
        try:
            release = importlib.metadata.version("pyttsx3")
        except importlib.metadata.PackageNotFoundError as exc:
            raise SynthesisFailed("pyttsx3 is not installed (pip install pyttsx3)") from exc
        return f"pyttsx3 {release} {_driver_name(self.driver)}"

    def available(self) -> bool:
        return importlib.util.find_spec("pyttsx3") is not None

    def synthesize(self, text: str, locale: str, rate_wpm: int) -> bytes:
        text = speakable(text)
        with self._lock:
            data = self._ask((text, locale, int(rate_wpm)))
        return phone_speech(data, "pyttsx3")

    def close(self) -> None:
        """Stop the engine's process (it also ends with this one)."""
        with self._lock:
            self._stop()

    # --- the child process ------------------------------------------------------------------------------
    def _ask(self, request: tuple[str, str, int]) -> bytes:
        conn = self._connection()
        try:
            conn.send(request)
            kind, payload = self._receive(conn, self.timeout_seconds)
        except (OSError, EOFError) as exc:
            self._stop()
            raise SynthesisFailed(f"the pyttsx3 process ended: {exc!r}") from exc
        if kind != "ok":
            raise SynthesisFailed(str(payload))
        return bytes(payload)

    def _receive(self, conn: Connection, timeout: float) -> tuple[str, Any]:
        if not conn.poll(timeout):
            self._stop()  # stuck: kill it, so the next prompt gets a fresh engine rather than this one's backlog
            raise SynthesisFailed(f"pyttsx3 did not answer within {timeout:.0f} s")
        kind, payload = conn.recv()
        return str(kind), payload

    def _connection(self) -> Connection:
        if self._conn is not None and self._pid == os.getpid() and self._child is not None and self._child.is_alive():
            return self._conn
        self._stop()
        # spawn, not fork: a forked copy of a threaded web worker can inherit a lock held by another thread.
        context = multiprocessing.get_context("spawn")
        parent, child = context.Pipe()
        process = context.Process(target=_serve, args=(child, self.driver), name="pyttsx3-engine", daemon=True)
        process.start()
        child.close()
        self._child, self._conn, self._pid = process, parent, os.getpid()
        try:
            kind, payload = self._receive(parent, START_TIMEOUT_SECONDS)
        except EOFError as exc:
            self._stop()
            raise SynthesisFailed("the pyttsx3 process ended while starting") from exc
        if kind != "ready":
            self._stop()
            raise SynthesisFailed(str(payload))
        return parent

    def _stop(self) -> None:
        conn, child = self._conn, self._child
        self._conn = self._child = None
        if conn is not None and self._pid == os.getpid():
            with contextlib.suppress(OSError):  # already gone
                conn.send(None)
            conn.close()
        if child is not None and self._pid == os.getpid():
            child.join(timeout=1)
            if child.is_alive():
                child.kill()
                child.join(timeout=1)
