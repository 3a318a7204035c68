"""The job queue (Huey): delivers the outbox on wake-up, on schedule for retries, and by a periodic sweep.

Storage is a SQLite file in the data folder by default, Redis when REDIS_URL is set. The web process only
enqueues (wake_outbox); `flask worker` runs the consumer that executes the tasks.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from huey import Huey, RedisHuey, SqliteHuey, crontab

from care.db import Database
from care.delivery import DeliveryPolicy, DeliveryReport, SentLookup, deliver_due
from care.models import utcnow
from care.notices import callback_reminders
from care.ports import SmsSender
from care.retention import sweep_audio, sweep_call_states
from care.settings import Settings

log = logging.getLogger(__name__)

DELIVER_TASK = "hearthline.deliver_outbox"
SWEEP_TASK = "hearthline.sweep_outbox"
HOUSEKEEPING_TASK = "hearthline.housekeeping"
JOB_TASK = "hearthline.job"
# A job that failed (Twilio or the database briefly away) is tried again this often, this much later.
JOB_RETRIES = 3
JOB_RETRY_DELAY_SECONDS = 30


def build_huey(settings: Settings) -> Huey:
    """Huey on Redis when configured, else on a SQLite file beside the database."""
    if settings.redis_url:
        return RedisHuey(settings.queue_name, url=settings.redis_url, results=False)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return SqliteHuey(settings.queue_name, filename=str((settings.data_dir / "queue.db").resolve()), results=False)


class HueyQueue:
    """JobQueue on Huey: `wake_outbox()` enqueues a delivery pass; the worker runs it."""

    def __init__(
        self,
        settings: Settings,
        db: Database,
        sender: SmsSender,
        chores: Mapping[str, Callable[[], int]] | None = None,
    ) -> None:
        self.settings = settings
        self.db = db
        self.sender = sender
        # Privacy clean-ups other parts register (e.g. synthesised prompts that name a caller's request).
        self.chores = dict(chores or {})
        # Jobs other parts register by name (e.g. transcribing a caller's details after the answer was sent).
        self.jobs: dict[str, Callable[[dict[str, Any]], None]] = {}
        # Passes other parts run every minute with the outbox sweep, and once when the worker starts (the dialer:
        # lost wake-ups, unknown calls; the SMS spool: texts kept while the database was away).
        self.minutely: dict[str, Callable[[], None]] = {}
        self.policy = DeliveryPolicy.from_settings(settings)
        self.huey = build_huey(settings)
        lookup = sender if hasattr(sender, "count_sent") else None
        self.lookup: SentLookup | None = lookup  # type: ignore[assignment]

        @self.huey.task(name=DELIVER_TASK)
        def deliver_outbox() -> None:
            self.deliver_now()

        # Huey's periodic tasks run at most once a minute: a lost wake-up (the web process died between
        # commit and enqueue, Redis blipped) delays a message by a minute at most, never forever.
        @self.huey.periodic_task(crontab(minute="*"), name=SWEEP_TASK)
        def sweep_outbox() -> None:
            self.remind_callbacks()
            self.deliver_now()
            self.run_minutely()

        # Personal data is kept only as long as the settings say, without anyone having to remember a cron job.
        @self.huey.periodic_task(crontab(minute="17"), name=HOUSEKEEPING_TASK)
        def housekeeping() -> None:
            self.run_housekeeping()

        # Plain data in, the handler looked up by name when it runs: the worker process registers the same
        # handlers in create_app, so a job queued by one process runs in another.
        @self.huey.task(name=JOB_TASK, retries=JOB_RETRIES, retry_delay=JOB_RETRY_DELAY_SECONDS)
        def run_job(job: str, payload: dict[str, Any]) -> None:
            self.run_job(job, payload)

        self._deliver_task = deliver_outbox
        self._job_task = run_job
        self._lock = threading.Lock()
        self._scheduled_for: datetime | None = None

    def deliver_now(self) -> DeliveryReport:
        """Run one delivery pass in this process; schedule a wake-up for the earliest retry."""
        report = deliver_due(self.db, self.sender, self.lookup, self.policy)
        if report.handled:
            log.info("outbox: %s", report)
        if report.next_due is not None:
            self._schedule_at(report.next_due)
        return report

    def run_housekeeping(self) -> dict[str, int]:
        """Delete callers' audio past its retention date, finished calls' state, and run registered chores."""
        done = {"call_audio": sweep_audio(self.db, self.settings.data_dir), "call_states": sweep_call_states(self.db)}
        for name, chore in self.chores.items():
            try:
                done[name] = chore()
            except Exception:  # one failing chore must not stop the others (or the worker)
                log.exception("housekeeping chore %s failed", name)
        log.info("housekeeping: %s", done)
        return done

    def remind_callbacks(self) -> int:
        """Queue reminders for callbacks coming due that nobody has taken (each request reminded once)."""
        with self.db.transaction() as session:
            return callback_reminders(session, utcnow(), self.settings.zone)

    def _schedule_at(self, when: datetime) -> None:
        """One scheduled pass per due time: many passes finding the same next retry schedule it once."""
        with self._lock:
            if self._scheduled_for is not None and utcnow() < self._scheduled_for <= when:
                return
            self._scheduled_for = when
        delay = max((when - utcnow()).total_seconds(), 0.0)
        self._deliver_task.schedule(delay=delay)

    def register(self, job: str, handler: Callable[[dict[str, Any]], None]) -> None:
        """Name a job handler (create_app does it, so the web process and the worker know the same jobs)."""
        self.jobs[job] = handler

    def enqueue(self, job: str, payload: dict[str, Any]) -> None:
        """Queue a registered job for the worker; the web request that queues it does not wait for it."""
        if job not in self.jobs:
            raise KeyError(f"no job named {job!r} is registered")
        self._job_task(job, payload)

    def schedule(self, job: str, payload: dict[str, Any], delay_seconds: float) -> None:
        """Queue a registered job to run no sooner than `delay_seconds` from now."""
        if job not in self.jobs:
            raise KeyError(f"no job named {job!r} is registered")
        self._job_task.schedule(args=(job, payload), delay=max(delay_seconds, 0.0))

    def every_minute(self, name: str, task: Callable[[], None]) -> None:
        """Run `task` with the minutely sweep (in the worker), so a lost wake-up costs a minute at most."""
        self.minutely[name] = task

    def run_minutely(self) -> None:
        for name, task in self.minutely.items():
            try:
                task()
            except Exception:  # one failing pass must not stop the others (or the outbox sweep)
                log.exception("minutely task %s failed", name)

    def run_job(self, job: str, payload: dict[str, Any]) -> None:
        """Run one job in this process (the worker's task body)."""
        self.jobs[job](payload)

    def run_pending_jobs(self, until: datetime | None = None) -> int:
        """Run the queued jobs due by `until` (default now) in this process; return how many ran (the simulator
        and tests, which pass a later time to run a delayed job without waiting for it).

        Outbox passes waiting in the same queue, and jobs not yet due, are put back for the worker.
        """
        until = until or utcnow()
        ran, others = 0, []
        for task in self.huey.read_schedule(until):
            self.huey.enqueue(task)  # delayed jobs the worker's scheduler has not moved to the queue yet
        while (task := self.huey.dequeue()) is not None:
            if task.name == JOB_TASK and (task.eta is None or task.eta <= until):
                self.huey.execute(task, until)  # as at `until`, so a delayed job due by then runs
                ran += 1
            else:
                others.append(task)
        for task in others:
            self.huey.enqueue(task)
        return ran

    def wake_outbox(self) -> None:
        """Enqueue a delivery pass. Never fails the caller: the periodic sweep catches a lost wake-up."""
        try:
            self._deliver_task()
        except Exception:  # the request that queued messages has committed; it must not turn into an error
            log.exception("could not wake the outbox worker; the periodic sweep will deliver")

    def consumer(self, workers: int = 2, **options: Any) -> Any:
        """A Huey consumer for `flask worker` (threads: delivery waits on HTTP, not on the CPU)."""
        return self.huey.create_consumer(workers=workers, periodic=True, worker_type="thread", **options)
