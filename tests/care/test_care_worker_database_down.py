"""`flask worker` started while the database is down: it says so, waits with growing pauses instead of failing or
dying, and when the database returns replays the texts a web process kept and then crashed before replaying."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select

from care.models import InboundMessage
from simulator.twilio_standin import TwilioStandIn
from sms.handling import kept_for_later
from tests.conftest import ProxiedApp, base_config
from tests.sms.people import ANN, JIN, add_people
from tests.twiml import parse_twiml, signed_post

ROOT = Path(__file__).resolve().parents[2]
WAITING = re.compile(r"flask worker: the database at \S+ is not reachable; waiting, next try in (\d+) s")
# Start-up (imports, the app) plus tries after 1, 2 and 4 s, on a machine shared with other jobs.
SEEN_WAITING_WITHIN_SECONDS = 60
# The next try comes at most 8 s after the database returns (the pause after 1, 2, 4); then the replay.
REPLAYED_WITHIN_SECONDS = 40


class Output:
    """A child's combined output, read as it comes."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.lines: list[str] = []
        assert process.stdout is not None
        self._stdout = process.stdout
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self._stdout:
            self.lines.append(line.rstrip("\n"))

    def text(self) -> str:
        return "\n".join(self.lines)


def _until(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def test_the_worker_waits_for_the_database_and_then_replays_what_a_crashed_web_process_kept(
    proxied_postgres: ProxiedApp, standin: TwilioStandIn, tmp_path: Path
) -> None:
    hl = proxied_postgres.hl
    add_people(hl)
    proxied_postgres.proxy.cut()
    sids = []
    for n, (phone, body) in enumerate([(ANN, "Mum's heating is broken"), (JIN, "엄마 병원 예약 부탁해요")]):
        sid = f"SM{n:032d}"
        params = {"MessageSid": sid, "From": phone, "Body": body}
        [verb] = parse_twiml(signed_post(proxied_postgres.app.test_client(), hl, "/sms/incoming", params))
        assert verb.text == kept_for_later(hl.settings, body)
        sids.append(sid)
    # The web process that kept them now "crashes": it never replays them (its queue is never consumed here).
    assert hl.spool.count() == 2

    config = {
        **{k: str(v) for k, v in base_config(tmp_path, standin).items()},
        "database_url": proxied_postgres.database_url,
        "redis_url": hl.settings.redis_url,
        "queue_name": hl.settings.queue_name,
    }
    (tmp_path / "worker.json").write_text(json.dumps(config))
    env = {**os.environ, "HEARTHLINE_CONFIG": str(tmp_path / "worker.json"), "PYTHONUNBUFFERED": "1"}
    worker = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "app", "worker", "--workers", "1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    output = Output(worker)
    try:
        waits = lambda: [int(m.group(1)) for m in WAITING.finditer(output.text())]  # noqa: E731
        assert _until(lambda: len(waits()) >= 3, SEEN_WAITING_WITHIN_SECONDS), output.text()[-3000:]
        assert worker.poll() is None  # alive, not crashed
        assert waits()[:3] == [1, 2, 4]  # backing off, not hammering the database
        assert "Traceback" not in output.text()  # said plainly, not as a stack of errors

        proxied_postgres.proxy.restore()

        def stored() -> list[str]:
            with hl.db.sessions() as session:
                return list(
                    session.scalars(
                        select(InboundMessage.message_sid)
                        .where(InboundMessage.message_sid.in_(sids))
                        .order_by(InboundMessage.received_at)
                    )
                )

        assert _until(lambda: len(stored()) == 2, REPLAYED_WITHIN_SECONDS), output.text()[-3000:]
        assert stored() == sids  # each once, in the order they came
        assert "the database answers again" in output.text()
        assert _until(lambda: not hl.spool.pending(), 10)
        assert worker.poll() is None
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()
