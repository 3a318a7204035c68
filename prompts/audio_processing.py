"""Audio for the phone line: decode, validate, trim silence, level-normalise and convert to 8 kHz mono WAV."""

from __future__ import annotations

import io
from dataclasses import dataclass

import av
import numpy as np
import soundfile as sf
import soxr

# A telephone line carries 8 kHz 16-bit audio (G.711, ITU-T); Twilio <Play> accepts WAV at that rate as is.
PHONE_RATE = 8000
# Below 8 kHz we would have to invent the upper band the phone line carries: refuse rather than play mush.
# Above 192 kHz no ordinary recorder or phone app writes; treat it as a broken header.
MIN_SOURCE_RATE = 8000
MAX_SOURCE_RATE = 192_000
# A prompt is one to three short sentences; a minute is generous, and keeps a staff upload bounded.
MAX_PROMPT_SECONDS = 60.0
# A minute of 48 kHz 16-bit mono is 5.8 MB; 8 MB leaves room for WAV chunks and 24-bit files, and stays under
# the app's 12 MB request limit so the web upload gets our clear message and not a bare 413.
MAX_UPLOAD_BYTES = 8 * 1024 * 1024
# Silence detection, relative to the loudest 20 ms of the recording so a quiet speaker is trimmed like a loud
# one: frames more than 35 dB below it are silence (speech stays within ~30 dB of its peaks; room and line noise
# of a usable recording sits 40+ dB down), and nothing under -55 dBFS is ever speech.
SILENCE_BELOW_PEAK_DB = 35.0
SILENCE_FLOOR_DBFS = -55.0
# A recording whose loudest moment is under -45 dBFS holds no speech, only hiss (~-60..-50 dBFS).
NO_SPEECH_DBFS = -45.0
FRAME_SECONDS = 0.02  # 20 ms frames, the usual analysis frame for speech
# Keep a little air around the speech so the first and last consonants are not clipped.
TRIM_PAD_SECONDS = 0.15
# Level: ITU-T P.56 puts nominal active speech on a telephone network at -26 dBov; prompts for older listeners
# are set a few dB hotter (-20 dBFS RMS of the speech frames), and peaks are held at -1 dBFS so G.711
# companding never clips.
TARGET_RMS_DBFS = -20.0
PEAK_CEILING_DBFS = -1.0
# A recording must keep at least this much speech after trimming, else the staff member said nothing.
MIN_SPEECH_SECONDS = 0.3


class BadAudio(ValueError):
    """Audio we cannot use as a prompt: `reason` names what is wrong (a "prompts.bad.<reason>" message in every
    language, with `params`); str() is the same in English for logs and the command line."""

    reason = "unreadable"

    def __init__(self, english: str, **params: float) -> None:
        super().__init__(english)
        self.params = params


class EmptyFile(BadAudio):
    """The file has no bytes at all (a failed transfer or an empty recording)."""

    reason = "empty"


class NotAudio(BadAudio):
    """The file is damaged or not a sound file we know."""

    reason = "unreadable"


class IsVideo(BadAudio):
    """A video (a phone's camera clip): the prompt is the sound alone."""

    reason = "video"


class TooLarge(BadAudio):
    """The file is bigger than any prompt needs."""

    reason = "too_big"


class TooLong(BadAudio):
    """The recording is longer than any prompt needs."""

    reason = "too_long"


class UnsupportedSampleRate(BadAudio):
    """The sample rate is below what a phone line carries (or absurd)."""

    reason = "sample_rate"


class NoSpeech(BadAudio):
    """Nothing but silence."""

    reason = "silent"


@dataclass(frozen=True)
class PhoneAudio:
    """A prompt ready for the phone line: an 8 kHz mono 16-bit WAV and its length."""

    wav: bytes
    seconds: float


