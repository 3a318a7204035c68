"""Staff recordings of prompts: versions on disk and in the database, approval, and rollback."""

from __future__ import annotations

import hashlib
import random
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from care.db import Database
from prompts.audio_processing import MAX_PROMPT_SECONDS, MAX_UPLOAD_BYTES, prepare_recording
from prompts.cache import is_audio_id, write_atomically
from prompts.models import (
    PromptChoice,
    PromptEvent,
    PromptRecording,
    RecordingSource,
    RecordingState,
    StaffLineCall,
)

# Staff saving the same prompt at the same moment is rare; a few jittered retries settle any such race.
VERSION_RACE_RETRIES = 8


class StoreError(LookupError):
    """A recording operation that cannot be done (unknown version, nothing to roll back to)."""


@dataclass(frozen=True)
class Version:
    """One recorded version, as shown to staff."""

    id: int
    key: str
    locale: str
    version: int
    state: RecordingState
    audio_id: str
    text: str
    seconds: float
    source: RecordingSource
    recorded_by: str
    live: bool

    @staticmethod
    def of(row: PromptRecording, live_id: int | None) -> Version:
        return Version(
            id=row.id,
            key=row.key,
            locale=row.locale,
            version=row.version,
            state=RecordingState(row.state),
            audio_id=row.audio_id,
            text=row.text,
            seconds=row.seconds,
            source=RecordingSource(row.source),
            recorded_by=row.recorded_by,
            live=row.id == live_id,
        )


