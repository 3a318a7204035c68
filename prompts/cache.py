"""Synthesised prompt audio on disk, keyed by a hash of (text, voice, rate, engine version)."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from pathlib import Path

# File names are hex digests; anything else in a URL or on disk is refused.
_HEX = frozenset("0123456789abcdef")
AUDIO_ID_LENGTH = 64


def is_audio_id(value: str) -> bool:
    return len(value) == AUDIO_ID_LENGTH and set(value) <= _HEX


def synthesis_key(text: str, voice: str, rate_wpm: int, engine: str) -> str:
    """The cache key: the same words in the same voice at the same rate by the same engine sound the same."""
    payload = json.dumps([" ".join(text.split()), voice, int(rate_wpm), engine], ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def write_atomically(path: Path, data: bytes) -> None:
    """Write to a temporary file beside `path`, then rename: readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".wav")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


class SynthesisCache:
    """Content under a key never changes, so a file, once written, is served as is (and cached by Twilio).

    Static prompts live in `static/`; prompts with a caller's details in them (a reference, a time) live in
    `dynamic/` and are deleted after `dynamic_retention_seconds`, since they may carry personal data.
    """

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, key: str, *, dynamic: bool) -> Path:
        return self.root / ("dynamic" if dynamic else "static") / key[:2] / f"{key}.wav"

    def find(self, key: str) -> Path | None:
        """The file for `key` in either part of the cache, or None."""
        if not is_audio_id(key):
            return None
        for dynamic in (False, True):
            path = self.path(key, dynamic=dynamic)
            if path.is_file():
                return path
        return None

    def put(self, key: str, wav: bytes, *, dynamic: bool) -> Path:
        path = self.path(key, dynamic=dynamic)
        write_atomically(path, wav)
        return path

    def files(self, *, dynamic: bool) -> list[Path]:
        return sorted((self.root / ("dynamic" if dynamic else "static")).glob("*/*.wav"))

    def prune_dynamic(self, max_age_seconds: float, now: float | None = None) -> int:
        """Delete dynamic renders older than `max_age_seconds`; return how many went."""
        cutoff = (time.time() if now is None else now) - max_age_seconds
        removed = 0
        for path in self.files(dynamic=True):
            if path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)
                removed += 1
        return removed
