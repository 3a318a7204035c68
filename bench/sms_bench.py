"""SMS webhook throughput and latency under concurrent load (gunicorn), and outbox delivery after an outage."""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import func, select

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
ACCOUNT_SID = "AC" + "b" * 32
AUTH_TOKEN = "bench-auth-token-0123456789abcdef"
FAMILY = 40  # linked family members texting, ten per language
TEXTS = {
    "en": ["Mum's heating is broken", "Dad needs a ride to the clinic", "STATUS", "HELP"],
    "zh": ["请帮我爸爸订午饭", "我妈妈需要看医生", "状态", "帮助"],
    "ko": ["엄마 병원 예약 부탁해요", "아버지 집 보일러가 고장났어요", "상태", "도움말"],
    "es": ["Mi mamá necesita comida a domicilio", "Mi padre necesita ir al médico", "estado", "ayuda"],
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait(condition: Callable[[], bool], seconds: float, what: str) -> float:
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        if condition():
            return time.perf_counter() - start
        time.sleep(0.02)
    raise TimeoutError(f"gave up waiting for {what} after {seconds:.0f} s")


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def _table(title: str, rows: list[tuple[str, str]]) -> None:
    width = max(len(name) for name, _ in rows)
    print(f"\n{title}")
    print("-" * (width + 24))
    for name, value in rows:
        print(f"{name:<{width}}  {value:>20}")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench sms", description=__doc__)
    parser.add_argument("--requests", type=int, default=400, help="signed SMS webhook posts (default 400)")
    parser.add_argument("--threads", type=int, default=16, help="concurrent senders (default 16)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2, one per core)")
    parser.add_argument("--outbox", type=int, default=200, help="notifications queued during the outage")
    parser.add_argument("--outage-seconds", type=float, default=3.0, help="how long Twilio stays down")
    parser.add_argument("--time-limit", type=float, default=180.0, help="stop waiting after this many seconds")
    args = parser.parse_args(argv)

    from app import create_app
    from care import directory
    from care.models import InboundMessage, Notification, NotificationStatus, ServiceRequest
    from care.outbox import Message, enqueue
    from simulator.twilio_standin import TwilioStandIn
    from web.context import EXTENSION_KEY, Hearthline
    from web.webhooks import sign

    standin = TwilioStandIn(ACCOUNT_SID, AUTH_TOKEN)
    standin.start()
    port = _free_port()
    workdir = Path(tempfile.mkdtemp(prefix="hearthline-sms-bench-"))
    config: dict[str, Any] = {
        "data_dir": str(workdir),
        "twilio_account_sid": ACCOUNT_SID,
        "twilio_auth_token": AUTH_TOKEN,
        "twilio_api_base": standin.base_url,
        "public_base_url": f"http://127.0.0.1:{port}",
        "secret_key": "bench-" + "s" * 40,
        "vosk_model_dir": str(workdir / "models"),
        "outbox_retry_base_seconds": 0.5,
        "outbox_retry_cap_seconds": 2,
        "outbox_lease_seconds": 10,
        "outbox_batch_size": 100,
    }
    config_path = workdir / "config.json"
    config_path.write_text(json.dumps(config))
    env = {**os.environ, "HEARTHLINE_CONFIG": str(config_path)}

    app = create_app(config)
    hl: Hearthline = app.extensions[EXTENSION_KEY]
    senders: list[tuple[str, str]] = []
    with hl.db.transaction() as session:
        for n in range(FAMILY):
            locale = list(TEXTS)[n % 4]
            senior = directory.add_senior(session, phone=f"+1555001{n:04d}", name=f"Senior {n}", locale=locale)
            member = directory.add_family_member(session, phone=f"+1555002{n:04d}", name=f"Family {n}", locale=locale)
            directory.link_family(session, senior=senior, family=member, consent_given_by=senior.name)
            senders.append((member.phone, locale))

    processes: list[subprocess.Popen[bytes]] = []
    log = (workdir / "servers.log").open("ab")
    try:
        gunicorn = subprocess.Popen(
            [str(BIN / "gunicorn"), "-w", str(args.workers), "-b", f"127.0.0.1:{port}", "app:create_app()"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        processes.append(gunicorn)
        url = f"http://127.0.0.1:{port}/sms/incoming"
        _wait(lambda: _answers(url), 60, "gunicorn to answer")

        # --- webhook load ---------------------------------------------------------------------------------
        latencies: list[float] = []
        codes: dict[int, int] = {}
        lock = threading.Lock()
        local = threading.local()

        def post(n: int) -> None:
            phone, locale = senders[n % len(senders)]
            params = {
                "MessageSid": f"SM{n:032x}",
                "AccountSid": ACCOUNT_SID,
                "From": phone,
                "To": hl.settings.hotline_number,
                "Body": TEXTS[locale][n // len(senders) % 4],
            }
            headers = {"X-Twilio-Signature": sign(hl.settings, "/sms/incoming", params)}
            if not hasattr(local, "session"):
                local.session = requests.Session()
            start = time.perf_counter()
            response = local.session.post(url, data=params, headers=headers, timeout=30)
            elapsed = time.perf_counter() - start
            with lock:
                latencies.append(elapsed)
                codes[response.status_code] = codes.get(response.status_code, 0) + 1

        started = time.perf_counter()
        with ThreadPoolExecutor(args.threads) as pool:
            list(pool.map(post, range(args.requests), timeout=args.time_limit))
        wall = time.perf_counter() - started
        with hl.db.sessions() as session:
            stored = session.scalar(select(func.count()).select_from(InboundMessage)) or 0
            created = session.scalar(select(func.count()).select_from(ServiceRequest)) or 0
        _table(
            f"SMS webhook: {args.requests} signed posts, {args.threads} threads, gunicorn -w {args.workers}, "
            f"{os.cpu_count()} cores",
            [
                ("answered 200", f"{codes.get(200, 0)} / {args.requests}"),
                ("other status codes", str({k: v for k, v in codes.items() if k != 200} or "-")),
                ("messages stored", str(stored)),
                ("requests created", str(created)),
                ("throughput", f"{args.requests / wall:.1f} msg/s"),
                ("latency p50", f"{statistics.median(latencies) * 1000:.1f} ms"),
                ("latency p90", f"{_percentile(latencies, 90) * 1000:.1f} ms"),
                ("latency p99", f"{_percentile(latencies, 99) * 1000:.1f} ms"),
                ("latency max", f"{max(latencies) * 1000:.1f} ms"),
            ],
        )

        # --- outbox after an outage -----------------------------------------------------------------------
        worker = subprocess.Popen(
            [str(BIN / "flask"), "--app", "app", "worker", "--workers", "2"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        processes.append(worker)
        # Deliver what the load phase queued (family notices) first, so the outage phase is measured alone.
        _wait(lambda: b"Huey consumer started" in (workdir / "servers.log").read_bytes(), 60, "the worker")
        _wait(lambda: _unsent(hl) == 0, args.time_limit, "the load phase's notifications")
        before = len(standin.messages)
        standin.down = True
        with hl.db.transaction() as session:
            for n in range(args.outbox):
                enqueue(session, Message(f"bench:{n}", f"+1555003{n:04d}", f"Request {100000 + n} is done.", "status"))
        time.sleep(args.outage_seconds)
        refused = sum(1 for method, _, status in standin.log if method == "POST" and status == 503)
        standin.down = False
        back = time.perf_counter()
        drain = _wait(lambda: _unsent(hl) == 0, args.time_limit, "delivery after the outage")
        sent = len(standin.messages) - before
        with hl.db.sessions() as session:
            failed = session.scalar(select(func.count()).where(Notification.status == NotificationStatus.FAILED))
        bodies = [m["Body"] for m in standin.messages[before:]]
        _table(
            f"Outbox: {args.outbox} notifications queued while Twilio was down for {args.outage_seconds:.0f} s",
            [
                ("sends refused (503) in outage", str(refused)),
                ("delivered after recovery", f"{sent} / {args.outbox}"),
                ("sent twice", str(len(bodies) - len(set(bodies)))),
                ("failed", str(failed)),
                ("time from recovery to all sent", f"{drain:.2f} s"),
                ("delivery rate after recovery", f"{sent / drain:.0f} msg/s" if drain else "-"),
            ],
        )
        del back
        return 0
    finally:
        for process in processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(15)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
        log.close()
        hl.db.dispose()
        standin.stop()


def _answers(url: str) -> bool:
    try:
        return requests.post(url, data={}, timeout=2).status_code == 403
    except requests.RequestException:
        return False


def _unsent(hl: Any) -> int:
    from care.delivery import pending_count

    return pending_count(hl.db)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
