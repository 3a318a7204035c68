"""The job queue for real: `flask worker` processes (Huey consumers) deliver the outbox through the stand-in."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from care.jobs import HueyQueue
from care.models import Notification
from care.outbox import Message, enqueue
from simulator.twilio_standin import TwilioStandIn
from tests.conftest import base_config
from web.context import EXTENSION_KEY, Hearthline

ROOT = Path(__file__).resolve().parents[2]
# Fast outbox timings for tests (real settings): a retry after 0.5 s, doubling to 2 s; a claim runs out after 2 s.
FAST = {"outbox_retry_base_seconds": 0.5, "outbox_retry_cap_seconds": 2, "outbox_lease_seconds": 2}
WAIT_SECONDS = 30


class Worker:
    """A `flask worker` subprocess on the test's data folder, in its own process group."""

    def __init__(self, config_path: Path, log_path: Path) -> None:
        self.log_path = log_path
        env = {**os.environ, "HEARTHLINE_CONFIG": str(config_path), "PYTHONUNBUFFERED": "1"}
        with log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "flask", "--app", "app", "worker", "--workers", "2"],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        _wait_for(lambda: "Huey consumer started" in self.log(), "the worker to start", self)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL: no cleanup, no graceful shutdown, as when a machine dies."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()


def _wait_for(condition: Callable[[], bool], what: str, worker: Worker | None = None) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if condition():
            return
        if worker is not None and worker.process.poll() is not None:
            pytest.fail(f"worker exited while waiting for {what}:\n{worker.log()[-3000:]}")
        time.sleep(0.05)
    tail = worker.log()[-3000:] if worker is not None else ""
    pytest.fail(f"timed out waiting for {what}\n{tail}")


@pytest.fixture
def start_worker(tmp_path: Path, standin: TwilioStandIn, backends: dict[str, Any]) -> Iterator[Callable[..., Worker]]:
    workers: list[Worker] = []

    def start(**extra: Any) -> Worker:
        config = {k: str(v) if isinstance(v, Path) else v for k, v in base_config(tmp_path, standin).items()}
        config.update(backends)
        config.update(FAST)
        config.update(extra)
        path = tmp_path / "worker-config.json"
        path.write_text(json.dumps(config))
        worker = Worker(path, tmp_path / f"worker-{len(workers)}.log")
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.stop()


def _app(make_app: Callable[..., Flask], **extra: Any) -> Hearthline:
    return make_app(**FAST, **extra).extensions[EXTENSION_KEY]  # type: ignore[no-any-return]


def _notify(hl: Hearthline, key: str, phone: str, body: str) -> None:
    """Write one outbox row the way every cause does: inside a transaction; the commit wakes the worker."""
    with hl.db.transaction() as s:
        assert enqueue(s, Message(key, phone, body, kind="status")) is not None


def _rows(hl: Hearthline) -> list[Notification]:
    with hl.db.sessions() as s:
        return list(s.scalars(select(Notification).order_by(Notification.id)))


def test_a_worker_delivers_what_a_commit_queued(
    make_app: Callable[..., Flask], start_worker: Callable[..., Worker], standin: TwilioStandIn
) -> None:
    hl = _app(make_app)
    worker = start_worker()
    _notify(hl, "test:1", "+15550002001", "Request 123456: work has started.")
    _wait_for(lambda: standin.messages_to("+15550002001") != [], "delivery", worker)
    _wait_for(lambda: _rows(hl)[0].status == "sent", "the row to be marked sent", worker)
    assert standin.messages_to("+15550002001") == ["Request 123456: work has started."]
    assert _rows(hl)[0].provider_sid == standin.messages[0]["sid"]


def test_messages_queued_while_no_worker_ran_go_when_one_starts(
    make_app: Callable[..., Flask], start_worker: Callable[..., Worker], standin: TwilioStandIn
) -> None:
    hl = _app(make_app)
    for n in range(5):
        _notify(hl, f"test:backlog:{n}", f"+155500021{n:02d}", f"Request 20000{n} is done.")
    worker = start_worker()
    _wait_for(lambda: len(standin.messages) >= 5, "the backlog", worker)
    _wait_for(lambda: all(r.status == "sent" for r in _rows(hl)), "rows marked sent", worker)
    time.sleep(1.0)  # any stray duplicate would arrive by now
    # Exactly the five, each once: a sixth (a duplicate of any of them) fails here.
    assert sorted((m["To"], m["Body"]) for m in standin.messages) == [
        (f"+155500021{n:02d}", f"Request 20000{n} is done.") for n in range(5)
    ]
    assert [r.provider_sid for r in _rows(hl)] == [m["sid"] for m in sorted(standin.messages, key=lambda m: m["To"])]


