"""Outbound calling at crisis scale: 2,000 callees dialled by the real dialer on a simulated clock.

`python -m bench outreach --part dial [--callees N] [--rates 1,10] [--lines N]` (a part of bench.outreach_bench)
The dialer, its claims, pacing row and outcome handlers run for real on a SQLite file; only the clock and the
telephone network are simulated: a placer records each calls.create and the network ends each call after a
plausible time with one of the stand-in's outcomes (answered and pressed 1 or 2, no answer, busy, machine,
failed). Two dialers take turns, as two workers would. Reported: how long dialling everyone took against the
theoretical minimum, the scheduler's CPU time, and duplicate calls (must be 0).
"""

from __future__ import annotations

import argparse
import heapq
import itertools
import random
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from sqlalchemy.orm import Session

import care.models  # noqa: F401  (registers the tables)
import prompts.models  # noqa: F401
from care.db import Base, Database
from care.ports import FoundCall, PlaceCall
from outreach.attempts import enqueue
from outreach.dialer import Dialer, DialerPolicy
from outreach.models import CallAttempt
from outreach.outcomes import advance, locked, run_handler
from outreach.registry import register
from outreach.script import Script
from outreach.states import AttemptStatus, Purpose
from outreach.view import AttemptView
from simulator.standin_calls import Pickup
from voice.dialogue import Speak

START = datetime(2026, 7, 1, 12, 0, 0)
# The outcomes of a crisis round, roughly as telephone-reassurance programmes report them (most answer; a
# fifth do not; a few busy lines, voicemails and dead numbers), with how long each call occupies a line (s).
MIX: tuple[tuple[Pickup, float, float], ...] = (
    (Pickup.ANSWER, 0.62, 45.0),  # ring ~10 s, message and question ~35 s
    (Pickup.NO_ANSWER, 0.20, 40.0),  # rings for dialer_ring_seconds
    (Pickup.BUSY, 0.05, 5.0),
    (Pickup.MACHINE, 0.10, 35.0),
    (Pickup.FAIL, 0.03, 2.0),
)


class SimClock:
    def __init__(self) -> None:
        self.now = START

    def read(self) -> datetime:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += timedelta(seconds=max(seconds, 0.0))


@dataclass
class SimNetwork:
    """A placer (care.ports.CallPlacer) whose calls end on the simulated clock with a drawn outcome."""

    clock: SimClock
    rng: random.Random
    placed: list[tuple[int, str, datetime]] = field(default_factory=list)
    ending: list[tuple[datetime, int, str, str]] = field(default_factory=list)  # heap: (at, attempt, sid, pickup)
    lines: int = 0
    peak_lines: int = 0

    def place(self, call: PlaceCall) -> str:
        attempt_id = int(parse_qs(urlsplit(call.answer_url).query)["attempt"][0])
        sid = f"CA{len(self.placed) + 1:032x}"
        self.placed.append((attempt_id, call.to, self.clock.now))
        pickup, seconds = self._draw()
        heapq.heappush(self.ending, (self.clock.now + timedelta(seconds=seconds), attempt_id, sid, pickup.value))
        self.lines += 1
        self.peak_lines = max(self.peak_lines, self.lines)
        return sid

    def _draw(self) -> tuple[Pickup, float]:
        roll, total = self.rng.random(), 0.0
        for pickup, share, seconds in MIX:
            total += share
            if roll < total:
                return pickup, seconds
        return MIX[0][0], MIX[0][2]

    def calls_to(self, to: str, since: datetime) -> list[FoundCall]:
        return []

    def fetch(self, sid: str) -> FoundCall | None:
        return None

    def next_end(self) -> datetime | None:
        return self.ending[0][0] if self.ending else None

    def end_due(self, db: Database) -> None:
        """Post the final status of every call that has ended by now (what the status callback does)."""
        while self.ending and self.ending[0][0] <= self.clock.now:
            _, attempt_id, sid, pickup = heapq.heappop(self.ending)
            self.lines -= 1
            status = {
                Pickup.ANSWER.value: AttemptStatus.COMPLETED,
                Pickup.NO_ANSWER.value: AttemptStatus.NO_ANSWER,
                Pickup.BUSY.value: AttemptStatus.BUSY,
                Pickup.MACHINE.value: AttemptStatus.MACHINE,
                Pickup.FAIL.value: AttemptStatus.FAILED,
            }[pickup]
            with db.transaction() as session:
                row = locked(session, attempt_id)
                assert row is not None
                if status is AttemptStatus.COMPLETED:
                    advance(session, row, AttemptStatus.IN_PROGRESS, now=self.clock.now, call_sid=sid)
                    row.answer, row.answer_via = ("safe" if attempt_id % 9 else "help"), "keys"
                final = advance(session, row, status, now=self.clock.now, call_sid=sid)
            if final:
                run_handler(db, attempt_id, self.clock.now)


