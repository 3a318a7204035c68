"""Reading a family member's reminder text (pure): "remind mum pills 8pm", "提醒妈妈晚上8点吃药",
"엄마 약 알림 저녁 8시", "recordar mamá pastillas 20:00"; "reminders" to list them; "cancel reminder 12".

Only the standard library: the words, times and dates each language writes, folded to one command value. A
text that is not plainly one of these reads as None, and the SMS conversation takes it as usual (nothing is
lost: a longer text becomes a request a person reads). Guessing is left out on purpose: a time needs a clock
mark ("8pm", "20:00", "8点", "8시", "8 de la noche"), an appointment a day, and a text about the sender
themselves ("remind me") or saying not to ("don't remind") is not a command.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum


class What(StrEnum):
    """The kind of reminder (stored as outreach.reminder_tables.ReminderKind)."""

    MEDICATION = "medication"  # daily times
    APPOINTMENT = "appointment"  # one date-time, reminded a lead time before


class By(StrEnum):
    """How the senior is reminded (stored as outreach.reminder_tables.ReminderChannel)."""

    CALL = "call"
    SMS = "sms"


@dataclass(frozen=True)
class SetReminder:
    what: What
    by: By
    times: tuple[time, ...] = ()  # medication: every day at these times (the centre's clock)
    appointment: datetime | None = None  # appointment: when it is (the centre's clock, naive)
    text: str = ""  # the whole text, for naming the senior among several


@dataclass(frozen=True)
class ListReminders:
    pass


@dataclass(frozen=True)
class CancelReminder:
    number: int | None  # None: "cancel reminder" alone (the only one, else the list to pick from)


Command = SetReminder | ListReminders | CancelReminder


def fold(text: str) -> str:
    """NFKC (full-width digits and colons become ASCII), case-folded, Latin accents dropped (mamá = mama),
    spaces collapsed. Hangul survives: NFD splits it into jamo, which are letters, and NFC joins them again."""
    text = unicodedata.normalize("NFKC", text).casefold()
    bare = "".join(ch for ch in unicodedata.normalize("NFD", text) if unicodedata.category(ch) != "Mn")
    return " ".join(unicodedata.normalize("NFC", bare).split())


# --- the words --------------------------------------------------------------------------------------------
_TRIGGER = re.compile(
    r"\bremind(?:er|ers)?\b|\brecord(?:ar|arle|arles|atorio)\b|\brecuerd(?:a|ale|ele|enle)\b|提醒|알림|알려|리마인더"
)
# About the sender, or saying not to: not a reminder for a senior.
_NOT_A_COMMAND = re.compile(
    r"\bremind me\b|\brecuerdame\b|\brecordarme\b|提醒我|나한테|저한테|나에게|저에게"
    r"|\b(?:don'?t|do not|stop|no longer) remind|\bno (?:le |les )?(?:recuerd|record)"
    r"|不要提醒|别提醒|不用提醒|알리지 ?마"
)
_APPOINTMENT = re.compile(
    r"\b(?:appointment|appt|doctor'?s?|dr|gp|clinic|hospital|dentist|check-?up|cita|medico|doctora|consulta"
    r"|clinica|dentista|centro de salud)\b"
    r"|看病|看医生|医生|预约|复诊|医院|门诊|牙医|体检|병원|진료|예약|치과|검진|의원|약속"
)
_MEDICATION = re.compile(
    r"\b(?:pills?|tablets?|medications?|medicines?|meds|insulin|pastillas?|medicinas?|medicamentos?|medicacion"
    r"|pildoras?|insulina)\b|药|(?<!예)약(?!속|국)|복용|인슐린"
)
_BY_TEXT = re.compile(r"\b(?:text|texts|sms|message|mensaje|texto|por escrito)\b|短信|发消息|发信息|문자")

_LIST = frozenset(
    {
        "reminders",
        "my reminders",
        "list reminders",
        "show reminders",
        "reminder list",
        "recordatorios",
        "mis recordatorios",
        "ver recordatorios",
        "lista de recordatorios",
        "我的提醒",
        "提醒列表",
        "查看提醒",
        "所有提醒",
        "알림 목록",
        "알림목록",
        "내 알림",
        "알림 보기",
    }
)
_CANCEL = (
    re.compile(r"^(?:cancel|stop|delete|remove|end) (?:the |my )?reminders?(?: #?(\d{1,9}))?$"),
    re.compile(r"^(?:cancelar|borrar|quitar|parar|eliminar) (?:el )?recordatorio(?: #?(\d{1,9}))?$"),
    re.compile(r"^(?:取消|删除|停止)提醒(?: ?(?:编号)? ?#?(\d{1,9}))?$"),
    re.compile(r"^알림 ?(?:취소|삭제|중지)(?: ?#?(\d{1,9}) ?번?)?$"),
    re.compile(r"^#?(\d{1,9}) ?번 ?알림 ?(?:취소|삭제|중지)$"),
)
_END_PUNCTUATION = " .!?,;:¡¿。！？，、~"

# --- clock times ------------------------------------------------------------------------------------------
_AM, _NOON, _PM, _NIGHT = "am", "noon", "pm", "night"
_ZH_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_KO_HOURS = {
    "한": 1,
    "두": 2,
    "세": 3,
    "네": 4,
    "다섯": 5,
    "여섯": 6,
    "일곱": 7,
    "여덟": 8,
    "아홉": 9,
    "열": 10,
    "열한": 11,
    "열두": 12,
}
_PERIOD_WORDS = {
    # Chinese and Korean periods come before the hour; English and Spanish ones after it.
    "早上": _AM,
    "早晨": _AM,
    "上午": _AM,
    "清晨": _AM,
    "凌晨": _AM,
    "中午": _NOON,
    "下午": _PM,
    "傍晚": _PM,
    "晚上": _NIGHT,
    "夜里": _NIGHT,
    "夜间": _NIGHT,
    "晚": _NIGHT,
    "아침": _AM,
    "오전": _AM,
    "새벽": _AM,
    "점심": _NOON,
    "낮": _NOON,
    "오후": _PM,
    "저녁": _PM,
    "밤": _NIGHT,
    "am": _AM,
    "a.m.": _AM,
    "in the morning": _AM,
    "pm": _PM,
    "p.m.": _PM,
    "in the afternoon": _PM,
    "in the evening": _PM,
    "at night": _NIGHT,
    "de la manana": _AM,
    "de la madrugada": _AM,
    "del mediodia": _NOON,
    "de la tarde": _PM,
    "de la noche": _NIGHT,
}
_ZH_NUMBER = r"\d{1,2}|[零一二两三四五六七八九十]{1,3}"
_ZH_TIME = re.compile(
    r"(早上|早晨|上午|清晨|凌晨|中午|下午|傍晚|晚上|夜里|夜间|晚)?\s*(" + _ZH_NUMBER + r")\s*[点點时時]"
    r"(?:\s*(半|(?:" + _ZH_NUMBER + r")\s*分?))?"
)
_KO_TIME = re.compile(
    r"(아침|오전|새벽|점심|낮|오후|저녁|밤)?\s*(\d{1,2}|열두|열한|다섯|여섯|일곱|여덟|아홉|한|두|세|네|열)\s*시"
    r"(?:\s*(반|\d{1,2}\s*분))?"
)
_LATIN_PERIOD = (
    r"(?P<period>a\.m\.|p\.m\.|am|pm|in the morning|in the afternoon|in the evening|at night"
    r"|de la manana|de la madrugada|del mediodia|de la tarde|de la noche)"
)
# "20:00", "8:30pm", "8.30 pm", "8 pm", "8 in the evening", "8 y media de la tarde", "20h", "20h30".
_LATIN_TIME = re.compile(
    r"(?<![\d:.])(?P<hour>\d{1,2})(?:[:.](?P<minute>\d{2})|(?P<h>h)(?P<after_h>\d{2})?|\s*y\s*(?P<half>media|cuarto))?"
    r"\s*(?:o'?clock\s*)?(?:" + _LATIN_PERIOD + r")?(?![\d:])"
)
_NOON_WORDS = re.compile(r"\b(?:noon|midday|mediodia)\b")

# --- days -------------------------------------------------------------------------------------------------
_MONTHS = {
    **{
        m: i
        for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)
    },
    **{
        m: i
        for i, m in enumerate(
            (
                "january",
                "february",
                "march",
                "april",
                "may",
                "june",
                "july",
                "august",
                "september",
                "october",
                "november",
                "december",
            ),
            1,
        )
    },
    "sept": 9,
    **{
        m: i
        for i, m in enumerate(
            (
                "enero",
                "febrero",
                "marzo",
                "abril",
                "mayo",
                "junio",
                "julio",
                "agosto",
                "septiembre",
                "octubre",
                "noviembre",
                "diciembre",
            ),
            1,
        )
    },
    "setiembre": 9,
}
_WEEKDAYS = {
    **{d: i for i, d in enumerate(("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"))},
    **{d: i for i, d in enumerate(("lunes", "martes", "miercoles", "jueves", "viernes", "sabado", "domingo"))},
    **{d: i for i, d in enumerate(("월요일", "화요일", "수요일", "목요일", "금요일", "토요일", "일요일"))},
}
_ZH_WEEKDAY = re.compile(r"(?:周|星期|礼拜)([一二三四五六日天])")
_ZH_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_MONTH_NAMES = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DAY_FIRST = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?(?: de)? (" + _MONTH_NAMES + r")\b\.?(?: (?:de )?(\d{4}))?")
_MONTH_FIRST = re.compile(r"\b(" + _MONTH_NAMES + r")\.? (\d{1,2})(?:st|nd|rd|th)?\b(?:,? (\d{4}))?")
_CJK_DATE = re.compile(r"(?:(\d{4})\s*[年년]\s*)?(\d{1,2})\s*[月월]\s*(\d{1,2})\s*[日号號일]")
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_RELATIVE = (
    (re.compile(r"\bday after tomorrow\b|\bpasado manana\b|后天|後天|모레"), 2),
    (re.compile(r"\btomorrow\b|(?<!la )(?<!por la )\bmanana\b|明天|내일"), 1),
    (re.compile(r"\btoday\b|\bhoy\b|今天|오늘"), 0),
)


# --- reading ----------------------------------------------------------------------------------------------
def read_command(text: str, now: datetime) -> Command | None:
    """The reminder command a text is, or None. `now` is the centre's clock (naive), for "tomorrow"."""
    folded = fold(text)
    whole = folded.strip(_END_PUNCTUATION)
    if whole in _LIST:
        return ListReminders()
    for pattern in _CANCEL:
        found = pattern.fullmatch(whole)
        if found:
            return CancelReminder(int(found.group(1)) if found.group(1) else None)
    if not _TRIGGER.search(folded) or _NOT_A_COMMAND.search(folded):
        return None
    by = By.SMS if _BY_TEXT.search(folded) else By.CALL
    if _APPOINTMENT.search(folded):
        day, rest = _day_in(folded, now.date())
        times = _times_in(rest)
        if day is None or len(times) != 1:
            return None
        moment = datetime.combine(day, times[0])
        if moment <= now and _named_weekday(folded):
            moment += timedelta(days=7)  # "on Friday" said on Friday afternoon: next week's
        if moment <= now:
            return None
        return SetReminder(What.APPOINTMENT, by, appointment=moment, text=text)
    if _MEDICATION.search(folded):
        times = _times_in(folded)
        if not times:
            return None
        return SetReminder(What.MEDICATION, by, times=times, text=text)
    return None


