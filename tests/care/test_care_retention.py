"""Retention: `flask sweep-call-audio` and the worker's hourly housekeeping delete what is past its time."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from flask import Flask
from sqlalchemy import select

from care.models import CallState, CallTurn, Channel, RequestEvent, utcnow
from care.requests import NewRequest, create_request
from care.retention import sweep_audio
from tests.voice.conftest import CALLER, Call
from tests.voice.test_routes import ALWAYS_OPEN


def test_audio_sweep_deletes_expired_recordings_and_records_it(make_app: Callable[..., Flask], tmp_path: Path) -> None:
    app = make_app()
    hl = Call(app).hl
    old, fresh = tmp_path / "old.wav", tmp_path / "fresh.wav"
    old.write_bytes(b"RIFF"), fresh.write_bytes(b"RIFF")
    with hl.db.transaction() as session:
        for key, path, expires in (("a", old, -1), ("b", fresh, 5)):
            create_request(
                session,
                NewRequest(
                    intent="meals",
                    channel=Channel.VOICE,
                    requester_phone=CALLER,
                    source_key=f"call:test:{key}",
                    audio_path=str(path),
                    audio_expires_at=utcnow() + timedelta(days=expires),
                ),
                zone=hl.settings.zone,
            )
    result = app.test_cli_runner().invoke(args=["sweep-call-audio"])
    assert "deleted 1 recordings" in result.output
    assert not old.exists() and fresh.exists()
    with hl.db.sessions() as session:
        kinds = list(session.scalars(select(RequestEvent.kind).where(RequestEvent.kind == "audio_deleted")))
    assert kinds == ["audio_deleted"]
    assert sweep_audio(hl.db, hl.settings.data_dir) == 0


def test_sweep_forgets_finished_calls_but_keeps_live_ones(make_app: Callable[..., Flask]) -> None:
    app = make_app(**ALWAYS_OPEN)
    finished, live = Call(app, call_sid="CA" + "1" * 32), Call(app, call_sid="CA" + "2" * 32)
    finished.start()
    live.start()
    with finished.hl.db.transaction() as session:
        row = session.get(CallState, finished.call_sid)
        assert row is not None
        row.updated_at = utcnow() - timedelta(days=2)
    result = app.test_cli_runner().invoke(args=["sweep-call-audio"])
    assert "deleted 1 finished call states" in result.output
    with finished.hl.db.sessions() as session:
        assert session.get(CallState, finished.call_sid) is None
        assert session.scalar(select(CallTurn).where(CallTurn.call_sid == finished.call_sid)) is None
        assert session.get(CallState, live.call_sid) is not None


def test_the_workers_hourly_housekeeping_deletes_expired_audio_and_old_prompt_renders(
    make_app: Callable[..., Flask], tmp_path: Path
) -> None:
    import os
    import time

    app = make_app(audio_retention_days=1)
    hl = Call(app).hl
    expired = tmp_path / "expired.wav"
    expired.write_bytes(b"RIFF")
    with hl.db.transaction() as session:
        create_request(
            session,
            NewRequest(
                intent="meals",
                channel=Channel.VOICE,
                requester_phone=CALLER,
                source_key="call:test:housekeeping",
                audio_path=str(expired),
                audio_expires_at=utcnow() - timedelta(minutes=1),
            ),
            zone=hl.settings.zone,
        )
    # A prompt rendered for one caller (it tells them when to expect a call back), two days old.
    url = hl.prompt_voice.audio_url("voice.callback_closed", "en", "Expect the call by Tuesday 1 oh 5 PM.")
    assert url is not None
    renders = [p for p in (hl.settings.data_dir / "prompts").rglob("*.wav") if "dynamic" in p.parts]
    assert renders, "a dynamic prompt render should be cached on disk"
    two_days_ago = time.time() - 2 * 86400
    for path in renders:
        os.utime(path, (two_days_ago, two_days_ago))

    done = hl.queue.run_housekeeping()  # type: ignore[attr-defined]

    assert done["call_audio"] == 1 and not expired.exists()
    assert done["prompt_renders"] == len(renders)
    assert not any(path.exists() for path in renders)