# What phones and computers record, as FFmpeg's demuxers name them: MP3, M4A/AAC (iPhone Voice Memos, Android
# recorders: the MP4 family or raw ADTS), OGG (Vorbis, Opus), FLAC, WAV, and WebM/Matroska (browser recorders).
# Anything else FFmpeg happens to probe (a text file can pass as "tty", a picture as "image2") is not a recording.
AUDIO_CONTAINERS = frozenset(
    {"mp3", "mov,mp4,m4a,3gp,3g2,mj2", "aac", "ogg", "flac", "wav", "matroska,webm", "caf", "aiff", "w64"}
)


def decode(data: bytes, *, max_seconds: float = MAX_PROMPT_SECONDS) -> tuple[np.ndarray, int]:
    """Read a recording (MP3, M4A/AAC, OGG/Opus, FLAC, WAV...) into mono float32 samples and their rate.

    FFmpeg through PyAV decodes them all (libsndfile reads no M4A/AAC). A video, a damaged file or one longer
    than `max_seconds` is refused with a BadAudio that says so; decoding stops as soon as it is too long, so a
    small file that claims hours cannot keep the server busy.
    """
    if not data:
        raise EmptyFile("the file is empty")
    try:
        container = av.open(io.BytesIO(data), mode="r")
    except (av.FFmpegError, ValueError, OSError) as exc:
        raise NotAudio("the file is damaged or is not a sound file") from exc
    with container:
        if container.format.name not in AUDIO_CONTAINERS:
            raise NotAudio(f"the file is not a sound file (it reads as {container.format.name})")
        # A cover picture inside an MP3 or M4A is a one-frame "video" stream marked as an attached picture.
        videos = [v for v in container.streams.video if not v.disposition & av.stream.Disposition.attached_pic]
        if videos:
            raise IsVideo("the file is a video; upload only its sound (MP3, M4A, OGG, FLAC or WAV)")
        if not container.streams.audio:
            raise NotAudio("the file holds no sound")
        stream = container.streams.audio[0]
        if container.duration is not None and container.duration / av.time_base > max_seconds + 1:
            seconds = container.duration / av.time_base
            raise TooLong(
                f"the recording is {seconds:.0f} seconds long; a prompt must be under {max_seconds:.0f} seconds",
                seconds=round(seconds),
                limit=round(max_seconds),
            )
        rate = int(stream.rate or stream.codec_context.sample_rate or 0)
        resampler = av.AudioResampler(format="flt", layout="mono", rate=rate or None)
        chunks: list[np.ndarray] = []
        count = 0
        try:
            for frame in container.decode(stream):
                rate = rate or frame.sample_rate
                for mono in resampler.resample(frame):
                    chunk = mono.to_ndarray().reshape(-1)
                    chunks.append(chunk)
                    count += len(chunk)
                if rate and count > (max_seconds + 1) * rate:
                    raise TooLong(
                        f"the recording is longer than {max_seconds:.0f} seconds, the most a prompt may be",
                        seconds=round(count / rate),
                        limit=round(max_seconds),
                    )
            for mono in resampler.resample(None):
                chunks.append(mono.to_ndarray().reshape(-1))
        except (av.FFmpegError, ValueError) as exc:
            raise NotAudio("the file is damaged: its sound cannot be read") from exc
    samples = np.concatenate(chunks).astype(np.float32) if chunks else np.zeros(0, dtype=np.float32)
    if samples.size == 0 or not rate:
        raise NotAudio("the file is damaged: it holds no sound we can read")
    return samples, rate


def _dbfs(value: float) -> float:
    return 20.0 * float(np.log10(max(value, 1e-10)))


def _frame_rms(samples: np.ndarray, rate: int) -> np.ndarray:
    frame = max(1, int(rate * FRAME_SECONDS))
    count = len(samples) // frame
    if count == 0:
        return np.zeros(0, dtype=np.float32)
    frames = samples[: count * frame].reshape(count, frame)
    return np.sqrt(np.mean(frames.astype(np.float64) ** 2, axis=1))


