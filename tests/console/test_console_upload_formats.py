"""Prompt uploads as phones record them: real MP3, M4A/AAC, OGG/Opus, FLAC and WAV files made from espeak-ng
speech are stored as 8 kHz WAV; a damaged, empty, video, too long or too big file is refused in plain words in
the staff member's language."""

from __future__ import annotations

import io
import re
import shutil
import subprocess

import av
import numpy as np
import pytest
import soundfile as sf
from flask.testing import FlaskClient

from i18n import messages
from prompts import catalog
from prompts.audio import PromptAudio
from prompts.audio_processing import MAX_PROMPT_SECONDS, MAX_UPLOAD_BYTES, PHONE_RATE
from tests.console.html import parse_html
from tests.console.support import ADMIN, Seeded, login
from web.context import Hearthline

Speech = tuple[np.ndarray, int]


@pytest.fixture(scope="module")
def speech() -> Speech:
    """Two seconds or so of real synthetic speech (espeak-ng), as float32 mono samples and their rate."""
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed")
    wav = subprocess.run(
        ["espeak-ng", "-v", "en", "--stdout", "Welcome to Hearthline. Press one for meals."],
        capture_output=True,
        check=True,
    ).stdout
    samples, rate = sf.read(io.BytesIO(wav), dtype="float32")
    return samples, int(rate)


def encode(speech: Speech, container: str, codec: str, rate: int, *, video: bool = False, repeat: int = 1) -> bytes:
    """A real file of that container and codec, encoded by FFmpeg (PyAV) as a phone or a computer would."""
    samples, source_rate = speech
    samples = np.tile(samples, repeat)
    out = io.BytesIO()
    with av.open(out, mode="w", format=container) as file:
        # Every stream is declared before the first packet is written (the container header lists them).
        picture = file.add_stream("mpeg4", rate=10) if video else None
        sound = file.add_stream(codec, rate=rate)
        sound.layout = "mono"
        if picture is not None:
            picture.width, picture.height, picture.pix_fmt = 64, 48, "yuv420p"
            for _ in range(10):
                still = av.VideoFrame.from_ndarray(np.zeros((48, 64, 3), dtype=np.uint8), format="rgb24")
                for packet in picture.encode(still):
                    file.mux(packet)
            for packet in picture.encode(None):
                file.mux(packet)
        resampler = av.AudioResampler(format=sound.codec_context.format, layout="mono", rate=rate)
        source = av.AudioFrame.from_ndarray(samples.reshape(1, -1), format="flt", layout="mono")
        source.sample_rate = source_rate
        for frame in [*resampler.resample(source), *resampler.resample(None)]:
            for packet in sound.encode(frame):
                file.mux(packet)
        for packet in sound.encode(None):
            file.mux(packet)
    return out.getvalue()


FORMATS = [
    ("take.mp3", "mp3", "libmp3lame", 44100),
    ("take.m4a", "ipod", "aac", 44100),  # iPhone Voice Memos, Android recorders
    ("take.aac", "adts", "aac", 48000),  # raw AAC
    ("take.ogg", "ogg", "libopus", 48000),  # OGG/Opus (WhatsApp voice notes, Android)
    ("take.flac", "flac", "flac", 22050),
    ("take.wav", "wav", "pcm_s16le", 22050),
]


def _prompt() -> tuple[str, str]:
    prompt = catalog.static_prompts()[0]
    return prompt.key, messages.translate(prompt.domain, prompt.key, "en")


def _store(hl: Hearthline) -> PromptAudio:
    assert isinstance(hl.prompt_voice, PromptAudio)
    return hl.prompt_voice


def _upload(client: FlaskClient, token: str, url: str, data: bytes, name: str) -> list[str]:
    response = client.post(url + "/upload", data={"csrf_token": token, "audio": (io.BytesIO(data), name)})
    assert response.status_code == 303
    page = parse_html(client.get(url).get_data(as_text=True))
    return [p.text for p in page.find_all("p", class_="flash-error")]


