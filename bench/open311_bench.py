"""Open311 GeoReport v2 over a large store: GET requests (p50/p95 per filter) and POST throughput."""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from bench.console_bench import _percentile, _time

ACCOUNT_SID = "AC" + "d" * 32
INTENTS = ["meals", "transport", "medical", "medication", "home_repair", "benefits", "companionship", "events"]
STATUSES = ["new", "assigned", "in_progress", "resolved", "closed", "closed", "closed"]


def _seed(hl: Any, requests: int, days: int) -> list[str]:
    """Bulk rows through Core inserts (this measures reading them back); returns some references."""
    from sqlalchemy import insert

    from care.models import Senior, ServiceRequest, utcnow
    from care.routing import route_for

    rng = random.Random(11)
    now = utcnow()
    with hl.db.transaction() as db:
        db.execute(
            insert(Senior),
            [
                {"phone": f"+1202555{n:04d}", "name": f"Senior {n}", "area": f"Ward {n % 12}", "locale": "en"}
                for n in range(9000)
            ],
        )
        batch: list[dict[str, Any]] = []
        for n in range(requests):
            created = now - timedelta(minutes=rng.randrange(days * 24 * 60))
            intent = rng.choice(INTENTS)
            batch.append(
                {
                    "reference": str(100000 + n),
                    "source_key": f"bench:{n}",
                    "senior_id": 1 + n % 9000,
                    "requester_phone": f"+1202555{n % 9000:04d}",
                    "requester_kind": "senior",
                    "channel": "voice",
                    "intent": intent,
                    "urgent": False,
                    "locale": "en",
                    "transcript": "I need some help with " + intent,
                    "details": "",
                    "understood_by": "speech",
                    "status": rng.choice(STATUSES),
                    "team": route_for(intent).team,
                    "due_at": created + route_for(intent).due_within,
                    "created_at": created,
                    "updated_at": created,
                }
            )
            if len(batch) == 5000:
                db.execute(insert(ServiceRequest), batch)
                batch = []
        if batch:
            db.execute(insert(ServiceRequest), batch)
    return [str(100000 + rng.randrange(requests)) for _ in range(10)]


def _postgres_schema() -> tuple[str, Callable[[], None]] | None:
    url = os.environ.get("HEARTHLINE_TEST_POSTGRES_URL", "")
    if not url:
        return None
    import psycopg

    name = f"hl_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{name}"')

    def drop() -> None:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{name}" CASCADE')

    return f"{url}?options=-csearch_path%3D{name}", drop


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench open311", description=__doc__)
    parser.add_argument("--requests", type=int, default=100_000, help="service requests on file (default 100000)")
    parser.add_argument("--days", type=int, default=365, help="spread over this many days (default 365)")
    parser.add_argument("--repeat", type=int, default=20, help="timed loads of each query (default 20)")
    parser.add_argument("--posts", type=int, default=200, help="POSTs for the throughput figure (default 200)")
    parser.add_argument(
        "--postgres", action="store_true", help="on a fresh schema at HEARTHLINE_TEST_POSTGRES_URL (else SQLite)"
    )
    args = parser.parse_args(argv)

    from sqlalchemy import func, select

    from app import create_app
    from care.models import ServiceRequest
    from opendata import keys
    from web.context import EXTENSION_KEY

    cleanup: Callable[[], None] | None = None
    with tempfile.TemporaryDirectory() as folder:
        config: dict[str, Any] = {
            "data_dir": Path(folder),
            "vosk_model_dir": Path(folder) / "models",
            "twilio_account_sid": ACCOUNT_SID,
            "twilio_api_base": "http://127.0.0.1:9",
            "secret_key": "bench-" + "x" * 32,
        }
        backend = "SQLite"
        if args.postgres:
            found = _postgres_schema()
            if found is None:
                print("--postgres needs HEARTHLINE_TEST_POSTGRES_URL")
                return 2
            config["database_url"], cleanup = found
            backend = "PostgreSQL"
        try:
            app = create_app(config)
            hl = app.extensions[EXTENSION_KEY]
            started = time.perf_counter()
            refs = _seed(hl, args.requests, args.days)
            seeded = time.perf_counter() - started
            with hl.db.transaction() as db:
                token = keys.create_key(
                    db, name="bench", scopes=frozenset({keys.Scope.SUBMIT}), created_by="bench"
                ).token
            client = app.test_client()

            def get(path: str) -> Callable[[], Any]:
                def load() -> None:
                    response = client.get(path)
                    assert response.status_code == 200, (path, response.status_code, response.data[:200])

                return load

            with hl.db.sessions() as db:
                day = db.scalar(select(func.max(ServiceRequest.created_at)))
            assert day is not None
            one_day = (
                f"start_date={(day - timedelta(days=1)).strftime('%Y-%m-%dT%H:%M:%SZ')}"
                f"&end_date={day.strftime('%Y-%m-%dT%H:%M:%SZ')}"
            )
            queries = [
                ("requests.json (default: 90 days, first 1000)", get("/open311/v2/requests.json")),
                ("requests.xml (default: 90 days, first 1000)", get("/open311/v2/requests.xml")),
                (
                    "requests.json service_code + status=open",
                    get("/open311/v2/requests.json?service_code=meals&status=open"),
                ),
                ("requests.json one day (start/end_date)", get(f"/open311/v2/requests.json?{one_day}")),
                ("requests.json page_size=50 page=3", get("/open311/v2/requests.json?page_size=50&page=3")),
                (
                    "requests.json service_request_id x10",
                    get(f"/open311/v2/requests.json?service_request_id={','.join(refs)}"),
                ),
                ("requests/{id}.xml", get(f"/open311/v2/requests/{refs[0]}.xml")),
                ("services.xml", get("/open311/v2/services.xml")),
            ]
            print(f"\nOpen311 on {backend}: {args.requests} requests over {args.days} days (seeded in {seeded:.1f} s)")
            print(f"each GET {args.repeat} times through the WSGI app, after one warm-up\n")
            print(f"{'GET':<48} {'p50 ms':>9} {'p95 ms':>9} {'max ms':>9}")
            print("-" * 78)
            for name, load in queries:
                load()
                times = _time(load, args.repeat)
                print(f"{name:<48} {statistics.median(times):>9.1f} {_percentile(times, 95):>9.1f} {max(times):>9.1f}")

            form = {"api_key": token, "service_code": "meals", "address_id": "bench", "description": "lunch please"}
            times = []
            started = time.perf_counter()
            for _ in range(args.posts):
                begin = time.perf_counter()
                response = client.post("/open311/v2/requests.json", data=form)
                assert response.status_code == 201, response.data[:200]
                times.append((time.perf_counter() - begin) * 1000)
            elapsed = time.perf_counter() - started
            print(f"\n{'POST requests.json (one client, in turn)':<48} {'p50 ms':>9} {'p95 ms':>9} {'per s':>9}")
            print("-" * 78)
            print(
                f"{f'{args.posts} requests created':<48} {statistics.median(times):>9.1f} "
                f"{_percentile(times, 95):>9.1f} {args.posts / elapsed:>9.1f}"
            )
            hl.db.dispose()
        finally:
            if cleanup is not None:
                cleanup()
    return 0