@dataclass(frozen=True)
class Result:
    rate: float
    callees: int
    lines: int
    dial_span: float  # simulated seconds from the first call placed to the last
    minimum: float  # the theoretical minimum for that span
    cpu: float  # scheduler CPU seconds (dialer passes, claims, outcome handling)
    wall: float
    duplicates: int
    out_of_order: int  # calls placed before a higher-risk callee still waiting
    peak_lines: int


def _handled(counter: list[int]) -> None:
    def on_outcome(_session: Session, _view: AttemptView) -> None:
        counter[0] += 1

    register(
        Purpose.CRISIS,
        script=lambda _view: Script(message=(Speak("voice.outreach.voicemail"),)),
        on_outcome=on_outcome,
    )


def run(rate: float, callees: int, lines: int, folder: Path, seed: int = 7) -> Result:
    db = Database(f"sqlite:///{folder / f'bench-{rate}.db'}")
    Base.metadata.create_all(db.engine)
    handled = [0]
    _handled(handled)
    rng = random.Random(seed)
    clock = SimClock()
    with db.transaction() as session:
        for n in range(callees):
            enqueue(
                session,
                key=f"crisis:1:{n}",
                purpose=Purpose.CRISIS,
                to_phone=f"+1555{n:07d}",
                locale="en",
                subject_id=1,
                priority=rng.choice((0, 0, 0, 1, 1, 2, 3)),  # lives alone, uses oxygen ... raise the risk
                not_before=START,
            )
    network = SimNetwork(clock, rng)
    policy = DialerPolicy(calls_per_second=rate, max_concurrent=lines)
    dialers = [
        Dialer(db, network, "https://hotline.example.org", policy, now=clock.read, sleep=clock.sleep) for _ in range(2)
    ]
    cpu, wall = time.process_time(), time.perf_counter()
    turn = 0
    while handled[0] < callees:
        report = dialers[turn % 2].run_pass()  # two workers taking turns
        turn += 1
        network.end_due(db)
        upcoming = [at for at in (report.next_due, network.next_end()) if at is not None]
        if not upcoming:
            break
        if min(upcoming) > clock.now:
            clock.now = min(upcoming)
            network.end_due(db)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    placed = network.placed
    times = [at for _, _, at in placed]
    span = (max(times) - min(times)).total_seconds() if times else 0.0
    mean_line = sum(share * seconds for _, share, seconds in MIX)
    minimum = max((callees - 1) / rate, callees * mean_line / lines - mean_line)
    with db.sessions() as session:
        priority = {row.id: row.priority for row in session.query(CallAttempt)}
    order = [priority[attempt_id] for attempt_id, _, _ in placed]
    out_of_order = sum(1 for a, b in itertools.pairwise(order) if b > a)
    duplicates = len(placed) - len({attempt_id for attempt_id, _, _ in placed})
    db.dispose()
    return Result(rate, callees, lines, span, minimum, cpu, wall, duplicates, out_of_order, network.peak_lines)


def dial(args: argparse.Namespace) -> list[tuple[str, str, str]]:
    """The bench part: one row group per calls-per-second rate."""
    with tempfile.TemporaryDirectory() as tmp:
        results = [run(float(rate), args.callees, args.lines, Path(tmp)) for rate in args.rates.split(",")]
    rows: list[tuple[str, str, str]] = []
    for r in results:
        at = f"{r.rate:g} call/s, {r.callees} callees, {r.lines} lines"
        ratio = f"{r.dial_span / r.minimum:.3f}x the minimum" if r.minimum else ""
        rows += [
            (
                f"dial: time to dial everyone ({at})",
                f"{r.dial_span:,.0f} s",
                f"theoretical minimum {r.minimum:,.0f} s; {ratio}",
            ),
            (
                f"dial: scheduler CPU ({at})",
                f"{r.cpu:.1f} s",
                f"{r.cpu / r.callees * 1000:.1f} ms a call; wall {r.wall:.1f} s",
            ),
            (
                f"dial: duplicate calls ({at})",
                str(r.duplicates),
                f"2 dialers taking turns; {r.out_of_order} out of risk order; peak {r.peak_lines} lines",
            ),
        ]
    return rows