def test_twilio_down_then_back_nothing_is_lost_and_nothing_is_sent_twice(
    make_app: Callable[..., Flask], start_worker: Callable[..., Worker], standin: TwilioStandIn
) -> None:
    hl = _app(make_app)
    worker = start_worker()
    standin.down = True
    for n in range(3):
        _notify(hl, f"test:outage:{n}", f"+155500022{n:02d}", f"Request 30000{n} is open again.")
    # The worker tries, is refused, and backs off: at least two attempts each while Twilio is down.
    _wait_for(lambda: all(r.attempts >= 2 for r in _rows(hl)), "retries during the outage", worker)
    assert standin.messages == []
    # Each is waiting for its next try (or in one right now), none given up, the refusal on record.
    assert all(r.status in {"pending", "sending"} for r in _rows(hl))
    assert all("503" in r.last_error for r in _rows(hl) if r.status == "pending")
    standin.down = False
    _wait_for(lambda: all(r.status == "sent" for r in _rows(hl)), "delivery after the outage", worker)
    time.sleep(1.0)  # any stray duplicate would arrive by now
    assert sorted(m["Body"] for m in standin.messages) == [f"Request 30000{n} is open again." for n in range(3)]


def test_a_worker_killed_mid_send_does_not_cause_a_second_message(
    make_app: Callable[..., Flask], start_worker: Callable[..., Worker], standin: TwilioStandIn
) -> None:
    hl = _app(make_app)
    # Twilio accepts the message, then its answer is slow: the worker dies before it can record SENT.
    standin.message_delay_seconds = 5
    standin.accept_before_delay = True
    first = start_worker()
    _notify(hl, "test:kill", "+15550002301", "Request 400000 is done. Reply 1 if it is fixed, 2 if not.")
    _wait_for(lambda: standin.messages_to("+15550002301") != [], "Twilio to accept the message", first)
    first.kill()
    [row] = _rows(hl)
    assert row.status == "sending" and row.provider_sid is None  # the 201 never reached our books

    standin.message_delay_seconds = 0
    second = start_worker()
    # The second worker waits for the dead one's claim to run out, asks Twilio, and records it as sent.
    _wait_for(lambda: _rows(hl)[0].status == "sent", "the orphaned row to be settled", second)
    time.sleep(1.0)
    assert standin.messages_to("+15550002301") == ["Request 400000 is done. Reply 1 if it is fixed, 2 if not."]
    assert any(method == "GET" and path.endswith("/Messages.json") for method, path, _ in standin.log)


def test_a_worker_killed_before_twilio_got_the_message_sends_it_once(
    make_app: Callable[..., Flask], start_worker: Callable[..., Worker], standin: TwilioStandIn
) -> None:
    hl = _app(make_app)
    standin.down = True  # the send never gets through before the worker dies
    first = start_worker()
    _notify(hl, "test:kill-early", "+15550002302", "Request 400001 is done.")
    _wait_for(lambda: _rows(hl)[0].attempts >= 1, "a first attempt", first)
    first.kill()
    standin.down = False
    second = start_worker()
    _wait_for(lambda: _rows(hl)[0].status == "sent", "delivery by the second worker", second)
    time.sleep(1.0)
    assert standin.messages_to("+15550002302") == ["Request 400001 is done."]


def test_redis_queue(
    make_app: Callable[..., Flask], start_worker: Callable[..., Worker], standin: TwilioStandIn, redis_url: str
) -> None:
    name = f"hearthline-test-{uuid.uuid4().hex[:8]}"
    hl = _app(make_app, redis_url=redis_url, queue_name=name)
    assert isinstance(hl.queue, HueyQueue) and type(hl.queue.huey).__name__ == "RedisHuey"
    try:
        worker = start_worker(redis_url=redis_url, queue_name=name)
        _notify(hl, "test:redis", "+15550002401", "Request 500000: work has started.")
        _wait_for(lambda: _rows(hl)[0].status == "sent", "delivery through Redis", worker)
        assert standin.messages_to("+15550002401") == ["Request 500000: work has started."]
        assert not (Path(hl.settings.data_dir) / "queue.db").exists()
    finally:
        hl.queue.huey.storage.flush_all()


def test_wake_never_fails_the_caller_when_the_queue_is_unreachable(make_app: Callable[..., Flask]) -> None:
    # Nothing listens on this port: the commit that queued a message must still succeed.
    hl = _app(make_app, redis_url="redis://127.0.0.1:1/0")
    _notify(hl, "test:no-redis", "+15550002501", "Request 600000 is done.")
    [row] = _rows(hl)
    assert row.status == "pending"  # kept for the periodic sweep of a worker that can reach the queue


def test_a_delivery_pass_in_process_and_its_follow_up_scheduled_once(
    make_app: Callable[..., Flask], standin: TwilioStandIn
) -> None:
    hl = _app(make_app)
    queue = hl.queue
    assert isinstance(queue, HueyQueue)
    standin.down = True
    _notify(hl, "test:inproc", "+15550002601", "Request 700000 is done.")

    def follow_ups() -> int:
        """Delivery passes queued for a later time (the consumer would hold them until their eta)."""
        return sum(1 for task in queue.huey.pending() if task.eta is not None)

    assert follow_ups() == 0
    report = queue.deliver_now()
    assert report.retrying == 1 and report.next_due is not None
    # Two passes that find the same next retry schedule one follow-up between them.
    queue.deliver_now()
    assert follow_ups() == 1
    standin.down = False
    time.sleep(FAST["outbox_retry_cap_seconds"])
    assert queue.deliver_now().sent == 1
    assert standin.messages_to("+15550002601") == ["Request 700000 is done."]
