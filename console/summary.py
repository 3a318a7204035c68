"""The summary page: calls, texts, needs, how understood, how fast and how well handled, as readable charts."""

from __future__ import annotations

import statistics
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import render_template, request
from sqlalchemy import select
from sqlalchemy.orm import Session

from care.models import CallState, InboundMessage, RequestEvent, RequestStatus, ServiceRequest, utcnow
from console.charts import Bar, bar_chart, chart_table, column_chart
from console.web import bp, page_locale, t
from i18n.clock import written_day
from i18n.messages import translate
from web.context import current

PERIODS = (7, 14, 30, 90)
UNDERSTOOD_BY = ("speech", "keypad", "sms", "person")


@dataclass(frozen=True)
class Summary:
    """The numbers of one period; durations in hours, shares from 0 to 1, None where nothing was measured."""

    days: list[date]
    calls_per_day: dict[date, int]
    texts_per_day: dict[date, int]
    intents: Counter[str]
    understood_by: Counter[str]
    requests: int
    resolved: int
    median_first_response_hours: float | None
    median_resolution_hours: float | None
    ratings: Counter[int]

    @property
    def resolution_rate(self) -> float | None:
        return self.resolved / self.requests if self.requests else None

    @property
    def mean_rating(self) -> float | None:
        total = sum(self.ratings.values())
        return sum(score * n for score, n in self.ratings.items()) / total if total else None


def _local_day(moment: datetime, zone: ZoneInfo) -> date:
    return moment.replace(tzinfo=ZoneInfo("UTC")).astimezone(zone).date()


def summarise(db: Session, *, days: int, zone: ZoneInfo, now: datetime | None = None) -> Summary:
    """Count the last `days` local days (today included) from the stored calls, texts, requests and history."""
    now = now or utcnow()
    today = _local_day(now, zone)
    day_list = [today - timedelta(days=offset) for offset in range(days - 1, -1, -1)]
    start_local = datetime.combine(day_list[0], datetime.min.time(), tzinfo=zone)
    start = start_local.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)

    # The UTC instant each local day starts: a stored time falls in the day whose start is the last before it
    # (one bisect per row rather than a time-zone conversion per row).
    starts = [
        datetime.combine(day, datetime.min.time(), tzinfo=zone).astimezone(ZoneInfo("UTC")).replace(tzinfo=None)
        for day in day_list
    ]

    def per_day(times: Iterable[datetime]) -> Counter[date]:
        found: Counter[date] = Counter()
        for at in times:
            index = bisect_right(starts, at) - 1
            if index >= 0:
                found[day_list[index]] += 1
        return found

    calls = per_day(db.scalars(select(CallState.created_at).where(CallState.created_at >= start)))
    texts = per_day(db.scalars(select(InboundMessage.received_at).where(InboundMessage.received_at >= start)))
    requests = db.execute(
        select(
            ServiceRequest.id,
            ServiceRequest.intent,
            ServiceRequest.understood_by,
            ServiceRequest.status,
            ServiceRequest.created_at,
            ServiceRequest.rating,
        ).where(ServiceRequest.created_at >= start)
    ).all()
    first_response: dict[int, datetime] = {}
    resolved_at: dict[int, datetime] = {}
    # A join, not an IN list of ids: a city's quarter of requests would pass SQLite's parameter limit.
    events = db.execute(
        select(RequestEvent.request_id, RequestEvent.at, RequestEvent.actor, RequestEvent.to_status)
        .join(ServiceRequest, ServiceRequest.id == RequestEvent.request_id)
        .where(ServiceRequest.created_at >= start)
        .order_by(RequestEvent.id)
    ).all()
    for request_id, at, who, to_status in events:
        # A response is anything staff did on it (assign, start, a note, a resolve), not the system's own.
        if who.startswith("staff:") and request_id not in first_response:
            first_response[request_id] = at
        if to_status == RequestStatus.RESOLVED and request_id not in resolved_at:
            resolved_at[request_id] = at
    created = {req.id: req.created_at for req in requests}

    def hours(found: dict[int, datetime]) -> float | None:
        spans = [(at - created[rid]).total_seconds() / 3600 for rid, at in found.items() if rid in created]
        return statistics.median(spans) if spans else None

    done = {RequestStatus.RESOLVED, RequestStatus.CLOSED}
    return Summary(
        days=day_list,
        calls_per_day={day: calls.get(day, 0) for day in day_list},
        texts_per_day={day: texts.get(day, 0) for day in day_list},
        intents=Counter(req.intent for req in requests),
        understood_by=Counter(req.understood_by or "person" for req in requests),
        requests=len(requests),
        resolved=sum(1 for req in requests if RequestStatus(req.status) in done),
        median_first_response_hours=hours(first_response),
        median_resolution_hours=hours(resolved_at),
        ratings=Counter(req.rating for req in requests if req.rating is not None),
    )