def _times_in(text: str) -> tuple[time, ...]:
    """Every clock time the text writes, in order of the day, each once."""
    found: set[time] = set()
    rest = text
    for pattern, reader in ((_ZH_TIME, _zh_time), (_KO_TIME, _ko_time), (_LATIN_TIME, _latin_time)):
        for match in pattern.finditer(rest):
            moment = reader(match)
            if moment is not None:
                found.add(moment)
        rest = pattern.sub(" ", rest)
    if _NOON_WORDS.search(rest):
        found.add(time(12, 0))
    return tuple(sorted(found))


def _on_clock(hour: int, minute: int, period: str | None) -> time | None:
    """An hour said with a part of the day ("8 in the evening", 晚上8点, 밤 12시) on the 24-hour clock."""
    if not 0 <= minute <= 59:
        return None
    if period is None:
        return time(hour, minute) if 0 <= hour <= 23 else None
    if not 1 <= hour <= 12:
        return None
    if period == _AM:
        hour = 0 if hour == 12 else hour
    elif period == _NOON:
        hour = hour if hour >= 11 else hour + 12  # 中午12点, 점심 1시 (1 p.m.)
    elif period == _PM:
        hour = hour if hour == 12 else hour + 12
    else:  # night: 晚上12点 and 밤 12시 are midnight, "at night" after 12 is the small hours
        hour = 0 if hour == 12 else (hour if hour <= 4 else hour + 12)
    return time(hour, minute)


