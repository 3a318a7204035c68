"""`make run` tells a new user where the staff console is, as the README promises."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest

from care.settings import Settings
from sms.sender import twilio_client

ROOT = Path(__file__).resolve().parent.parent


def test_make_run_prints_the_console_address() -> None:
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    # -n prints the recipe without running it (nothing is installed or started).
    plan = subprocess.run(
        ["make", "-n", "run", "HOST=127.0.0.1", "PORT=5108"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    announced = [line for line in plan.stdout.splitlines() if line.startswith('echo "Hearthline on ')]
    assert len(announced) == 1, plan.stdout
    assert "http://127.0.0.1:5108/console/" in announced[0]


def test_make_run_starts_the_twilio_standin_beside_the_worker() -> None:
    # Without it the worker's texts and the dialer's calls waited in the outbox until someone first spoke in the
    # browser simulator (the page started a stand-in only for recordings).
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    plan = subprocess.run(["make", "-n", "run"], cwd=ROOT, capture_output=True, text=True, timeout=60).stdout
    assert "flask --app app standin &" in plan
    assert plan.index("flask --app app standin") < plan.index("flask --app app run")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_flask_standin_takes_the_texts_the_worker_sends(tmp_path: Path) -> None:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "HEARTHLINE_DATA_DIR": str(tmp_path),
        "HEARTHLINE_TWILIO_API_BASE": base,
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("HEARTHLINE_CONFIG", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "app", "standin"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                assert process.poll() is None and time.monotonic() < deadline, process.stdout and process.stdout.read()
                time.sleep(0.2)
        # The worker's own client, as the outbox builds it: the real twilio library over HTTP to the stand-in.
        settings = replace(Settings(), twilio_api_base=base)
        client = twilio_client(settings)
        sent = client.messages.create(to="+15555550102", from_=settings.hotline_number, body="안녕하세요")
        listed = client.messages.list(to="+15555550102")
        assert [m.sid for m in listed] == [sent.sid] and listed[0].body == "안녕하세요"
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_flask_standin_refuses_a_real_twilio_address(tmp_path: Path) -> None:
    env = {**os.environ, "HEARTHLINE_DATA_DIR": str(tmp_path), "HEARTHLINE_TWILIO_API_BASE": "https://api.twilio.com"}
    env.pop("HEARTHLINE_CONFIG", None)
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", "standin"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode != 0 and "only a local http address" in done.stderr
