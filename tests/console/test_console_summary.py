"""The summary page: numbers computed from stored calls, texts, requests and history; charts with tables."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask.testing import FlaskClient

from care.lifecycle import RequestAction
from care.models import CallState, InboundMessage, ServiceRequest, utcnow
from care.requests import apply_action, find_by_reference, rate
from console.charts import Bar, bar_chart, chart_table, column_chart
from console.summary import summarise
from tests.console.html import parse_html
from tests.console.support import STAFF, Seeded, csrf_of, login, make_request
from web.context import Hearthline

ZONE = ZoneInfo("America/New_York")


def _utc(local: datetime) -> datetime:
    return local.replace(tzinfo=ZONE).astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


def _seed_week(hl: Hearthline, seeded: Seeded, now: datetime) -> None:
    """Two days of activity: 3 calls and 1 text yesterday, 1 call and 2 texts today; 4 requests."""
    today = now.replace(tzinfo=ZoneInfo("UTC")).astimezone(ZONE).replace(tzinfo=None, hour=10, minute=0)
    yesterday = today - timedelta(days=1)
    with hl.db.transaction() as db:
        for index, at in enumerate([yesterday, yesterday, yesterday, today]):
            db.add(CallState(call_sid=f"CA{index}", from_phone="+12025550111", created_at=_utc(at)))
        for index, at in enumerate([yesterday, today, today]):
            db.add(InboundMessage(message_sid=f"SM{index}", from_phone="+1", body="hi", received_at=_utc(at)))
    first = make_request(hl, key="r1", understood_by="speech", now=_utc(yesterday), senior_id=seeded.senior_id)
    make_request(hl, key="r2", understood_by="keypad", now=_utc(yesterday))
    make_request(hl, key="r3", intent="transport", understood_by="keypad", now=_utc(today))
    make_request(hl, key="r4", intent="transport", understood_by="sms", now=_utc(today))
    with hl.db.transaction() as db:
        request = find_by_reference(db, first)
        apply_action(db, request, RequestAction.ASSIGN, actor="staff:sam", now=_utc(yesterday + timedelta(minutes=30)))
        apply_action(db, request, RequestAction.RESOLVE, actor="staff:sam", now=_utc(yesterday + timedelta(hours=5)))
        apply_action(db, request, RequestAction.CLOSE, actor="senior:+12025550111", now=_utc(today))
        rate(db, request, 4, actor="senior:+12025550111")


def test_summarise_counts_per_local_day_and_measures_response_and_resolution(
    hearthline: Hearthline, seeded: Seeded
) -> None:
    now = utcnow()
    _seed_week(hearthline, seeded, now)
    with hearthline.db.sessions() as db:
        s = summarise(db, days=7, zone=ZONE, now=now)
    assert len(s.days) == 7 and s.days[-1] == now.replace(tzinfo=ZoneInfo("UTC")).astimezone(ZONE).date()
    assert list(s.calls_per_day.values())[-2:] == [3, 1] and sum(s.calls_per_day.values()) == 4
    assert list(s.texts_per_day.values())[-2:] == [1, 2]
    assert s.intents == {"meals": 2, "transport": 2}
    assert s.understood_by == {"speech": 1, "keypad": 2, "sms": 1}
    assert (s.requests, s.resolved, s.resolution_rate) == (4, 1, 0.25)
    assert s.median_first_response_hours == 0.5
    assert s.median_resolution_hours == 5.0
    assert s.ratings == {4: 1} and s.mean_rating == 4.0
    with hearthline.db.sessions() as db:
        assert summarise(db, days=1, zone=ZONE, now=now).requests == 2  # only today's


def test_the_summary_page_draws_each_chart_with_a_table_of_the_same_numbers(
    client: FlaskClient, hearthline: Hearthline, seeded: Seeded
) -> None:
    _seed_week(hearthline, seeded, utcnow())
    login(client, *STAFF)
    page = parse_html(client.get("/console/summary?days=7").get_data(as_text=True))
    assert page.by_id("figure-requests").find("strong").text == "4"
    assert page.by_id("figure-resolution").find("strong").text == "25 %"
    assert page.by_id("figure-first-response").find("strong").text == "30 min"
    assert page.by_id("figure-resolution-time").find("strong").text == "5.0 h"
    assert page.by_id("figure-satisfaction").find("strong").text == "4.0 of 5"
    understood = page.by_id("understood")
    assert understood.attrs["role"] == "img"
    assert [float(r.attrs["data-value"]) for r in understood.find_all("rect")] == [1, 2, 1, 0]
    table = page.by_id("understood-table")
    cells = [(row.find("th").text, row.find("td").text) for row in table.find("tbody").find_all("tr")]
    assert cells == [("Speech", "25 %"), ("Keypad", "50 %"), ("Text message", "25 %"), ("A person", "0 %")]
    calls = page.by_id("calls")
    assert [float(r.attrs["data-value"]) for r in calls.find_all("rect")][-2:] == [3, 1]
    assert page.by_id("calls-table").find("caption").text == "Calls per day"


def test_an_empty_period_says_so_instead_of_drawing_empty_charts(client: FlaskClient, seeded: Seeded) -> None:
    login(client, *STAFF)
    page = parse_html(client.get("/console/summary?days=oops").get_data(as_text=True))
    assert page.by_id("days").find("option", selected="").attrs["value"] == "14"  # a bad period falls back
    assert page.by_id("intents").tag == "p" and page.by_id("intents").text == "Nothing in this period yet."
    assert page.by_id("figure-resolution").find("strong").text == "–"


def test_bars_scale_to_the_largest_value_and_labels_are_escaped() -> None:
    bars = [Bar("<script>x</script>", 10, "10"), Bar("half", 5, "5"), Bar("none", 0, "0")]
    svg = parse_html(str(bar_chart("c", "Title & more", bars, empty_text="-")))
    widths = [float(r.attrs["width"]) for r in svg.find_all("rect")]
    assert widths[0] == 2 * widths[1] and widths[2] == 0
    assert svg.find_all("script") == []
    assert svg.find("title").text == "Title & more"
    table = parse_html(str(chart_table("c", "Title", bars, ("Item", "Count"))))
    assert table.find("tbody").find("th").text == "<script>x</script>"


def test_summary_counts_a_request_without_an_understood_by_as_handled_by_a_person(
    hearthline: Hearthline, seeded: Seeded
) -> None:
    make_request(hearthline, key="p1", understood_by="")
    with hearthline.db.sessions() as db:
        assert summarise(db, days=7, zone=ZONE).understood_by == {"person": 1}
        assert db.query(ServiceRequest).count() == 1


def test_a_long_series_labels_one_day_a_week_and_keeps_every_value_in_the_columns() -> None:
    days = [Bar(f"Mon {n:02d} Nov", n % 5, str(n % 5)) for n in range(30)]
    svg = parse_html(str(column_chart("calls", "Calls per day", days, empty_text="-")))
    assert [float(r.attrs["data-value"]) for r in svg.find_all("rect")] == [n % 5 for n in range(30)]
    dates = [t.text for t in svg.find_all("text") if t.text.endswith(" Nov")]
    assert dates == ["00 Nov", "07 Nov", "14 Nov", "21 Nov", "28 Nov", "29 Nov"]  # weekly, and the last day
    assert all(t.text in {"Mon", *dates} for t in svg.find_all("text"))  # no value labels: they would overlap
    assert parse_html(str(column_chart("c", "t", [Bar("Mon 01", 0, "0")], empty_text="None"))).by_id("c").tag == "p"


def test_a_korean_summary_names_its_days_in_korean_on_the_centres_calendar(
    client: FlaskClient, hearthline: Hearthline, seeded: Seeded
) -> None:
    _seed_week(hearthline, seeded, utcnow())
    token = csrf_of(client.get("/console/login"))
    client.post("/console/language", data={"csrf_token": token, "lang": "ko", "next": "/console/login"})
    login(client, *STAFF)
    page = parse_html(client.get("/console/summary?days=7").get_data(as_text=True))
    today = datetime.now(ZoneInfo(hearthline.settings.timezone)).date()
    rows = [row.find("th").text for row in page.by_id("calls-table").find("tbody").find_all("tr")]
    weekdays = "월화수목금토일"
    # "2026년 3월 3일 화요일": year, month and day, then the weekday written out, as Korean readers expect.
    assert rows[-1] == f"{today.year}년 {today.month}월 {today.day}일 {weekdays[today.weekday()]}요일", rows
    labels = [text.text for text in page.by_id("calls").find_all("text")]
    assert labels[-2:] == [f"{today.month}월", f"{today.day}일 ({weekdays[today.weekday()]})"]  # "3월" over "3일 (화)"