def _zh_number(raw: str) -> int:
    if raw.isdecimal():
        return int(raw)
    if "十" in raw:
        tens, _, units = raw.partition("十")
        return (_ZH_DIGITS.get(tens, 1) if tens else 1) * 10 + (_ZH_DIGITS.get(units, 0) if units else 0)
    return _ZH_DIGITS.get(raw, -1) if len(raw) == 1 else -1


def _zh_time(match: re.Match[str]) -> time | None:
    period, hour, minutes = match.group(1), _zh_number(match.group(2)), match.group(3)
    minute = 0 if not minutes else 30 if minutes == "半" else _zh_number(minutes.rstrip("分").strip())
    return _on_clock(hour, minute, _PERIOD_WORDS.get(period) if period else None)


def _ko_time(match: re.Match[str]) -> time | None:
    period, raw, minutes = match.group(1), match.group(2), match.group(3)
    hour = int(raw) if raw.isdecimal() else _KO_HOURS[raw]
    minute = 0 if not minutes else 30 if minutes == "반" else int(minutes.rstrip("분").strip())
    return _on_clock(hour, minute, _PERIOD_WORDS.get(period) if period else None)


def _latin_time(match: re.Match[str]) -> time | None:
    minutes, half, period = match["minute"] or match["after_h"], match["half"], match["period"]
    if minutes is None and half is None and period is None and match["h"] is None:
        return None  # a bare number ("at 8", "2 pills") is no time: morning or evening is not guessed
    minute = int(minutes) if minutes else 30 if half == "media" else 15 if half == "cuarto" else 0
    return _on_clock(int(match["hour"]), minute, _PERIOD_WORDS.get(period) if period else None)