def _percent(part: float, whole: float) -> str:
    return f"{round(100 * part / whole)} %" if whole else "–"


def _hours(value: float | None) -> str:
    if value is None:
        return "–"
    return t("summary.minutes", n=round(value * 60)) if value < 1 else t("summary.hours", n=f"{value:.1f}")


@bp.get("/summary")
def summary() -> str:
    days = request.args.get("days", "14")
    period = int(days) if days.isdecimal() and int(days) in PERIODS else 14
    settings = current().settings
    with current().db.sessions() as db:
        s = summarise(db, days=period, zone=settings.zone)
    lang = page_locale()
    # Columns carry the short day in the page's language; the tables (for screen readers) carry the full date.
    calls = [Bar(written_day(d, lang), n, str(n)) for d, n in s.calls_per_day.items()]
    texts = [Bar(written_day(d, lang), n, str(n)) for d, n in s.texts_per_day.items()]
    full_dates = {
        "calls": [Bar(written_day(d, lang, long=True), n, str(n)) for d, n in s.calls_per_day.items()],
        "texts": [Bar(written_day(d, lang, long=True), n, str(n)) for d, n in s.texts_per_day.items()],
    }
    total_requests = sum(s.intents.values())
    intents = [
        Bar(translate("common", f"service.{intent}", lang), n, f"{n} ({_percent(n, total_requests)})")
        for intent, n in s.intents.most_common()
    ]
    understood_total = sum(s.understood_by.values())
    understood = [
        Bar(
            t(f"summary.by.{way}"), s.understood_by.get(way, 0), _percent(s.understood_by.get(way, 0), understood_total)
        )
        for way in UNDERSTOOD_BY
        if understood_total
    ]
    ratings = [
        Bar(t("summary.stars", n=score), s.ratings.get(score, 0), str(s.ratings.get(score, 0)))
        for score in range(5, 0, -1)
    ]
    charts = []
    for chart_id, title, bars, header, over_time in (
        ("calls", t("summary.calls_per_day"), calls, t("summary.calls"), True),
        ("texts", t("summary.texts_per_day"), texts, t("summary.texts"), True),
        ("intents", t("summary.intents"), intents, t("summary.requests"), False),
        ("understood", t("summary.understood"), understood, t("summary.share"), False),
        ("ratings", t("summary.ratings"), ratings if sum(s.ratings.values()) else [], t("summary.count"), False),
    ):
        draw = column_chart if over_time else bar_chart
        charts.append(
            {
                "id": chart_id,
                "title": title,
                "svg": draw(chart_id, title, bars, empty_text=t("summary.nothing_yet")),
                "table": chart_table(chart_id, title, full_dates.get(chart_id, bars), (t("summary.item"), header))
                if bars
                else "",
            }
        )
    figures = [
        ("figure-requests", t("summary.requests_total"), str(s.requests)),
        ("figure-resolution", t("summary.resolution_rate"), _percent(s.resolved, s.requests)),
        ("figure-first-response", t("summary.first_response"), _hours(s.median_first_response_hours)),
        ("figure-resolution-time", t("summary.resolution_time"), _hours(s.median_resolution_hours)),
        (
            "figure-satisfaction",
            t("summary.satisfaction"),
            "–" if s.mean_rating is None else t("summary.mean_rating", mean=f"{s.mean_rating:.1f}"),
        ),
    ]
    return render_template("console/summary.html", charts=charts, figures=figures, period=period, periods=PERIODS)
