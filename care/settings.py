"""Layered, validated settings: embedded defaults, then an optional file, then the environment, then overrides."""

from __future__ import annotations

import difflib
import json
import os
import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from datetime import date, time
from enum import StrEnum
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers

from intents.types import Locale

# The languages are listed once, as intents.Locale; settings, catalogs and commands take them from here.
LOCALES: tuple[str, ...] = tuple(locale.value for locale in Locale)
ENV_PREFIX = "HEARTHLINE_"
# Settings that keep their customary names in the environment, without the prefix.
PLAIN_ENV_NAMES = {
    "DATABASE_URL",
    "REDIS_URL",
    "TWILIO_ACCOUNT_SID",
    "TWILIO_AUTH_TOKEN",
    "TWILIO_AUTH_TOKEN_SECONDARY",
    "SECRET_KEY",
}
# Twilio auth tokens are 32 lowercase hex characters (Console > Account > API keys & tokens).
TWILIO_AUTH_TOKEN_PATTERN = re.compile(r"[0-9a-f]{32}")
# A secret drawn at random has many different characters; fewer than this is a typed placeholder ("aaaa…",
# "abab…"), whatever its length.
SECRET_KEY_MIN_DISTINCT_CHARACTERS = 8


class TtsEngine(StrEnum):
    """What renders prompts nobody recorded: espeak-ng run directly, or pyttsx3 (the system's voices)."""

    ESPEAK = "espeak"
    PYTTSX3 = "pyttsx3"


