"""Wiring outbound calling into an app: the dial job, its minutely safety net, waking on new attempts."""

from __future__ import annotations

import logging
import threading
from datetime import datetime
from typing import Any

from care.models import utcnow
from outreach.attempts import on_commit_with_new_attempts
from outreach.confirm import register_confirm
from outreach.crisis import register_crisis
from outreach.dialer import Dialer, DialerPolicy, PassReport
from web.context import Hearthline

log = logging.getLogger(__name__)

DIAL_JOB = "outreach-dial"


def dialer_for(hl: Hearthline) -> Dialer:
    if hl.placer is None:
        raise RuntimeError("this app has no call placer")
    return Dialer(hl.db, hl.placer, hl.settings.public_base_url, DialerPolicy.from_settings(hl.settings))


class Outreach:
    """The dialer's jobs for one app: a pass on every wake-up, and one scheduled pass for the next due time."""

    def __init__(self, hl: Hearthline) -> None:
        self.hl = hl
        self._lock = threading.Lock()
        self._scheduled_for: datetime | None = None

    def wake(self) -> None:
        """Queue a dialer pass now. Never fails the caller: the minutely sweep catches a lost wake-up."""
        try:
            self.hl.queue.enqueue(DIAL_JOB, {})
        except Exception:  # the transaction that queued attempts has committed; it must not turn into an error
            log.exception("could not wake the dialer; the minutely sweep will dial")

    def run_pass(self) -> PassReport:
        """One pass in this process, then one scheduled pass for when the next slot or lease falls due."""
        report = dialer_for(self.hl).run_pass()
        if report.dialled or report.adopted or report.requeued or report.failed or report.handled:
            log.info("dialer: %s", report)
        if report.next_due is not None:
            self._schedule_at(report.next_due)
        return report

    def _schedule_at(self, when: datetime) -> None:
        # Many passes finding the same next slot schedule one pass for it, not one each (chains never multiply).
        now = utcnow()
        with self._lock:
            if self._scheduled_for is not None and now < self._scheduled_for <= when:
                return
            self._scheduled_for = when
        self.hl.queue.schedule(DIAL_JOB, {}, (when - now).total_seconds())


def register_outreach(hl: Hearthline) -> Outreach | None:
    """Name the dial job and its minutely pass, and wake the dialer after every commit that queued a call."""
    if hl.placer is None:
        return None
    outreach = Outreach(hl)

    def dial_job(_payload: dict[str, Any]) -> None:
        outreach.run_pass()

    def dial_sweep() -> None:
        outreach.run_pass()

    hl.queue.register(DIAL_JOB, dial_job)
    hl.queue.every_minute(DIAL_JOB, dial_sweep)
    on_commit_with_new_attempts(hl.db.sessions, outreach.wake)
    register_confirm(hl.settings)
    register_crisis(hl.settings)
    return outreach
