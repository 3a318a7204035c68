"""Staff console page times on a city-sized database: the queue, a request, an action, the summary."""

from __future__ import annotations

import argparse
import random
import re
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

ACCOUNT_SID = "AC" + "c" * 32
INTENTS = ["meals", "transport", "medical", "medication", "home_repair", "benefits", "companionship", "events"]
WAYS = ["speech", "keypad", "sms", "person"]


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def _seed(hl: Any, requests: int, days: int) -> str:
    """Bulk rows (not through create_request: this measures reading them back); returns one reference."""
    from care import directory
    from care.models import CallState, InboundMessage, RequestEvent, Senior, ServiceRequest, utcnow
    from care.routing import route_for

    rng = random.Random(7)
    now = utcnow()
    with hl.db.transaction() as db:
        directory.add_staff(db, username="bench", name="Bench Admin", password="bench password", role="admin")
        seniors = [Senior(phone=f"+1202555{n:04d}", name=f"Senior {n}") for n in range(min(requests, 9000))]
        db.add_all(seniors)
        db.flush()
        rows = []
        for n in range(requests):
            created = now - timedelta(minutes=rng.randrange(days * 24 * 60))
            intent = rng.choice(INTENTS)
            rows.append(
                ServiceRequest(
                    reference=str(100000 + n),
                    source_key=f"bench:{n}",
                    senior_id=seniors[n % len(seniors)].id,
                    requester_phone=seniors[n % len(seniors)].phone,
                    requester_kind="senior",
                    channel="voice",
                    intent=intent,
                    transcript="I need some help with " + intent,
                    understood_by=rng.choice(WAYS),
                    status=rng.choice(["new", "assigned", "in_progress", "resolved", "closed"]),
                    team=route_for(intent).team,
                    due_at=created + route_for(intent).due_within,
                    created_at=created,
                    rating=rng.choice([None, None, 3, 4, 5]),
                )
            )
        db.add_all(rows)
        db.flush()
        for row in rows:
            db.add(RequestEvent(request_id=row.id, actor="senior", kind="created", to_status="new", at=row.created_at))
            db.add(
                RequestEvent(
                    request_id=row.id,
                    actor="staff:bench",
                    kind="status",
                    from_status="new",
                    to_status="assigned",
                    at=row.created_at + timedelta(hours=1),
                )
            )
        for n in range(requests * 2):
            at = now - timedelta(minutes=rng.randrange(days * 24 * 60))
            db.add(CallState(call_sid=f"CA{n}", from_phone="+12025550000", created_at=at))
            if n % 2:
                db.add(InboundMessage(message_sid=f"SM{n}", from_phone="+12025550001", body="x", received_at=at))
        return rows[0].reference


def _time(call: Callable[[], Any], repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        out.append((time.perf_counter() - start) * 1000)
    return out


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench console", description=__doc__)
    parser.add_argument("--requests", type=int, default=5000, help="service requests on file (default 5000)")
    parser.add_argument("--days", type=int, default=90, help="spread over this many days (default 90)")
    parser.add_argument("--repeat", type=int, default=15, help="timed loads of each page (default 15)")
    args = parser.parse_args(argv)

    from app import create_app
    from web.context import EXTENSION_KEY

    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            {
                "data_dir": Path(folder),
                "vosk_model_dir": Path(folder) / "models",
                "twilio_account_sid": ACCOUNT_SID,
                "twilio_api_base": "http://127.0.0.1:9",  # nothing is sent: no outbox rows are made
                "secret_key": "bench-" + "x" * 32,
            }
        )
        hl = app.extensions[EXTENSION_KEY]
        started = time.perf_counter()
        reference = _seed(hl, args.requests, args.days)
        seeded = time.perf_counter() - started
        client = app.test_client()
        token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/console/login").get_data(as_text=True))
        assert token
        client.post("/console/login", data={"csrf_token": token[1], "username": "bench", "password": "bench password"})
        token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/console/").get_data(as_text=True))
        assert token

        def get(path: str) -> Callable[[], Any]:
            def load() -> None:
                response = client.get(path)
                assert response.status_code == 200, (path, response.status_code)

            return load

        def note() -> None:
            response = client.post(
                f"/console/requests/{reference}/note", data={"csrf_token": token[1], "note": "called back"}
            )
            assert response.status_code == 303

        pages = [
            ("queue, open requests (first 300)", get("/console/")),
            ("queue, one team", get("/console/?team=meals")),
            ("request page", get(f"/console/requests/{reference}")),
            ("add a note (POST + redirect)", note),
            ("summary, 14 days", get("/console/summary?days=14")),
            ("summary, 90 days", get("/console/summary?days=90")),
            ("people", get("/console/people")),
        ]
        print(f"\nconsole on SQLite: {args.requests} requests, {2 * args.requests} calls over {args.days} days")
        print(f"(seeded in {seeded:.1f} s; each page loaded {args.repeat} times through the WSGI app)\n")
        print(f"{'page':<36} {'median ms':>10} {'p95 ms':>10} {'max ms':>10}")
        print("-" * 70)
        for name, load in pages:
            load()  # warm: templates compiled, catalogs read
            times = _time(load, args.repeat)
            print(f"{name:<36} {statistics.median(times):>10.1f} {_percentile(times, 95):>10.1f} {max(times):>10.1f}")
        hl.db.dispose()
    return 0