class SettingsError(ValueError):
    """Every missing or bad setting, named in one message."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("Hearthline cannot start; fix these settings:\n  - " + "\n  - ".join(problems))


@dataclass(frozen=True)
class Settings:
    """Everything that can be configured. Defaults run a development hotline on one machine."""

    environment: str = "development"  # development | production
    secret_key: str = ""
    data_dir: Path = Path("instance")
    database_url: str = ""  # default: SQLite file in data_dir
    redis_url: str = ""  # set to use Redis for the job queue instead of SQLite
    public_base_url: str = "http://127.0.0.1:5000"  # what Twilio calls; signatures are checked against it
    twilio_account_sid: str = "AC00000000000000000000000000000000"
    twilio_auth_token: str = "dev-auth-token-change-me"
    # While the auth token is rotated (Twilio's secondary token, promoted later), webhooks signed with either
    # token are accepted; REST calls use the primary one.
    twilio_auth_token_secondary: str = ""
    twilio_api_base: str = "https://api.twilio.com"  # tests and the simulator point this at a local stand-in
    hotline_number: str = "+15550100000"
    default_region: str = "US"  # how to read phone numbers written without a country code
    staff_line_number: str = "+15550100001"
    emergency_number: str = "+15550100911"
    # A crisis line offered, day or night, to someone who said they want to die and that it is not an emergency
    # right now (as said on the phone: 988 in the US, 116 123 in the UK, 109 in Korea, 024 in Spain); empty: none
    # is offered, and the call-back within the hour is all they are told of.
    crisis_line_number: str = ""
    timezone: str = "America/New_York"
    opening_time: time = time(9, 0)
    closing_time: time = time(17, 0)
    opening_days: tuple[int, ...] = (0, 1, 2, 3, 4)  # Monday is 0
    # The centre's holidays (ISO dates, comma-separated): the staff line is closed, and check-in calls are not
    # placed unless a plan says so (nobody would be there to take the last rung of the ladder).
    holidays: tuple[date, ...] = ()
    default_locale: str = "en"
    callback_within_hours: int = 4  # what the caller is promised when nobody can answer
    audio_retention_days: int = 30  # local copies of callers' recordings; 0 keeps none after transcription
    delete_twilio_recordings: bool = True
    vosk_model_dir: Path = Path("instance/models")
    simulator_enabled: bool = True
    # "phrases": open answers are recognised against the intent catalogs' words (fast; a service heard this
    # way is confirmed with a yes/no question); "free": full recognition (slower, implicit confirmation).
    open_answers_recognition: str = "phrases"
    preload_speech_models: bool = False  # load every installed Vosk model at start-up (gunicorn --preload)
    # Seconds a free decoding may spend checking what a phrase list heard (voice.recognizer): a 4 s Korean
    # answer decodes freely in ~3 s on an idle 2-core machine, ~12 s on one loaded 4x over (measured); past
    # it the result stays unchecked (intents.hearing). With download and the phrase-list pass (~1 s) the
    # answer stays inside Twilio's 15 s. With open_answers_recognition = "free" it is also the free decoding's
    # own budget: past it the words heard so far are asked about, never acted on.
    speech_check_seconds: int = 7
    # espeak-ng run directly is the default: on Linux pyttsx3 drives the same espeak-ng about as fast per prompt
    # (`python -m bench prompts`: medians of 57 and 63 ms here) but through one engine at a time, so four web
    # threads got 13 prompts/s from it against 30 from espeak-ng; it also starts an engine process per worker
    # (~1 s) and needs workarounds for its espeak driver (prompts/pyttsx3_tts.py). pyttsx3 lets a centre on
    # Windows (SAPI5) or macOS speak with the system's voices, without espeak-ng.
    tts_engine: TtsEngine = TtsEngine.ESPEAK
    # Accessibility numbers, with their sources.
    # Speaking rate: fast speech costs older listeners understanding far more than younger ones (McCoy, Tun,
    # Cox & Wingfield, "Aging in a Fast-Paced World: Rapid Speech and Its Effect on Understanding", ASHA Leader
    # 10(9), 2005; Schneider, Daneman & Murphy, Psychol Aging 2005). Ordinary talk runs from about 90 words a
    # minute in thoughtful conversation to over 210 read aloud (Wingfield 1999); 140 is the slow, clear end of
    # conversational speech, and a caller who asks for a repeat hears it slower still.
    speaking_rate_wpm: int = 140
    # Silence before we give up waiting for a key: telephony platforms default to 5 s (Twilio <Gather timeout>,
    # the SALT/Microsoft speech initial-silence timeout); older callers start later (age-related slowing in the
    # same studies), so we wait longer than the industry default.
    silence_timeout_seconds: int = 7
    # Silence that ends a spoken answer. Twilio's <Record timeout> is one number for both "has not started yet"
    # and "has finished", so it must serve slow starters and hesitant mid-sentence pauses alike: 5 s, Twilio's
    # own default, rather than a snappier 2-3 s that cuts older speakers off.
    end_of_speech_seconds: int = 5
    max_recording_seconds: int = 30
    # How a spoken answer reaches us: "record" (<Record>, recognised after the caller stops) or "stream" (Twilio
    # Media Streams: recognised while the caller speaks, prompts interruptible; voice/stream.py). A call whose
    # stream cannot start or drops carries on by <Record>.
    voice_path: str = "record"
    # The stream's end of speech. Voice agents end a turn after 0.8 s of silence (Pipecat's VADParams.stop_secs
    # before its turn model, 2024) for everyday adult speech. Older speakers talk and pause longer: segment,
    # syllable and sentence durations 20-25% longer than young adults' (Smith, Wasowicz & Preston, J Speech Hear
    # Res 30(4):522-9, 1987), pauses more frequent (Bóna, JASA 136(2), 2014), and hesitation pauses in
    # spontaneous speech run past 1 s (the "long" class of Campione & Véronis, Speech Prosody 2002). So 1.5 s of
    # silence ends an answer: past a hesitant senior's word-finding pause, far below <Record>'s 5 s.
    stream_pause_seconds: float = 1.5
    # Speech must last this long before it counts as started (and interrupts a prompt): Pipecat's
    # VADParams.start_secs, 0.2 s; a cough or a click is shorter.
    stream_speech_start_seconds: float = 0.2
    # WebRTC VAD aggressiveness 0 (keeps most audio as speech) to 3 (most eager to call it noise); 2 suits phone
    # lines with some background noise.
    stream_vad_aggressiveness: int = 2
    # A landline echoes part of our own prompt back into the caller's audio, and the VAD calls that echo speech
    # (it is speech: ours), which stopped prompts nobody interrupted. While a prompt plays (and for the window
    # after each of its frames), inbound audio counts as speech only when it is louder than what we are playing,
    # less this margin. The line's hybrid returns our audio at least 6 dB down (the echo return loss ITU-T G.168
    # §6 assumes), usually 10-20 dB after Twilio's echo canceller; 10 dB rejects an echo weaker than that while a
    # caller who speaks over the prompt at an ordinary level, within 10 dB of it, still interrupts it.
    stream_echo_margin_db: float = 10.0
    # How long after we sent a frame its echo may arrive: G.168 echo tails run to 128 ms, plus the round trip to
    # Twilio's media edge and its jitter buffer (100-300 ms on a good route).
    stream_echo_window_seconds: float = 0.5
    # Escalation: after this many failed tries at speech the caller is offered the keypad, after this many
    # more a person. Two tries is the tapered-prompt pattern of VoiceXML 2.0 (§5.2.2 event counters: reprompt,
    # then change strategy) and keeps a confused caller from being looped; a person is never more than a few
    # prompts away (and 0 reaches one at any time).
    speech_retries_before_keypad: int = 2
    keypad_retries_before_person: int = 2
    # The notifications outbox. Exponential backoff 30 s, 1, 2, 4 ... min, capped at 30 min: an outage of
    # Twilio (their status page shows most last minutes, a few hours) is ridden out; 24 attempts cover roughly
    # 10 hours before a row is marked FAILED for staff to see.
    outbox_retry_base_seconds: float = 30.0
    outbox_retry_cap_seconds: float = 30 * 60.0
    outbox_max_attempts: int = 24
    # Longer than a send can take: the REST client gives up after 10 s (sms.sender.SEND_TIMEOUT_SECONDS).
    outbox_lease_seconds: float = 120.0
    outbox_batch_size: int = 50
    # Open311 GeoReport v2 (opendata/): the jurisdiction this endpoint answers for (empty: any, as one that serves
    # a single jurisdiction may, per the specification) and the discovery document's contact and key service.
    open311_jurisdiction_id: str = ""
    open311_contact: str = ""
    open311_key_service: str = ""
    # Partner webhooks: a partner that is down is retried with backoff from 30 s doubling to an hour; 48 attempts
    # ride out a weekend-long outage (about 40 h) before a delivery is marked failed for an admin to see.
    webhook_retry_base_seconds: float = 30.0
    webhook_retry_cap_seconds: float = 3600.0
    webhook_max_attempts: int = 48
    # A partner must answer within this (its 2xx is the receipt); the lease covers the wait with a margin.
    webhook_timeout_seconds: float = 10.0
    # Outbound calls (outreach.dialer). Twilio accounts place 1 call a second unless Twilio raises the limit
    # ("Calls Per Second", https://www.twilio.com/docs/voice/api/call-resource#rate-limiting): calls beyond it
    # are queued by Twilio, so a paced dialer keeps risk order and our own clock honest.
    dialer_calls_per_second: float = 1.0
    # Calls on the line at once: an answered call may be put through to staff (key 0), so this is about what
    # the staff line can take, not what Twilio can; a crisis broadcast raises it.
    dialer_max_concurrent_calls: int = 20
    # How long Twilio lets an outbound call ring before no-answer: 30 s is about 6 rings, Twilio's own default
    # is 60 s; older people take longer to reach the phone, and a voicemail usually picks up after 20-30 s.
    dialer_ring_seconds: int = 40
    # An answered outbound call is short (a message and one question), but key 0 puts it through to a person.
    dialer_call_time_limit_seconds: int = 1800
    # A claim is held this long; a worker that has not finished calls.create by then died or hung, and the
    # attempt's outcome is checked with Twilio before it is ever dialled again (REST timeout: 10 s).
    dialer_lease_seconds: float = 60.0
    # Transient refusals (Twilio 429/5xx, never connected) are retried this many times, a minute apart.
    dialer_max_dial_tries: int = 5
    # Confirmation calls (issue 12): a senior who cannot receive texts is called this many times, this many
    # minutes apart, and after this many days without an answer staff may close the request with a note.
    confirm_call_tries: int = 3
    confirm_call_retry_minutes: int = 120
    confirm_close_after_days: int = 3
    # Crisis broadcasts (issue 13): a senior not reached is called this many times in all, this many minutes
    # apart, then counted unreachable and handed to staff as an urgent request. Ten minutes as the check-in
    # ladder: someone who was in the garden or the bath is usually back by then.
    crisis_call_tries: int = 3
    crisis_call_retry_minutes: int = 10
    # Reaching out (issue 13). Quiet hours: no outbound call to a senior from 9 p.m. to 8 a.m. on the centre's
    # clock, outside the hours US rules allow telephone solicitation of homes (47 CFR 64.1200(c)(1), under the
    # Telephone Consumer Protection Act).
    quiet_hours_start: time = time(21, 0)
    quiet_hours_end: time = time(8, 0)
    # A cap on outbound calls a day to one senior, every purpose together: a check-in and its two retries (3)
    # and a reminder with its two retries (3). Repeated calls to one number are what Ofcom's persistent-misuse
    # policy (2016, ss.128-131 Communications Act 2003) warns about; past the cap the ladder skips to family.
    outreach_max_calls_per_day: int = 6
    # The check-in ladder (issue 13's defaults): two more tries ten minutes apart, then the family, who get
    # half an hour to reply "1" before an urgent task goes to staff (long enough to phone or pop round, short
    # enough that someone who fell is reached the same hour).
    checkin_retries: int = 2
    checkin_retry_minutes: int = 10
    checkin_family_wait_minutes: int = 30
    # The reminder ladder (issue 13: "the same ladder, with its own settings"): a reminder not acknowledged is
    # sent again twice, 15 minutes apart (time to find the pills and the glasses), then the family have half an
    # hour, then staff. A text counts as unanswered after the same gap.
    reminder_retries: int = 2
    reminder_retry_minutes: int = 15
    reminder_family_wait_minutes: int = 30
    # Trends (issue 13): feeling unwell, lonely or low on three calls in a row; or two missed calls after five
    # answered in a row (a senior who always answers and stops is the change Korea's care calls look for).
    checkin_low_in_a_row: int = 3
    checkin_missed_in_a_row: int = 2
    checkin_answered_before: int = 5
    # The job queue's name (Huey); deployments sharing one Redis, and tests, keep their queues apart by it.
    queue_name: str = "hearthline"
    # Texts in context. A digit is a rating only as the direct answer to "how did we do?", sent this soon after:
    # most people read and answer a text within the hour (EZ Texting's 2021 survey of 2,000 US adults,
    # https://www.eztexting.com/press/ez-texting-2021-text-message-survey; 84% answer a personal text within
    # 30 minutes in 160 Characters' 2007 survey). Later, or after other texts, a bare "1" is about something else.
    sms_rating_reply_minutes: int = 60
    # The same text from the same number within this many hours is one request ("you already asked"): the
    # time we promise a callback in (callback_within_hours), during which a repeat is chasing, not new. 0: off.
    sms_repeat_window_hours: int = 4
    # "Is this an emergency? Reply YES" unanswered this long goes to staff as an urgent request. Silence on an
    # emergency question counts as yes (DESIGN.md); 84% of people expect an answer to a text within 5 minutes
    # (160 Characters, 2007), so someone who is able to answer has answered well before 3.
    sms_emergency_answer_seconds: int = 180

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    @property
    def webhook_auth_tokens(self) -> tuple[str, ...]:
        """The tokens a webhook signature may be made with: the primary, and the secondary during a rotation."""
        return tuple(t for t in (self.twilio_auth_token, self.twilio_auth_token_secondary) if t)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def sqlite_default_url(self) -> str:
        return f"sqlite:///{(self.data_dir / 'hearthline.db').resolve()}"

    @property
    def effective_database_url(self) -> str:
        return self.database_url or self.sqlite_default_url


def parse_bool(raw: str) -> bool:
    """Read a yes/no setting strictly: bool("false") is True, so never use bool() on text."""
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ValueError(f"expected true or false, got {raw!r}")


def _parse_time(raw: str) -> time:
    return time.fromisoformat(raw.strip())


def _parse_tts_engine(raw: str) -> TtsEngine:
    try:
        return TtsEngine(raw.strip().lower())
    except ValueError:
        raise ValueError(f"expected {' or '.join(TtsEngine)}, got {raw!r}") from None


def _parse_dates(raw: str) -> tuple[date, ...]:
    return tuple(sorted({date.fromisoformat(part) for part in raw.replace(" ", "").split(",") if part}))


def _parse_days(raw: str) -> tuple[int, ...]:
    days = tuple(int(part) for part in raw.replace(" ", "").split(",") if part)
    if not days or any(d < 0 or d > 6 for d in days):
        raise ValueError("expected weekday numbers 0 (Monday) to 6, comma-separated")
    return days


_PARSERS: dict[type | str, Callable[[str], Any]] = {
    "bool": parse_bool,
    "int": int,
    "float": float,
    "str": str,
    "Path": Path,
    "time": _parse_time,
    "tuple[int, ...]": _parse_days,
    "tuple[date, ...]": _parse_dates,
    "TtsEngine": _parse_tts_engine,
}


def _coerce(name: str, type_name: str, raw: Any) -> Any:
    if not isinstance(raw, str):
        return raw
    parser = _PARSERS.get(type_name)
    if parser is None:
        raise ValueError(f"{name} cannot be set from text")
    return parser(raw)


def _env_name(field_name: str) -> str:
    upper = field_name.upper()
    return upper if upper in PLAIN_ENV_NAMES else ENV_PREFIX + upper


def load_settings(
    overrides: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Build settings from defaults < HEARTHLINE_CONFIG JSON file < environment < overrides, and validate."""
    environ = os.environ if environ is None else environ
    problems: list[str] = []
    raw: dict[str, Any] = {}
    config_file = environ.get(ENV_PREFIX + "CONFIG")
    if config_file:
        try:
            raw.update(json.loads(Path(config_file).read_text(encoding="utf-8")))
        except (OSError, ValueError) as exc:
            problems.append(f"{ENV_PREFIX}CONFIG ({config_file}): {exc}")
    known = {f.name: f for f in fields(Settings)}
    for name in known:
        if _env_name(name) in environ:
            raw[name] = environ[_env_name(name)]
    for key, value in (overrides or {}).items():
        raw[key.lower()] = value

    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in known:
            problems.append(_unknown(key, known))
            continue
        try:
            values[key] = _coerce(key, str(known[key].type), value)
        except (TypeError, ValueError) as exc:
            problems.append(f"{_env_name(key)}: {exc}")
    settings = Settings(**values)
    problems.extend(validate(settings))
    if problems:
        raise SettingsError(problems)
    if not settings.secret_key:
        # Development only (validate() refuses an empty key in production): a fresh key per process.
        settings = Settings(**{**values, "secret_key": secrets.token_hex(32)})
    return settings