@pytest.mark.parametrize(("name", "container", "codec", "rate"), FORMATS)
def test_what_phones_record_is_accepted_and_stored_as_phone_wav(
    client: FlaskClient,
    hearthline: Hearthline,
    seeded: Seeded,
    speech: Speech,
    name: str,
    container: str,
    codec: str,
    rate: int,
) -> None:
    key, _ = _prompt()
    token = login(client, *ADMIN)
    url = f"/console/prompts/en/{key}"
    data = encode(speech, container, codec, rate)
    assert _upload(client, token, url, data, name) == []
    versions = _store(hearthline).store.versions(key, "en")
    assert len(versions) == 1
    spoken = len(speech[0]) / speech[1]
    # Silence trimmed at both ends, the speech itself kept (codecs add a few ms of padding at most).
    assert 0.6 * spoken < versions[0].seconds <= spoken + 0.1
    stored = client.get(f"/console/prompts/recording/{versions[0].id}.wav")
    info = sf.info(io.BytesIO(stored.data))
    assert (info.format, info.samplerate, info.channels, info.subtype) == ("WAV", PHONE_RATE, 1, "PCM_16")


def _refusal(client: FlaskClient, hearthline: Hearthline, data: bytes, name: str, lang: str = "en") -> str:
    key, _ = _prompt()
    token = login(client, *ADMIN)
    client.post("/console/language", data={"csrf_token": token, "lang": lang, "next": "/console/"})
    errors = _upload(client, token, f"/console/prompts/en/{key}", data, name)
    assert _store(hearthline).store.versions(key, "en") == []  # nothing stored
    assert len(errors) == 1, errors
    assert "BytesIO" not in errors[0] and "0x" not in errors[0]
    return errors[0]


def test_a_damaged_file_is_refused_in_plain_words(
    client: FlaskClient, hearthline: Hearthline, seeded: Seeded, speech: Speech
) -> None:
    m4a = encode(speech, "ipod", "aac", 44100)
    said = _refusal(client, hearthline, m4a[: len(m4a) // 2], "memo.m4a")  # the transfer broke off
    assert said == (
        "Not saved: the file is damaged or is not a sound recording. "
        "Recordings from a phone (MP3, M4A, OGG, FLAC, WAV) work."
    )


def test_an_empty_file_is_refused_as_empty(client: FlaskClient, hearthline: Hearthline, seeded: Seeded) -> None:
    said = _refusal(client, hearthline, b"", "memo.m4a")
    assert said == "Not saved: the file is empty (0 bytes). Record again or choose another file."


def test_a_video_is_refused_as_a_video_in_korean(
    client: FlaskClient, hearthline: Hearthline, seeded: Seeded, speech: Speech
) -> None:
    clip = encode(speech, "mp4", "aac", 44100, video=True)
    said = _refusal(client, hearthline, clip, "clip.mp4", lang="ko")
    assert said.endswith("동영상 파일입니다. 소리만 올려 주세요: MP3, M4A, OGG, FLAC, WAV.")


def test_a_too_long_recording_is_refused_saying_how_long_in_spanish(
    client: FlaskClient, hearthline: Hearthline, seeded: Seeded, speech: Speech
) -> None:
    spoken = len(speech[0]) / speech[1]
    repeat = int(MAX_PROMPT_SECONDS / spoken) + 10
    long_mp3 = encode(speech, "mp3", "libmp3lame", 22050, repeat=repeat)
    assert len(long_mp3) < MAX_UPLOAD_BYTES  # small enough: its length is what is wrong
    said = _refusal(client, hearthline, long_mp3, "long.mp3", lang="es")
    found = re.fullmatch(
        r"No se guardó: la grabación dura (\d+) segundos; un mensaje puede durar como máximo (\d+) segundos\.", said
    )
    assert found, said
    assert abs(int(found[1]) - repeat * spoken) <= 2 and int(found[2]) == round(MAX_PROMPT_SECONDS)


def test_a_too_big_file_is_refused_saying_its_size_in_chinese(
    client: FlaskClient, hearthline: Hearthline, seeded: Seeded
) -> None:
    big = b"ID3" + b"\0" * (9 * 1024 * 1024)
    said = _refusal(client, hearthline, big, "big.mp3", lang="zh")
    assert "文件大小为 9 MB" in said and f"最大 {MAX_UPLOAD_BYTES // 1_048_576} MB" in said
