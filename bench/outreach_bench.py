"""Reaching out at scale: the daily check-in plan for 20,000 seniors (pure scheduler, then stored and queued).

`python -m bench outreach [--part plan] [--seniors N]`. Issue 13 asks for the daily plan of 20,000 seniors in
under 5 s; the table shows the pure scheduler alone and the whole pass that stores each round and queues its
first call (SQLite file; PostgreSQL with --database-url).
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from datetime import time as clock
from pathlib import Path
from zoneinfo import ZoneInfo

from outreach.schedule import Calendar, PlannedCall, PlanView, calls_for_day

TARGET_SECONDS = 5.0  # issue 13
# One bench part per name; each takes the parsed arguments and returns table rows (what, value, note).
Row = tuple[str, str, str]
PARTS: dict[str, Callable[[argparse.Namespace], list[Row]]] = {}


def _plans(count: int) -> list[PlanView]:
    """Plans as a centre has them: most daily, some on weekdays or three days a week, windows from 8 to 18."""
    views = []
    for i in range(1, count + 1):
        days = frozenset(range(7)) if i % 3 else frozenset({0, 2, 4}) if i % 2 else frozenset(range(5))
        start = clock(8 + i % 8, 0 if i % 2 else 30)
        views.append(PlanView(i, i, days, start, clock(min(start.hour + 2, 20), start.minute), i % 50 == 0))
    return views


def plan_pure(args: argparse.Namespace) -> list[Row]:
    plans = _plans(args.seniors)
    calendar = Calendar(ZoneInfo("Asia/Seoul"), holidays=frozenset({date(2026, 12, 25)}))
    capped = {i: 6 for i in range(1, args.seniors + 1, 97)}
    timings = []
    calls: list[PlannedCall] = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        calls = calls_for_day(plans, date(2026, 12, 4), calendar, capped)
        timings.append(time.perf_counter() - started)
    return [
        (
            "pure scheduler, median",
            f"{statistics.median(timings) * 1000:.0f} ms",
            f"{len(calls)} calls of {len(plans)}",
        ),
        ("pure scheduler, worst", f"{max(timings) * 1000:.0f} ms", f"{args.repeat} runs"),
    ]


def plan_stored(args: argparse.Namespace) -> list[Row]:
    """plan_today on a database of N seniors with plans: rounds stored, first calls queued, in one transaction."""
    from app import create_app
    from care.models import Senior
    from outreach.checkin_tables import CheckinPlan, ConsentHow
    from outreach.checkins import plan_today
    from web.context import EXTENSION_KEY, Hearthline

    with tempfile.TemporaryDirectory() as folder:
        config = {
            "data_dir": Path(folder),
            "timezone": "Asia/Seoul",
            "secret_key": "bench-" + "k" * 40,
            "simulator_enabled": False,
        }
        if args.database_url:
            config["database_url"] = args.database_url
        app = create_app(config)
        hl: Hearthline = app.extensions[EXTENSION_KEY]
        with hl.db.transaction() as session:
            seniors = [
                Senior(phone=f"+8210{i:08d}", name=f"Senior {i}", locale="ko") for i in range(1, args.seniors + 1)
            ]
            session.add_all(seniors)
            session.flush()
            session.add_all(
                CheckinPlan(
                    senior_id=s.id,
                    days="0,1,2,3,4,5,6",
                    window_start=clock(8 + s.id % 8),
                    window_end=clock(10 + s.id % 8),
                    locale="ko",
                    team="befriending",
                    consent_by="the senior",
                    consent_how=ConsentHow.PHONE,
                    created_by="bench",
                )
                for s in seniors
            )
        # 06:00 in Seoul: every window is still ahead.
        now = datetime(2026, 12, 3, 21, 0, tzinfo=UTC).replace(tzinfo=None)
        started, cpu = time.perf_counter(), time.process_time()
        with hl.db.transaction() as session:
            made = plan_today(session, hl.settings, now)
        first, first_cpu = time.perf_counter() - started, time.process_time() - cpu
        started = time.perf_counter()
        with hl.db.transaction() as session:
            again = plan_today(session, hl.settings, now)
        second = time.perf_counter() - started
        hl.db.dispose()
    ok = "under" if first < TARGET_SECONDS else "OVER"
    return [
        (
            "stored plan, first pass",
            f"{first:.2f} s",
            f"{made} rounds + first calls queued; {ok} {TARGET_SECONDS:.0f} s",
        ),
        ("stored plan, first pass CPU", f"{first_cpu:.2f} s", f"this process (load average {_load()})"),
        ("stored plan, re-run", f"{second:.2f} s", f"{again} new (idempotent)"),
    ]


def _load() -> str:
    """The machine's 1-minute load average: on a shared machine wall time is CPU time times the queue."""
    return f"{os.getloadavg()[0]:.1f}"


def plan(args: argparse.Namespace) -> list[Row]:
    return plan_pure(args) + plan_stored(args)


PARTS["plan"] = plan


def dial(args: argparse.Namespace) -> list[Row]:
    from bench.outreach_dial import dial as dial_part

    return dial_part(args)


PARTS["dial"] = dial


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench outreach", description=__doc__)
    parser.add_argument("--part", choices=[*PARTS, "all"], default="all")
    parser.add_argument("--seniors", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--database-url", default="", help="PostgreSQL URL (default: a temporary SQLite file)")
    parser.add_argument("--callees", type=int, default=2000, help="dial: callees of the crisis-style broadcast")
    parser.add_argument("--rates", default="1,10", help="dial: calls per second to try, comma separated")
    parser.add_argument("--lines", type=int, default=200, help="dial: dialer_max_concurrent_calls for the broadcast")
    args = parser.parse_args(argv)
    rows: list[Row] = []
    for name, part in PARTS.items():
        if args.part in (name, "all"):
            rows += part(args)
    width = max(len(r[0]) for r in rows)
    print(f"{'measure':<{width}}  {'value':>10}  note")
    for what, value, note in rows:
        print(f"{what:<{width}}  {value:>10}  {note}")
    return 0
