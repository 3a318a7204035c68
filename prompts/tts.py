"""Local speech synthesis with espeak-ng, delivered as 8 kHz mono 16-bit WAV for the phone line."""

from __future__ import annotations

import io
import shutil
import subprocess
import unicodedata
from functools import cached_property

import soundfile as sf

from prompts.audio_processing import to_phone_wav
from prompts.voices import espeak_voice

# espeak-ng renders a sentence in tens of milliseconds; a minute means it is stuck, and Twilio would have
# given up on the webhook long before (15 s), so the caller gets <Say> instead.
SYNTHESIS_TIMEOUT_SECONDS = 20
# Longer text is not a prompt; refusing it keeps one request from tying up a worker.
MAX_TEXT_CHARS = 2000


class SynthesisFailed(RuntimeError):
    """espeak-ng is missing, failed, or produced no usable audio."""


def speakable(text: str) -> str:
    """The text with control characters as spaces and its whitespace collapsed; SynthesisFailed when it is empty or
    longer than any prompt. espeak-ng reads Ctrl-A + number + letter as a command ("\\x01400S": 400 words a
    minute), so a control character in a prompt, a name or a note is never passed on."""
    text = " ".join("".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in text).split())
    if not text:
        raise SynthesisFailed("nothing to say")
    if len(text) > MAX_TEXT_CHARS:
        raise SynthesisFailed(f"text of {len(text)} characters is too long for a prompt")
    return text


def phone_speech(wav: bytes, engine: str) -> bytes:
    """A synthesiser's WAV checked for sound and converted for the phone line; SynthesisFailed otherwise."""
    try:
        samples, rate = sf.read(io.BytesIO(wav), dtype="float32", always_2d=True)
    except (sf.LibsndfileError, RuntimeError) as exc:
        raise SynthesisFailed(f"{engine} wrote no readable audio: {exc}") from exc
    mono = samples.mean(axis=1)
    if mono.size < rate // 10 or float(abs(mono).max()) == 0.0:
        raise SynthesisFailed(f"{engine} produced silence")
    return to_phone_wav(mono, int(rate))


class EspeakSynthesizer:
    """Speak text by running espeak-ng once per prompt.

    Each call is its own espeak-ng process writing to its own pipe, so calls share no state and need no lock
    (pyttsx3 keeps one engine per process, is not thread-safe, and its first save can return before the file
    exists; running espeak-ng directly avoids all of that). The output is checked before it is returned.
    """

    def __init__(self, executable: str = "espeak-ng", variant: str = "") -> None:
        self.executable = executable
        self.variant = variant  # an espeak-ng voice variant ("f3"): another speaker for tests and benchmarks

    @cached_property
    def version(self) -> str:
        """The espeak-ng version, part of the cache key so an upgrade re-renders every prompt."""
        try:
            done = subprocess.run(
                [self._path(), "--version"], capture_output=True, timeout=SYNTHESIS_TIMEOUT_SECONDS, check=False
            )
        except (OSError, subprocess.SubprocessError) as exc:
            raise SynthesisFailed(f"cannot run {self.executable}: {exc}") from exc
        return done.stdout.decode("utf-8", "replace").split(" Data at:")[0].strip()

    def available(self) -> bool:
        return shutil.which(self.executable) is not None

    def _path(self) -> str:
        path = shutil.which(self.executable)
        if path is None:
            raise SynthesisFailed(f"{self.executable} is not installed (apt-get install espeak-ng)")
        return path

    def synthesize(self, text: str, locale: str, rate_wpm: int) -> bytes:
        text = speakable(text)
        voice = espeak_voice(locale) + (f"+{self.variant}" if self.variant else "")
        command = [self._path(), "-v", voice, "-s", str(int(rate_wpm)), "-b", "1", "--stdin", "--stdout"]
        try:
            # Text goes through stdin, never the argument list, so a prompt starting with "-" is not an option.
            done = subprocess.run(
                command, input=text.encode("utf-8"), capture_output=True, timeout=SYNTHESIS_TIMEOUT_SECONDS, check=False
            )
        except (OSError, subprocess.SubprocessError) as exc:
            raise SynthesisFailed(f"espeak-ng did not run: {exc}") from exc
        if done.returncode != 0:
            raise SynthesisFailed(f"espeak-ng exited {done.returncode}: {done.stderr.decode('utf-8', 'replace')[:200]}")
        return phone_speech(done.stdout, "espeak-ng")