class RecordingStore:
    """Files under `root` named by the sha256 of their bytes (never overwritten); rows in the database."""

    def __init__(self, db: Database, root: Path) -> None:
        self.db = db
        self.root = root

    def path(self, audio_id: str) -> Path:
        return self.root / audio_id[:2] / f"{audio_id}.wav"

    def find(self, audio_id: str) -> Path | None:
        if not is_audio_id(audio_id):
            return None
        path = self.path(audio_id)
        return path if path.is_file() else None

    # --- adding ---------------------------------------------------------------------------------------
    def add(
        self,
        key: str,
        locale: str,
        text: str,
        audio: bytes,
        *,
        source: RecordingSource,
        by: str,
        approve: bool,
        max_bytes: int = MAX_UPLOAD_BYTES,
        max_seconds: float = MAX_PROMPT_SECONDS,
    ) -> Version:
        """Validate and process `audio`, store it as the next version; approve makes it live at once.

        Raises audio_processing.BadAudio (nothing stored) when the audio cannot be a prompt.
        """
        audio_id, seconds = self.keep(audio, max_bytes=max_bytes, max_seconds=max_seconds)
        # Two takes of the same prompt saved at once would both pick the next number; the unique constraint
        # refuses the second, which then takes the number after.
        for attempt in range(VERSION_RACE_RETRIES):
            try:
                return self._insert(key, locale, text, audio_id, seconds, source, by, approve)
            except IntegrityError:
                if attempt == VERSION_RACE_RETRIES - 1:
                    raise
                time.sleep(random.uniform(0.005, 0.05))
        raise AssertionError("unreachable")

    def keep(
        self, audio: bytes, *, max_bytes: int = MAX_UPLOAD_BYTES, max_seconds: float = MAX_PROMPT_SECONDS
    ) -> tuple[str, float]:
        """Validate and process `audio` and keep the phone-ready file; its audio id and length in seconds.

        Also for a recording that is no catalog prompt (a crisis message: outreach.crisis plays it by its URL).
        Raises audio_processing.BadAudio (nothing kept) when it cannot be played on the phone line.
        """
        ready = prepare_recording(audio, max_bytes=max_bytes, max_seconds=max_seconds)
        audio_id = hashlib.sha256(ready.wav).hexdigest()
        path = self.path(audio_id)
        if not path.exists():
            write_atomically(path, ready.wav)
        return audio_id, ready.seconds

    def _insert(
        self,
        key: str,
        locale: str,
        text: str,
        audio_id: str,
        seconds: float,
        source: RecordingSource,
        by: str,
        approve: bool,
    ) -> Version:
        with self.db.transaction() as session:
            number = (
                session.scalar(
                    select(func.max(PromptRecording.version)).where(
                        PromptRecording.key == key, PromptRecording.locale == locale
                    )
                )
                or 0
            ) + 1
            row = PromptRecording(
                key=key,
                locale=locale,
                version=number,
                state=RecordingState.DRAFT,
                audio_id=audio_id,
                text=text,
                seconds=seconds,
                source=source,
                recorded_by=by,
            )
            session.add(row)
            session.flush()
            session.add(PromptEvent(key=key, locale=locale, action="recorded", recording_id=row.id, by=by))
            if approve:
                self._make_live(session, row, by, "approved")
            return Version.of(row, row.id if approve else self._live_id(session, key, locale))

    # --- changing what callers hear ---------------------------------------------------------------------
    def approve(self, recording_id: int, by: str) -> Version:
        with self.db.transaction() as session:
            row = session.get(PromptRecording, recording_id)
            if row is None or row.state == RecordingState.DISCARDED:
                raise StoreError(f"no recording {recording_id} to approve")
            self._make_live(session, row, by, "approved")
            return Version.of(row, row.id)

    def discard(self, recording_id: int, by: str) -> None:
        """Mark a draft as redone; an approved version is never discarded (roll back instead)."""
        with self.db.transaction() as session:
            row = session.get(PromptRecording, recording_id)
            if row is None or row.state != RecordingState.DRAFT:
                return
            row.state = RecordingState.DISCARDED
            session.add(PromptEvent(key=row.key, locale=row.locale, action="discarded", recording_id=row.id, by=by))

    def rollback(self, key: str, locale: str, by: str, to: int | None = None) -> Version | None:
        """Make version `to` live, or without `to` the approved version before the live one.

        Rolling back past the first approved version returns to synthesis (None).
        """
        with self.db.transaction() as session:
            approved = list(
                session.scalars(
                    select(PromptRecording)
                    .where(
                        PromptRecording.key == key,
                        PromptRecording.locale == locale,
                        PromptRecording.state == RecordingState.APPROVED,
                    )
                    .order_by(PromptRecording.version)
                )
            )
            choice = session.get(PromptChoice, (key, locale))
            if to is not None:
                target = next((row for row in approved if row.version == to), None)
                if target is None:
                    raise StoreError(f"{key} ({locale}) has no approved version {to}")
                self._make_live(session, target, by, "rolled_back")
                return Version.of(target, target.id)
            if choice is None:
                raise StoreError(f"{key} ({locale}) has no recording live; nothing to roll back")
            live_version = self._version_of(approved, choice.recording_id)
            older = [row for row in approved if row.version < live_version]
            if not older:
                session.delete(choice)
                session.add(PromptEvent(key=key, locale=locale, action="rolled_back", recording_id=None, by=by))
                return None
            self._make_live(session, older[-1], by, "rolled_back")
            return Version.of(older[-1], older[-1].id)

    @staticmethod
    def _version_of(rows: list[PromptRecording], recording_id: int) -> int:
        return next((row.version for row in rows if row.id == recording_id), 0)

    @staticmethod
    def _make_live(session: Session, row: PromptRecording, by: str, action: str) -> None:
        row.state = RecordingState.APPROVED
        choice = session.get(PromptChoice, (row.key, row.locale))
        if choice is None:
            session.add(PromptChoice(key=row.key, locale=row.locale, recording_id=row.id, changed_by=by))
        else:
            choice.recording_id = row.id
            choice.changed_by = by
        session.add(PromptEvent(key=row.key, locale=row.locale, action=action, recording_id=row.id, by=by))

    @staticmethod
    def _live_id(session: Session, key: str, locale: str) -> int | None:
        choice = session.get(PromptChoice, (key, locale))
        return choice.recording_id if choice is not None else None

    # --- reading ----------------------------------------------------------------------------------------
    def live(self, key: str, locale: str) -> Version | None:
        """The approved version callers hear now, if any."""
        with self.db.sessions() as session:
            choice = session.get(PromptChoice, (key, locale))
            if choice is None:
                return None
            row = session.get(PromptRecording, choice.recording_id)
            return Version.of(row, row.id) if row is not None else None

    def live_all(self) -> dict[tuple[str, str], Version]:
        """Every live version by (key, locale), in one query (for status listings)."""
        with self.db.sessions() as session:
            rows = session.execute(
                select(PromptRecording).join(PromptChoice, PromptChoice.recording_id == PromptRecording.id)
            ).scalars()
            return {(row.key, row.locale): Version.of(row, row.id) for row in rows}

    def get(self, recording_id: int) -> Version | None:
        with self.db.sessions() as session:
            row = session.get(PromptRecording, recording_id)
            return Version.of(row, self._live_id(session, row.key, row.locale)) if row is not None else None

    def versions(self, key: str, locale: str) -> list[Version]:
        with self.db.sessions() as session:
            live_id = self._live_id(session, key, locale)
            rows = session.scalars(
                select(PromptRecording)
                .where(PromptRecording.key == key, PromptRecording.locale == locale)
                .order_by(PromptRecording.version)
            )
            return [Version.of(row, live_id) for row in rows]

    def history(self, key: str, locale: str) -> list[PromptEvent]:
        with self.db.sessions() as session:
            return list(
                session.scalars(
                    select(PromptEvent)
                    .where(PromptEvent.key == key, PromptEvent.locale == locale)
                    .order_by(PromptEvent.id)
                )
            )

    def forget_calls(self, before: datetime) -> int:
        """Delete staff-line call state (it holds the caller's number) last touched before `before`."""
        with self.db.transaction() as session:
            result = session.execute(delete(StaffLineCall).where(StaffLineCall.updated_at < before))
            return int(getattr(result, "rowcount", 0) or 0)