def _named_weekday(text: str) -> bool:
    return bool(_ZH_WEEKDAY.search(text)) or any(re.search(rf"\b{d}\b", text) for d in _WEEKDAYS)


def _day_in(text: str, today: date) -> tuple[date | None, str]:
    """The day an appointment is on, and the text without it (so its numbers are not read as times)."""
    for pattern, reader in (
        (_ISO_DATE, lambda m: (int(m.group(1)), int(m.group(2)), int(m.group(3)))),
        (_CJK_DATE, lambda m: (int(m.group(1) or 0), int(m.group(2)), int(m.group(3)))),
        (_DAY_FIRST, lambda m: (int(m.group(3) or 0), _MONTHS[m.group(2)], int(m.group(1)))),
        (_MONTH_FIRST, lambda m: (int(m.group(3) or 0), _MONTHS[m.group(1)], int(m.group(2)))),
    ):
        match = pattern.search(text)
        if match:
            year, month, day = reader(match)
            return _calendar_day(year, month, day, today), text[: match.start()] + " " + text[match.end() :]
    for pattern, ahead in _RELATIVE:
        match = pattern.search(text)
        if match:
            return today + timedelta(days=ahead), text[: match.start()] + " " + text[match.end() :]
    zh = _ZH_WEEKDAY.search(text)
    if zh:
        return _next_weekday(today, _ZH_WEEKDAYS[zh.group(1)]), text[: zh.start()] + " " + text[zh.end() :]
    for word, weekday in _WEEKDAYS.items():
        match = re.search(rf"\b{word}\b", text)
        if match:
            return _next_weekday(today, weekday), text[: match.start()] + " " + text[match.end() :]
    return None, text


def _calendar_day(year: int, month: int, day: int, today: date) -> date | None:
    """A written date; with no year, the next time it comes (today included)."""
    try:
        found = date(year or today.year, month, day)
        if not year and found < today:
            found = date(today.year + 1, month, day)
    except ValueError:
        return None
    return found


def _next_weekday(today: date, weekday: int) -> date:
    return today + timedelta(days=(weekday - today.weekday()) % 7)