def _speech_frames(rms: np.ndarray) -> np.ndarray:
    """Indices of frames loud enough to be speech."""
    if rms.size == 0:
        return np.zeros(0, dtype=np.int64)
    loudest = _dbfs(float(rms.max()))
    if loudest < NO_SPEECH_DBFS:
        return np.zeros(0, dtype=np.int64)
    threshold = max(SILENCE_FLOOR_DBFS, loudest - SILENCE_BELOW_PEAK_DB)
    return np.flatnonzero(rms > 10 ** (threshold / 20))


def trim_silence(samples: np.ndarray, rate: int) -> np.ndarray:
    """Cut leading and trailing silence (keeping a short pad); an all-silent input comes back empty."""
    loud = _speech_frames(_frame_rms(samples, rate))
    if loud.size == 0:
        return samples[:0]
    frame = max(1, int(rate * FRAME_SECONDS))
    pad = int(rate * TRIM_PAD_SECONDS)
    start = max(0, int(loud[0]) * frame - pad)
    end = min(len(samples), (int(loud[-1]) + 1) * frame + pad)
    return samples[start:end]


def normalise(samples: np.ndarray, rate: int) -> np.ndarray:
    """Bring the speech frames to TARGET_RMS_DBFS, never letting a peak pass PEAK_CEILING_DBFS."""
    if samples.size == 0:
        return samples
    rms = _frame_rms(samples, rate)
    speech = rms[_speech_frames(rms)]
    level = float(np.sqrt(np.mean(speech**2))) if speech.size else float(np.sqrt(np.mean(samples**2)))
    peak = float(np.max(np.abs(samples)))
    if level <= 0 or peak <= 0:
        return samples
    gain = 10 ** ((TARGET_RMS_DBFS - _dbfs(level)) / 20)
    gain = min(gain, 10 ** (PEAK_CEILING_DBFS / 20) / peak)
    return (samples * gain).astype(np.float32)


def to_phone_wav(samples: np.ndarray, rate: int) -> bytes:
    """Resample (soxr, high quality) to 8 kHz and write a mono 16-bit PCM WAV."""
    if rate != PHONE_RATE:
        samples = soxr.resample(samples, rate, PHONE_RATE, quality="HQ")
    out = io.BytesIO()
    sf.write(out, np.clip(samples, -1.0, 1.0), PHONE_RATE, subtype="PCM_16", format="WAV")
    return out.getvalue()


def prepare_recording(
    data: bytes, *, max_bytes: int = MAX_UPLOAD_BYTES, max_seconds: float = MAX_PROMPT_SECONDS
) -> PhoneAudio:
    """Validate a staff recording or upload and make it phone-ready; raise a BadAudio subclass, change nothing.

    Any readable rate from 8 kHz up is accepted and converted (44.1/48 kHz from a computer, 8 kHz from Twilio):
    soxr converts those exactly. Below 8 kHz is refused, since the phone would then play a band we never had.
    """
    if len(data) > max_bytes:
        size, limit = len(data) / 1_048_576, max_bytes // 1_048_576
        raise TooLarge(f"the file is {size:.1f} MB; a prompt must be under {limit} MB", size=size, limit=limit)
    samples, rate = decode(data, max_seconds=max_seconds)
    if not MIN_SOURCE_RATE <= rate <= MAX_SOURCE_RATE:
        raise UnsupportedSampleRate(
            f"the sample rate is {rate} Hz; record at 8000 Hz or more (44100 or 48000 Hz are best)", rate=rate
        )
    seconds = len(samples) / rate
    if seconds > max_seconds:
        raise TooLong(
            f"the recording is {seconds:.0f} seconds long; a prompt must be under {max_seconds:.0f} seconds",
            seconds=round(seconds),
            limit=round(max_seconds),
        )
    speech = trim_silence(samples, rate)
    if len(speech) / rate < MIN_SPEECH_SECONDS:
        raise NoSpeech("the recording is silent; nothing was heard")
    wav = to_phone_wav(normalise(speech, rate), rate)
    return PhoneAudio(wav, round(len(speech) / rate, 3))


def wav_seconds(wav: bytes) -> float:
    """Length of a WAV in seconds."""
    info = sf.info(io.BytesIO(wav))
    return float(info.frames) / float(info.samplerate)
