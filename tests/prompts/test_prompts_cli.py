"""The `flask prompts` commands: render with progress, record an upload, status, versions, rollback."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import soundfile as sf
from flask import Flask

from i18n import messages
from prompts import catalog
from prompts.audio import PromptAudio
from tests.prompts.conftest import espeak_speech, wav_bytes
from web.context import EXTENSION_KEY

KEY = "staffline.kept"


def _voice(app: Flask) -> PromptAudio:
    voice = app.extensions[EXTENSION_KEY].prompt_voice
    assert isinstance(voice, PromptAudio)
    return voice


def _speech_file(tmp_path: Path, rate: int = 44100) -> Path:
    import soxr

    speech, native = espeak_speech("Saved. Callers will now hear your recording.")
    path = tmp_path / "take.wav"
    path.write_bytes(wav_bytes(soxr.resample(speech, native, rate).astype(np.float32), rate))
    return path


def _summary(status_output: str) -> dict[str, list[str]]:
    """The per-locale totals at the end of `flask prompts status`: recorded, outdated, synthesised, missing."""
    lines = status_output.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("locale"))
    return {line.split()[0]: line.split()[1:] for line in lines[start + 1 : start + 1 + len(messages.LOCALES)]}


def test_render_synthesises_every_static_prompt_once_and_status_shows_it(app: Flask) -> None:
    runner = app.test_cli_runner()
    total = len(catalog.static_prompts())
    assert _summary(runner.invoke(args=["prompts", "status"]).output)["ko"] == ["0", "0", "0", str(total)]
    first = runner.invoke(args=["prompts", "render"])
    assert first.exit_code == 0, first.output
    expected = total * len(messages.LOCALES)
    assert f"{expected} prompts ready ({expected} synthesised now, 0 cached)" in first.output
    assert f"{expected}/{expected}" in first.stderr  # the tqdm progress bar
    files = _voice(app).cache.files(dynamic=False)
    assert len(files) == expected
    for path in files[:5]:
        assert sf.info(path).samplerate == 8000
    again = runner.invoke(args=["prompts", "render", "--quiet"])
    assert again.exit_code == 0 and again.output == ""
    assert len(_voice(app).cache.files(dynamic=False)) == expected
    summary = _summary(runner.invoke(args=["prompts", "status"]).output)
    assert all(counts == ["0", "0", str(total), "0"] for counts in summary.values()), summary


def test_record_makes_an_upload_live_and_status_versions_rollback_follow(app: Flask, tmp_path: Path) -> None:
    runner = app.test_cli_runner()
    number = catalog.by_key(KEY)
    assert number is not None
    done = runner.invoke(args=["prompts", "record", KEY, "ko", str(_speech_file(tmp_path))])
    assert done.exit_code == 0, done.output
    assert "version 1 is live" in done.output
    done = runner.invoke(args=["prompts", "record", str(number.number), "ko_KR", str(_speech_file(tmp_path, 8000))])
    assert done.exit_code == 0, done.output
    assert "version 2 is live" in done.output

    status = runner.invoke(args=["prompts", "status"])
    assert status.exit_code == 0
    row = next(line for line in status.output.splitlines() if line.endswith(KEY))
    assert row.split()[:5] == [str(number.number), "-", "-", "R", "-"]  # en zh ko es: recorded in Korean only

    versions = runner.invoke(args=["prompts", "versions", KEY, "ko"])
    lines = versions.output.splitlines()
    assert lines[0].startswith("  v1") and lines[1].startswith("* v2")

    back = runner.invoke(args=["prompts", "rollback", KEY, "ko"])
    assert back.exit_code == 0 and "version 1 is live" in back.output
    back = runner.invoke(args=["prompts", "rollback", KEY, "ko", "--to", "2"])
    assert back.exit_code == 0 and "version 2 is live" in back.output
    assert _voice(app).store.live(KEY, "ko").version == 2  # type: ignore[union-attr]


def test_bad_uploads_get_a_clear_error_and_change_nothing(app: Flask, tmp_path: Path) -> None:
    runner = app.test_cli_runner()
    text_file = tmp_path / "notes.wav"
    text_file.write_text("these are my notes, not a recording")
    low = tmp_path / "low.wav"
    low.write_bytes(wav_bytes(np.zeros(4000, np.float32) + 0.1, 4000))
    big = tmp_path / "big.wav"
    big.write_bytes(b"RIFF" + b"\0" * (10 * 1024 * 1024))
    cases = {
        text_file: "not a sound file",
        low: "4000 Hz",
        big: "10.0 MB",
        tmp_path / "absent.wav": "cannot read",
    }
    for path, message in cases.items():
        result = runner.invoke(args=["prompts", "record", KEY, "en", str(path)])
        assert result.exit_code != 0, path
        assert message in result.output, result.output
    assert "Nothing was changed" in runner.invoke(args=["prompts", "record", KEY, "en", str(text_file)]).output
    assert _voice(app).store.versions(KEY, "en") == []
    wrong_key = runner.invoke(args=["prompts", "record", "voice.no_such_prompt", "en", str(text_file)])
    assert wrong_key.exit_code != 0 and "not a prompt that can be recorded" in wrong_key.output
    wrong_locale = runner.invoke(args=["prompts", "record", KEY, "fr", str(text_file)])
    assert wrong_locale.exit_code != 0 and "fr" in wrong_locale.output


def test_render_fails_clearly_without_espeak(app: Flask, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("PATH", str(tmp_path))
    result = app.test_cli_runner().invoke(args=["prompts", "render", "--quiet"])
    assert result.exit_code != 0
    assert "espeak-ng is not installed" in result.output


def test_wav_written_by_record_is_phone_ready(app: Flask, tmp_path: Path) -> None:
    app.test_cli_runner().invoke(args=["prompts", "record", KEY, "es", str(_speech_file(tmp_path))])
    live = _voice(app).store.live(KEY, "es")
    assert live is not None
    info = sf.info(io.BytesIO(_voice(app).store.path(live.audio_id).read_bytes()))
    assert (info.samplerate, info.channels, info.subtype) == (8000, 1, "PCM_16")