def _unknown(key: str, known: Mapping[str, Any]) -> str:
    """An unknown setting is an error naming it (a typo would otherwise be silently ignored)."""
    close = difflib.get_close_matches(key, known, n=1)
    hint = f" (did you mean {close[0]}?)" if close else ""
    return f"{key}: not a Hearthline setting{hint}"


def _bad_phone(number: str, region: str) -> bool:
    try:
        return not phonenumbers.is_possible_number(phonenumbers.parse(number, region))
    except phonenumbers.NumberParseException:
        return True


def _dialable_short(number: str) -> bool:
    """A number as people dial it, short codes included (988, 116 123, 109): digits, spaces, dashes, brackets and
    a leading +, 3 to 15 digits. phonenumbers calls most short codes impossible numbers."""
    digits = sum(ch.isdigit() for ch in number)
    return bool(re.fullmatch(r"\+?[0-9 ()-]+", number)) and 3 <= digits <= 15


def validate(s: Settings) -> list[str]:
    """Return every problem with the settings (empty when they are usable)."""
    problems: list[str] = []
    if s.environment not in {"development", "production"}:
        problems.append(f"{ENV_PREFIX}ENVIRONMENT: expected development or production, got {s.environment!r}")
    if s.is_production:
        if len(s.secret_key) < 32 or len(set(s.secret_key)) < SECRET_KEY_MIN_DISTINCT_CHARACTERS:
            problems.append("SECRET_KEY: production needs a random secret of at least 32 characters")
        if not TWILIO_AUTH_TOKEN_PATTERN.fullmatch(s.twilio_auth_token):
            problems.append("TWILIO_AUTH_TOKEN: production needs the real Twilio auth token (32 hex characters)")
        if s.twilio_auth_token_secondary and not TWILIO_AUTH_TOKEN_PATTERN.fullmatch(s.twilio_auth_token_secondary):
            problems.append("TWILIO_AUTH_TOKEN_SECONDARY: expected a Twilio auth token (32 hex characters) or nothing")
        if not s.public_base_url.startswith("https://"):
            problems.append(f"{ENV_PREFIX}PUBLIC_BASE_URL: production needs the https:// address Twilio calls")
        if s.simulator_enabled:
            problems.append(f"{ENV_PREFIX}SIMULATOR_ENABLED: the phone simulator must be off in production")
    if not s.twilio_account_sid.startswith("AC") or len(s.twilio_account_sid) != 34:
        problems.append("TWILIO_ACCOUNT_SID: expected AC followed by 32 characters")
    if not s.public_base_url.startswith(("http://", "https://")):
        problems.append(f"{ENV_PREFIX}PUBLIC_BASE_URL: expected an http(s) URL")
    for name in ("hotline_number", "staff_line_number", "emergency_number"):
        if _bad_phone(getattr(s, name), s.default_region):
            problems.append(f"{_env_name(name)}: {getattr(s, name)!r} is not a phone number")
    if s.crisis_line_number and not _dialable_short(s.crisis_line_number):
        problems.append(f"{_env_name('crisis_line_number')}: {s.crisis_line_number!r} is not a number one can dial")
    try:
        ZoneInfo(s.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        problems.append(f"{ENV_PREFIX}TIMEZONE: unknown time zone {s.timezone!r}")
    if s.voice_path not in {"record", "stream"}:
        problems.append(f"{ENV_PREFIX}VOICE_PATH: expected record or stream")
    if s.open_answers_recognition not in {"phrases", "free"}:
        problems.append(f"{ENV_PREFIX}OPEN_ANSWERS_RECOGNITION: expected phrases or free")
    if not isinstance(s.tts_engine, TtsEngine):
        problems.append(f"{ENV_PREFIX}TTS_ENGINE: expected {' or '.join(TtsEngine)}")
    if s.default_locale not in LOCALES:
        problems.append(f"{ENV_PREFIX}DEFAULT_LOCALE: expected one of {', '.join(LOCALES)}")
    if s.opening_time >= s.closing_time:
        problems.append(f"{ENV_PREFIX}OPENING_TIME must be before {ENV_PREFIX}CLOSING_TIME")
    bounds = {
        "speaking_rate_wpm": (80, 220),
        "silence_timeout_seconds": (2, 30),
        "end_of_speech_seconds": (1, 10),
        "max_recording_seconds": (5, 120),
        "stream_pause_seconds": (0.5, 5.0),
        "stream_speech_start_seconds": (0.06, 1.0),
        "stream_vad_aggressiveness": (0, 3),
        "stream_echo_margin_db": (0.0, 30.0),
        "stream_echo_window_seconds": (0.1, 2.0),
        "speech_retries_before_keypad": (1, 5),
        "keypad_retries_before_person": (1, 5),
        "audio_retention_days": (0, 3650),
        "callback_within_hours": (1, 72),
        "speech_check_seconds": (1, 12),
        "outbox_retry_base_seconds": (0.1, 3600),
        "outbox_retry_cap_seconds": (0.1, 24 * 3600),
        "outbox_max_attempts": (1, 100),
        "outbox_lease_seconds": (1, 3600),
        "outbox_batch_size": (1, 1000),
        "webhook_retry_base_seconds": (0.1, 3600),
        "webhook_retry_cap_seconds": (0.1, 24 * 3600),
        "webhook_max_attempts": (1, 200),
        "webhook_timeout_seconds": (1, 30),
        "dialer_calls_per_second": (0.01, 100),
        "dialer_max_concurrent_calls": (1, 10000),
        "dialer_ring_seconds": (5, 600),
        "dialer_call_time_limit_seconds": (60, 14400),
        "dialer_lease_seconds": (1, 3600),
        "dialer_max_dial_tries": (1, 50),
        "confirm_call_tries": (1, 10),
        "confirm_call_retry_minutes": (1, 24 * 60),
        "confirm_close_after_days": (0, 60),
        "crisis_call_tries": (1, 10),
        "crisis_call_retry_minutes": (1, 24 * 60),
        "outreach_max_calls_per_day": (1, 20),
        "checkin_retries": (0, 5),
        "checkin_retry_minutes": (1, 120),
        "checkin_family_wait_minutes": (5, 240),
        "reminder_retries": (0, 5),
        "reminder_retry_minutes": (1, 120),
        "reminder_family_wait_minutes": (5, 240),
        "checkin_low_in_a_row": (2, 14),
        "checkin_missed_in_a_row": (1, 14),
        "checkin_answered_before": (1, 30),
        "sms_rating_reply_minutes": (1, 24 * 60),
        "sms_repeat_window_hours": (0, 72),
        "sms_emergency_answer_seconds": (30, 15 * 60),
    }
    for name, (low, high) in bounds.items():
        value = getattr(s, name)
        if not low <= value <= high:
            problems.append(f"{_env_name(name)}: {value} is outside {low}..{high}")
    if s.outbox_retry_cap_seconds < s.outbox_retry_base_seconds:
        problems.append(f"{ENV_PREFIX}OUTBOX_RETRY_CAP_SECONDS must not be below {ENV_PREFIX}OUTBOX_RETRY_BASE_SECONDS")
    if not re.fullmatch(r"[A-Za-z0-9_.-]{1,64}", s.queue_name):
        problems.append(f"{ENV_PREFIX}QUEUE_NAME: expected 1 to 64 letters, digits, _ . or -")
    if s.database_url and not s.database_url.startswith(("sqlite:", "postgresql")):
        problems.append("DATABASE_URL: expected a sqlite:/// or postgresql:// URL")
    if s.redis_url and not s.redis_url.startswith(("redis://", "rediss://", "unix://")):
        problems.append("REDIS_URL: expected a redis:// URL")
    return problems
