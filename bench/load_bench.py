"""Load and faults on the production path: gunicorn instances and Huey workers on PostgreSQL and Redis.

`python -m bench load` (loopback only, bounded, stops by itself) starts gunicorn instance(s) and worker(s) on a
fresh PostgreSQL schema and a Redis queue of their own, reached through TCP proxies this bench can cut, with the
Twilio stand-in in this process. Simulated calls (keypad calls in English, speech calls in Korean, played by
the simulator's call emulator over HTTP) and texts from family members arrive together, ramped until the p95 of
a turn passes 1 s; each level reports calls at once and texts a second, and counts texts lost or duplicated and
5xx answers. `--faults` then holds a load and, one at a time, cuts the database for 10 s, cuts Redis, makes the
Twilio stand-in answer 503 or hang, and SIGKILLs a worker; after each it counts what was lost and how long
callers waited.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests

from simulator.tcp_proxy import TcpProxy, target_of

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
ACCOUNT_SID = "AC" + "c" * 32
AUTH_TOKEN = "0123456789abcdef0123456789abcdef"
PUBLIC_BASE_URL = "https://hotline.example.org"  # what Twilio signs; the instances sit behind it
TARGET_P95_SECONDS = 1.0  # issue 11: ramp until the p95 of a turn passes 1 s
# A caller listens to a prompt before answering: our prompts run ~6-10 s at 140 words a minute, and Twilio's
# <Gather> waits for the prompt to end. 6 s between a caller's turns is the fast end of that (conservative).
THINK_SECONDS = 6.0
FAMILY = 40
TEXTS = ["Mum's heating is broken", "엄마 병원 예약 부탁해요", "请帮我爸爸订午饭", "STATUS"]
FAULT_SECONDS = 10.0
# How long the outbox may take to drain after a level or a fault before what is left counts as lost: past the
# 120 s lease (care/delivery.py) a row claimed by a send the fault cut short is taken over.
DRAIN_SECONDS = 180.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _wait(condition: Callable[[], bool], seconds: float) -> float | None:
    """Seconds until `condition` held, or None if it did not within `seconds`."""
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        try:
            if condition():
                return time.perf_counter() - start
        except Exception:  # the thing waited for may be down for a while (a fault)
            pass
        time.sleep(0.1)
    return None


def _refuses_unsigned(url: str) -> bool:
    """An instance is up when it refuses an unsigned webhook (403), as it must."""
    return requests.post(url + "/sms/incoming", timeout=2).status_code == 403


class LoadAverage:
    """The machine's 1-minute load average sampled every 2 s while a block runs: "mean (max)".

    The figures of a shared machine say as much about its other jobs as about us, so every row carries this.
    """

    def __init__(self) -> None:
        self.samples: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while True:
            self.samples.append(os.getloadavg()[0])
            if self._stop.wait(2.0):
                return

    def __enter__(self) -> LoadAverage:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def __str__(self) -> str:
        if not self.samples:
            return "-"
        return f"{statistics.mean(self.samples):.1f} (max {max(self.samples):.1f})"


# --- the deployment under test -----------------------------------------------------------------------------------
@dataclass
class Cluster:
    """Instances (gunicorn) and workers (flask worker) on one PostgreSQL schema and one Redis queue."""

    postgres_url: str
    redis_url: str
    instances: int
    workers_per_instance: int
    threads: int
    queue_workers: int
    folder: Path
    schema: str = field(default_factory=lambda: f"hl_load_{uuid.uuid4().hex[:10]}")
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    urls: list[str] = field(default_factory=list)

    def start(self) -> None:
        import psycopg

        from app import create_app
        from simulator.twilio_standin import TwilioStandIn
        from web.context import EXTENSION_KEY

        with psycopg.connect(self.postgres_url, autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA "{self.schema}"')
        # The machine's own PostgreSQL and Redis are never touched: the apps reach them only through these.
        self.db_proxy = TcpProxy(target_of(self.postgres_url, 5432))
        self.redis_proxy = TcpProxy(target_of(self.redis_url, 6379))
        self.standin = TwilioStandIn(ACCOUNT_SID, AUTH_TOKEN)
        self.standin.start()
        database_url = self.db_proxy.url(self.postgres_url) + f"?options=-csearch_path%3D{self.schema}"
        self.config: dict[str, Any] = {
            "environment": "development",
            "data_dir": str(self.folder),
            "database_url": database_url,
            "redis_url": self.redis_proxy.url(self.redis_url),
            "queue_name": self.schema,
            "twilio_account_sid": ACCOUNT_SID,
            "twilio_auth_token": AUTH_TOKEN,
            "twilio_api_base": self.standin.base_url,
            "public_base_url": PUBLIC_BASE_URL,
            "secret_key": "load-bench-" + uuid.uuid4().hex,
            "audio_retention_days": 0,
            "simulator_enabled": False,
            "preload_speech_models": True,
        }
        config_path = self.folder / "config.json"
        config_path.write_text(json.dumps(self.config))
        self.env = {**os.environ, "HEARTHLINE_CONFIG": str(config_path)}
        # The driver's own app: signs webhooks, seeds the family, reads the outcome (`flask db upgrade` once).
        self.app = create_app({**self.config, "preload_speech_models": False})
        self.hl = self.app.extensions[EXTENSION_KEY]
        self.log = (self.folder / "servers.log").open("ab")
        for n in range(self.instances):
            port = _free_port()
            self.urls.append(f"http://127.0.0.1:{port}")
            self._spawn(f"instance{n}", self._gunicorn(port))
        for n in range(self.instances):
            self._spawn_worker(f"worker{n}")
        for url in self.urls:
            if _wait(partial(_refuses_unsigned, url), 180) is None:
                raise RuntimeError(f"{url} did not answer; see {self.folder / 'servers.log'}")

    def _spawn_worker(self, name: str) -> None:
        # A queue worker transcribes nothing: it starts without loading the speech models (a restart is cheap).
        env = {**self.env, "HEARTHLINE_PRELOAD_SPEECH_MODELS": "false"}
        self.processes[name] = subprocess.Popen(
            self._worker(), cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def _worker(self) -> list[str]:
        return [str(BIN / "flask"), "--app", "app", "worker", "--workers", str(self.queue_workers)]

    def _gunicorn(self, port: int) -> list[str]:
        # --preload: the Korean model loads once, before the workers fork, and its pages are shared (README).
        return [
            str(BIN / "gunicorn"),
            "--preload",
            "-w",
            str(self.workers_per_instance),
            "--threads",
            str(self.threads),
            "-b",
            f"127.0.0.1:{port}",
            "--timeout",
            "60",
            "app:create_app()",
        ]

    def _spawn(self, name: str, argv: list[str]) -> None:
        self.processes[name] = subprocess.Popen(
            argv, cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def kill_worker(self) -> None:
        """SIGKILL the first queue worker's whole process group and start it again, as a supervisor would."""
        victim = self.processes["worker0"]
        os.killpg(victim.pid, signal.SIGKILL)
        victim.wait()
        self._spawn_worker("worker0")

    def stop(self) -> None:
        import psycopg

        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        self.db_proxy.restore()
        self.redis_proxy.restore()
        # Redis itself is never stopped; a flush that fails leaves a few keys behind, nothing more.
        with suppress(Exception):
            self.hl.queue.huey.flush()
        self.hl.db.dispose()
        self.db_proxy.close()
        self.redis_proxy.close()
        self.standin.stop()
        self.log.close()
        with psycopg.connect(self.postgres_url, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE')


# --- the callers and the texters ----------------------------------------------------------------------------------
@dataclass
class Tally:
    """Everything the load saw, thread-safe."""

    turns: list[tuple[float, float, int, str]] = field(default_factory=list)  # (started, seconds, status, kind)
    calls_done: int = 0
    apologies: int = 0  # turns answered "sorry, something went wrong" and put through to a person
    driver_errors: list[str] = field(default_factory=list)  # calls the emulator could not carry on
    texts: dict[str, tuple[float, int]] = field(default_factory=dict)  # MessageSid -> (seconds, status)
    kept: set[str] = field(default_factory=set)  # texts answered "we got it" and kept in the spool (DB away)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def turn(self, started: float, seconds: float, status: int, kind: str) -> None:
        with self.lock:
            self.turns.append((started, seconds, status, kind))


class Driver:
    """Simulated calls and texts against the cluster's instances, round robin turn by turn."""

    def __init__(self, cluster: Cluster) -> None:
        # The voice bench's Korean speech turn: an open-question answer fitted to 4 s, then "네" to confirm.
        from bench.voice_bench import UTTERANCE, UTTERANCE_SECONDS, YES, fit
        from prompts.tts import EspeakSynthesizer

        self.cluster = cluster
        self.settings = cluster.hl.settings
        self.tally = Tally()
        self.next_instance = 0
        self.counter = 0
        self.lock = threading.Lock()
        self.local = threading.local()
        synth = EspeakSynthesizer()
        self.utterance = fit(synth.synthesize(UTTERANCE, "ko", 140), UTTERANCE_SECONDS)
        self.yes = synth.synthesize(YES, "ko", 140)
        self.family = self._seed_family()

    def _seed_family(self) -> list[str]:
        from care import directory

        phones = []
        with self.cluster.hl.db.transaction() as session:
            for n in range(FAMILY):
                senior = directory.add_senior(session, phone=f"+1555011{n:04d}", name=f"Senior {n}", locale="en")
                member = directory.add_family_member(session, phone=f"+1555012{n:04d}", name=f"Family {n}")
                directory.link_family(session, senior=senior, family=member, consent_given_by=senior.name)
                phones.append(member.phone)
        return phones

    def _session(self) -> requests.Session:
        if not hasattr(self.local, "session"):
            self.local.session = requests.Session()
        session: requests.Session = self.local.session
        return session

    def _instance(self) -> str:
        with self.lock:
            self.next_instance = (self.next_instance + 1) % len(self.cluster.urls)
            return self.cluster.urls[self.next_instance]

    def post(self, path: str, params: dict[str, str], kind: str) -> tuple[int, str]:
        """One signed webhook to the next instance; timed as Twilio would see it (15 s and it gives up)."""
        from web.webhooks import sign

        headers = {"X-Twilio-Signature": sign(self.settings, path, params)}
        started = time.perf_counter()
        try:
            response = self._session().post(self._instance() + path, data=params, headers=headers, timeout=15)
            status, body = response.status_code, response.text
        except requests.RequestException:
            status, body = 599, ""  # Twilio gave up: the caller hears Twilio's own error (or the fallback URL)
        self.tally.turn(started, time.perf_counter() - started, status, kind)
        if kind != "text" and status == 200 and _is_apology(body):
            with self.tally.lock:
                self.tally.apologies += 1
        return status, body

    def call(self, n: int, stop: threading.Event) -> None:
        """One caller: a keypad call (even n) or a Korean speech call (odd n), listening between turns."""
        from simulator.phone import PhoneCall
        from simulator.twiml_follow import WaitKind

        speech = n % 2 == 1
        kind = "speech" if speech else "keypad"
        phone = PhoneCall(
            self.cluster.app,
            f"+1555013{n % 10000:04d}",
            transport=lambda path, params, _method: self.post(path, params, kind),
            read_state=False,
        )
        steps: list[Callable[[], Any]] = (
            [lambda: phone.press("3"), lambda: phone.speak(self.utterance), lambda: phone.speak(self.yes)]
            if speech
            else [lambda: phone.press("1"), lambda: phone.press("1"), lambda: phone.press("1")]
        )
        progress = phone.start()
        for action in steps:
            if progress.failure is not None or phone.ended or phone.wait is None or phone.wait.kind is WaitKind.DIAL:
                break  # the call ended, failed, or is with a person now (a transfer, an apology, an emergency)
            if stop.wait(THINK_SECONDS):
                break
            progress = action()
        with self.tally.lock:
            self.tally.calls_done += 1

    def text(self, n: int) -> None:
        sid = f"SM{uuid.uuid4().hex}"
        params = {
            "MessageSid": sid,
            "AccountSid": ACCOUNT_SID,
            "From": self.family[n % len(self.family)],
            "To": self.settings.hotline_number,
            "Body": TEXTS[n % len(TEXTS)],
        }
        from sms.handling import kept_for_later

        started = time.perf_counter()
        status, body = self.post("/sms/incoming", params, "text")
        kept = status == 200 and _reply_of(body) == kept_for_later(self.settings, params["Body"])
        with self.tally.lock:
            self.tally.texts[sid] = (time.perf_counter() - started, status)
            if kept:
                self.tally.kept.add(sid)

    def resolve_new_requests(self) -> None:
        """Staff at work: every new request is resolved, so its requester is texted (the outbox, the workers)."""
        from sqlalchemy import select

        from care.lifecycle import RequestAction
        from care.models import ServiceRequest
        from care.requests import apply_action

        hl = self.cluster.hl
        with hl.db.transaction() as session:
            fresh = session.scalars(select(ServiceRequest).where(ServiceRequest.status == "new").limit(50))
            for request in list(fresh):
                apply_action(session, request, RequestAction.RESOLVE, actor="staff:load")
        hl.queue.wake_outbox()

    @contextmanager
    def running(self, calls: int, texts_per_second: float) -> Iterator[None]:
        """`calls` callers ringing again as each call ends, and texts at a steady rate, while the block runs."""
        stop = threading.Event()
        threads = []

        def caller() -> None:
            while not stop.is_set():
                with self.lock:
                    self.counter += 1
                    n = self.counter
                started = time.perf_counter()
                try:
                    self.call(n, stop)
                except Exception as exc:  # the emulator itself could not go on (counted, not hidden)
                    with self.tally.lock:
                        self.tally.driver_errors.append(repr(exc)[:200])
                # A caller put through to a person at once (an apology) rings again a while later, not in a
                # tight loop that would count hundreds of one-turn calls as load.
                stop.wait(max(0.0, THINK_SECONDS - (time.perf_counter() - started)))

        def texter() -> None:
            n = 0
            interval = 1.0 / texts_per_second
            next_at = time.perf_counter()
            while not stop.is_set():
                threading.Thread(target=self.text, args=(n,), daemon=True).start()
                n += 1
                next_at += interval
                stop.wait(max(0.0, next_at - time.perf_counter()))

        def staff() -> None:
            while not stop.wait(1.0):
                with suppress(Exception):  # the database may be what is down (a fault): try again next second
                    self.resolve_new_requests()

        threads.append(threading.Thread(target=staff, daemon=True))
        threads[-1].start()
        for _ in range(calls):
            threads.append(threading.Thread(target=caller, daemon=True))
            threads[-1].start()
            time.sleep(THINK_SECONDS / max(calls, 1))  # stagger the callers, as real calls arrive
        if texts_per_second > 0:
            threads.append(threading.Thread(target=texter, daemon=True))
            threads[-1].start()
        try:
            yield
        finally:
            stop.set()
            for thread in threads:
                thread.join(60)


def _reply_of(twiml: str) -> str:
    import xml.etree.ElementTree as ET

    try:
        message = ET.fromstring(twiml).find("Message")
    except ET.ParseError:
        return ""
    return "" if message is None else message.text or ""


def _is_apology(twiml: str) -> bool:
    """voice.twiml.apology: the only answer that dials staff and then hangs up (a transfer leaves the line open)."""
    import xml.etree.ElementTree as ET

    try:
        verbs = [verb.tag for verb in ET.fromstring(twiml)]
    except ET.ParseError:
        return False
    return "Dial" in verbs and "Hangup" in verbs[verbs.index("Dial") :]


# --- counting what happened ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Outcome:
    texts_posted: int
    texts_lost: int  # posted, answered, never stored
    texts_5xx: int
    texts_kept: int  # answered "we got it" while the database was away, kept in the spool, replayed since
    sends_expected: int
    sends_missing: int  # notifications not sent after the drain
    sends_duplicated: int  # messages the stand-in got more often than the outbox holds them
    drain_seconds: float | None


def outcome(cluster: Cluster, driver: Driver, sids: set[str]) -> Outcome:
    """Wait for the outbox to drain, then compare what was posted, stored and sent."""
    from sqlalchemy import func, select

    from care.models import InboundMessage, Notification, NotificationStatus

    def unsent() -> bool:
        # Texts kept while the database was away are replayed first (their replies join the outbox).
        if cluster.hl.spool.pending():
            return False
        with cluster.hl.db.sessions() as session:
            pending = select(func.count()).where(Notification.status != NotificationStatus.SENT)
            return (session.scalar(pending) or 0) == 0

    drained = _wait(unsent, DRAIN_SECONDS)
    with cluster.hl.db.sessions() as session:
        stored = set(session.scalars(select(InboundMessage.message_sid).where(InboundMessage.message_sid.in_(sids))))
        outbox = Counter((n.to_phone, n.body) for n in session.scalars(select(Notification)))
        missing = session.scalar(select(func.count()).where(Notification.status != NotificationStatus.SENT)) or 0
    with cluster.standin._lock:
        sent = Counter((m["To"], m["Body"]) for m in cluster.standin.messages)
    duplicated = sum(max(0, count - outbox.get(key, 0)) for key, count in sent.items())
    texts = {sid: driver.tally.texts[sid] for sid in sids if sid in driver.tally.texts}
    fivexx = sum(1 for _, status in texts.values() if status >= 500)
    kept = len(driver.tally.kept & set(texts))
    lost = len(set(texts) - stored)
    return Outcome(len(texts), lost, fivexx, kept, sum(outbox.values()), missing, duplicated, drained)


# --- the ramp -------------------------------------------------------------------------------------------------
def ramp(
    cluster: Cluster, driver: Driver, levels: list[int], seconds: float, texts_per_call: float, deadline: float
) -> list[str]:
    rows = []
    header = (
        "| calls at once | texts/s | turns | turn p50 ms | turn p95 ms | max ms | keypad calls' p95 ms "
        "| speech calls' p95 ms | 5xx | apologies | texts lost | sends missing | sends twice | load avg (1 min) |"
    )
    print(header)
    print("|" + "---|" * 14)
    for calls in levels:
        if time.monotonic() + seconds + DRAIN_SECONDS > deadline:
            print(f"(stopped before {calls} calls at once: --budget-minutes would be exceeded)")
            break
        texts_per_second = round(calls * texts_per_call, 1)
        before_turns, before_texts = len(driver.tally.turns), set(driver.tally.texts)
        before_apologies = driver.tally.apologies
        with driver.running(calls, texts_per_second), LoadAverage() as load:
            time.sleep(seconds)
        turns = [t for t in driver.tally.turns[before_turns:] if t[3] != "text"]
        latencies = [t[1] for t in turns]
        result = outcome(cluster, driver, set(driver.tally.texts) - before_texts)
        errors = sum(1 for t in driver.tally.turns[before_turns:] if t[2] >= 500)
        apologies = driver.tally.apologies - before_apologies
        p95 = _percentile(latencies, 0.95)
        by_kind = {
            kind: _percentile([t[1] for t in turns if t[3] == kind], 0.95) * 1000 for kind in ("keypad", "speech")
        }
        row = (
            f"| {calls} | {texts_per_second:g} | {len(turns)} | {statistics.median(latencies) * 1000:.0f} "
            f"| {p95 * 1000:.0f} | {max(latencies) * 1000:.0f} | {by_kind['keypad']:.0f} | {by_kind['speech']:.0f} "
            f"| {errors} | {apologies} "
            f"| {result.texts_lost}/{result.texts_posted} | {result.sends_missing}/{result.sends_expected} "
            f"| {result.sends_duplicated} | {load} |"
        )
        print(row, flush=True)
        rows.append(row)
        if p95 > TARGET_P95_SECONDS:
            break
    return rows


# --- faults ---------------------------------------------------------------------------------------------------
def faults(cluster: Cluster, driver: Driver, calls: int, texts_per_second: float, deadline: float) -> None:
    def db_down() -> Callable[[], None]:
        cluster.db_proxy.cut()
        return cluster.db_proxy.restore

    def redis_down() -> Callable[[], None]:
        cluster.redis_proxy.cut()
        return cluster.redis_proxy.restore

    def twilio_5xx() -> Callable[[], None]:
        cluster.standin.down = True

        def back() -> None:
            cluster.standin.down = False

        return back

    def twilio_hangs() -> Callable[[], None]:
        # Twilio takes each text but holds its answer past the sender's timeout (issue 11 item 3's case).
        cluster.standin.message_delay_seconds = 12.0

        def back() -> None:
            cluster.standin.message_delay_seconds = 0.0

        return back

    def worker_killed() -> Callable[[], None]:
        cluster.kill_worker()
        return lambda: None

    print(
        "| fault (10 s, under load) | turns | turn p95 ms | longest wait ms | 5xx or no answer "
        "| apologies | texts lost | texts kept, replayed | texts 5xx | sends missing | sends twice "
        "| outbox drained after | load avg (1 min) |"
    )
    print("|" + "---|" * 13)
    for name, fault in (
        ("database unreachable", db_down),
        ("Redis unreachable", redis_down),
        ("Twilio answers 503", twilio_5xx),
        ("Twilio hangs (12 s)", twilio_hangs),
        ("a worker SIGKILLed", worker_killed),
    ):
        if time.monotonic() + 5 + FAULT_SECONDS + 10 + DRAIN_SECONDS > deadline:
            print(f"(stopped before '{name}': --budget-minutes would be exceeded)")
            break
        before_turns, before_texts = len(driver.tally.turns), set(driver.tally.texts)
        before_apologies = driver.tally.apologies
        with driver.running(calls, texts_per_second), LoadAverage() as load:
            time.sleep(5)
            undo = fault()
            time.sleep(FAULT_SECONDS)
            undo()
            time.sleep(10)
        turns = [t for t in driver.tally.turns[before_turns:] if t[3] != "text"]
        latencies = [t[1] for t in turns]
        bad = sum(1 for t in turns if t[2] >= 500)
        result = outcome(cluster, driver, set(driver.tally.texts) - before_texts)
        drained = "-" if result.drain_seconds is None else f"{result.drain_seconds:.0f} s"
        print(
            f"| {name} | {len(turns)} | {_percentile(latencies, 0.95) * 1000:.0f} | {max(latencies or [0]) * 1000:.0f} "
            f"| {bad} | {driver.tally.apologies - before_apologies} | {result.texts_lost}/{result.texts_posted} "
            f"| {result.texts_kept} | {result.texts_5xx} | {result.sends_missing}/{result.sends_expected} "
            f"| {result.sends_duplicated} | {drained} | {load} |",
            flush=True,
        )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench load", description=__doc__)
    parser.add_argument("--postgres", default=os.environ.get("HEARTHLINE_TEST_POSTGRES_URL", ""))
    parser.add_argument("--redis", default=os.environ.get("HEARTHLINE_TEST_REDIS_URL", ""))
    parser.add_argument("--instances", type=int, default=1, help="gunicorn instances (default 1)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per instance (one per core)")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument("--levels", default="4,8,16,24,32,48,64", help="calls at once, in order")
    parser.add_argument("--seconds", type=float, default=30.0, help="how long each level runs")
    parser.add_argument("--texts-per-call", type=float, default=0.25, help="texts a second per call at once")
    parser.add_argument("--faults", action="store_true", help="then run the faults at --fault-calls")
    parser.add_argument("--fault-calls", type=int, default=8)
    parser.add_argument("--only-faults", action="store_true", help="skip the ramp")
    parser.add_argument("--keep", type=Path, help="keep the servers' log in this folder")
    parser.add_argument(
        "--budget-minutes", type=float, default=45.0, help="stop starting levels and faults past this (default 45)"
    )
    args = parser.parse_args(argv)
    if not args.postgres.startswith("postgresql://") or not args.redis.startswith("redis://"):
        print("set --postgres and --redis (or HEARTHLINE_TEST_POSTGRES_URL, HEARTHLINE_TEST_REDIS_URL)")
        return 1
    for url in (args.postgres, args.redis):
        if urlsplit(url).hostname not in {"127.0.0.1", "localhost", "::1"}:
            print(f"loopback only: {url} is not on this machine")
            return 1
    deadline = time.monotonic() + args.budget_minutes * 60
    with tempfile.TemporaryDirectory(prefix="hearthline-load-") as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        cluster = Cluster(args.postgres, args.redis, args.instances, args.workers, args.threads, 2, folder)
        try:
            cluster.start()
            driver = Driver(cluster)
            # The table is the output: the driver's own app and the Twilio stand-in log every request at INFO.
            logging.getLogger().setLevel(logging.WARNING)
            logging.getLogger("werkzeug").setLevel(logging.WARNING)
            print(
                f"load: {args.instances} instance(s) × gunicorn -w {args.workers} --threads {args.threads} --preload, "
                f"{args.instances} worker(s), PostgreSQL + Redis through cuttable proxies, {os.cpu_count()} cores, "
                f"a turn every {THINK_SECONDS:.0f} s a call, half keypad (en) half speech (ko), {args.seconds:.0f} s "
                "a level"
            )
            one, five, fifteen = os.getloadavg()
            print(f"machine load average before: {one:.1f} {five:.1f} {fifteen:.1f} (1, 5, 15 min)")
            if not args.only_faults:
                levels = [int(x) for x in args.levels.split(",")]
                ramp(cluster, driver, levels, args.seconds, args.texts_per_call, deadline)
            if args.faults or args.only_faults:
                print()
                texts_per_second = round(args.fault_calls * args.texts_per_call, 1)
                faults(cluster, driver, args.fault_calls, texts_per_second, deadline)
            errors = Counter(driver.tally.driver_errors)
            print(f"\ncalls placed: {driver.tally.calls_done}; the emulator could not carry on: {dict(errors) or 0}")
            one, five, fifteen = os.getloadavg()
            print(f"machine load average after: {one:.1f} {five:.1f} {fifteen:.1f} (1, 5, 15 min)")
        finally:
            cluster.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
