"""Staff recordings: versions kept, rollback, history of who changed what, bad uploads change nothing."""

from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import func, select

from i18n import messages
from prompts import audio_processing as ap
from prompts.audio import PromptAudio
from prompts.models import PromptEvent, PromptRecording, RecordingSource, RecordingState
from prompts.store import StoreError
from tests.prompts.conftest import espeak_speech, tone, wav_bytes
from web.context import Hearthline

KEY = "staffline.goodbye"


def _add(voice: PromptAudio, words: str, *, approve: bool = True, by: str = "amy") -> int:
    speech, rate = espeak_speech(words)
    text = messages.translate("staffline", KEY, "en")
    return voice.store.add(
        KEY, "en", text, wav_bytes(speech, rate), source=RecordingSource.UPLOAD, by=by, approve=approve
    ).version


def test_versions_are_kept_and_rollback_walks_back_then_to_synthesis(voice: PromptAudio) -> None:
    assert [_add(voice, "Goodbye."), _add(voice, "Goodbye now."), _add(voice, "Goodbye, take care.")] == [1, 2, 3]
    live = voice.store.live(KEY, "en")
    assert live is not None and live.version == 3
    files = {v.audio_id for v in voice.store.versions(KEY, "en")}
    assert len(files) == 3 and all(voice.store.find(a) for a in files)

    back = voice.store.rollback(KEY, "en", by="bob")
    assert back is not None and back.version == 2
    back = voice.store.rollback(KEY, "en", by="bob", to=3)
    assert back is not None and back.version == 3
    assert voice.store.rollback(KEY, "en", by="bob", to=1) is not None
    assert voice.store.rollback(KEY, "en", by="bob") is None  # before version 1: synthesis
    assert voice.store.live(KEY, "en") is None
    with pytest.raises(StoreError):
        voice.store.rollback(KEY, "en", by="bob")
    with pytest.raises(StoreError):
        voice.store.rollback(KEY, "en", by="bob", to=9)
    assert [v.version for v in voice.store.versions(KEY, "en")] == [1, 2, 3]  # nothing was deleted


def test_a_discarded_draft_is_never_a_rollback_target(voice: PromptAudio) -> None:
    _add(voice, "Goodbye.")
    draft = _add(voice, "Goodbye, take care.", approve=False)
    _add(voice, "Goodbye now.")
    rows = voice.store.versions(KEY, "en")
    voice.store.discard(rows[draft - 1].id, by="amy")
    back = voice.store.rollback(KEY, "en", by="amy")
    assert back is not None and back.version == 1
    with pytest.raises(StoreError):
        voice.store.rollback(KEY, "en", by="amy", to=draft)
    assert voice.store.versions(KEY, "en")[draft - 1].state is RecordingState.DISCARDED


def test_every_change_is_in_the_history_with_who_made_it(voice: PromptAudio) -> None:
    _add(voice, "Goodbye.", by="amy")
    _add(voice, "Goodbye now.", by="amy")
    voice.store.rollback(KEY, "en", by="bob")
    history = [(e.action, e.by) for e in voice.store.history(KEY, "en")]
    assert history == [
        ("recorded", "amy"),
        ("approved", "amy"),
        ("recorded", "amy"),
        ("approved", "amy"),
        ("rolled_back", "bob"),
    ]


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (b"not audio at all", ap.NotAudio),
        (wav_bytes(tone(2.0, 4000), 4000), ap.UnsupportedSampleRate),
        (wav_bytes(tone(90.0, 8000), 8000), ap.TooLong),
        (wav_bytes(np.zeros(16000, np.float32), 8000), ap.NoSpeech),
    ],
)
def test_a_bad_upload_changes_nothing(
    voice: PromptAudio, hearthline: Hearthline, data: bytes, error: type[Exception]
) -> None:
    _add(voice, "Goodbye.")
    before = sorted(p.name for p in voice.store.root.rglob("*.wav"))
    with pytest.raises(error):
        voice.store.add(KEY, "en", "Goodbye.", data, source=RecordingSource.UPLOAD, by="amy", approve=True)
    with hearthline.db.sessions() as session:
        assert session.scalar(select(func.count()).select_from(PromptRecording)) == 1
        assert session.scalar(select(func.count()).select_from(PromptEvent)) == 2
    assert sorted(p.name for p in voice.store.root.rglob("*.wav")) == before
    live = voice.store.live(KEY, "en")
    assert live is not None and live.version == 1


def test_takes_saved_at_the_same_moment_get_distinct_versions(voice: PromptAudio) -> None:
    from concurrent.futures import ThreadPoolExecutor

    speech, rate = espeak_speech("Goodbye.")
    data = wav_bytes(speech, rate)

    def save(n: int) -> int:
        return voice.store.add(
            KEY, "en", "Goodbye.", data, source=RecordingSource.PHONE, by=f"staff{n}", approve=False
        ).version

    with ThreadPoolExecutor(max_workers=4) as pool:
        versions = sorted(pool.map(save, range(4)))
    assert versions == [1, 2, 3, 4]
