"""Follow TwiML as Twilio would (pure): what the caller hears, what input is awaited, where the call goes next.

A simulator (the browser phone, a command-line call) reads each webhook answer with `step()`: the prompts to
play, then either a wait for the caller (keys or a recording), a redirect to follow at once, a dial, or the
end of the call. The verbs after a wait are kept as `rest`, because Twilio runs them when the caller gives
no input (an empty <Gather> without actionOnEmptyResult, an empty <Record>).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urljoin, urlsplit

# Twilio's documented defaults (TwiML <Gather>, <Record>, <Dial> reference pages).
GATHER_TIMEOUT_DEFAULT = 5
GATHER_FINISH_DEFAULT = "#"
RECORD_TIMEOUT_DEFAULT = 5
RECORD_MAX_LENGTH_DEFAULT = 3600
RECORD_FINISH_DEFAULT = "1234567890*#"


class BadTwiml(ValueError):
    """The answer is not TwiML a phone call could follow."""


class ForeignUrl(ValueError):
    """A redirect or action points away from our own public address."""


class PromptKind(StrEnum):
    PLAY = "play"
    SAY = "say"
    PAUSE = "pause"


class WaitKind(StrEnum):
    KEYS = "keys"  # <Gather input="dtmf">
    RECORD = "record"  # <Record>
    DIAL = "dial"  # <Dial>: ringing someone; the action hears how it went
    STREAM = "stream"  # <Connect><Stream>: the call's audio goes over a WebSocket; the action follows its end


class EndKind(StrEnum):
    HANGUP = "hangup"
    REJECT = "reject"
    END_OF_DOCUMENT = "end_of_document"  # Twilio hangs up when the verbs run out


@dataclass(frozen=True)
class Prompt:
    kind: PromptKind
    url: str = ""
    text: str = ""
    language: str = ""
    seconds: float = 0.0


@dataclass(frozen=True)
class Wait:
    """What the call waits for, and where the answer is posted (None: the current document, Twilio's default)."""

    kind: WaitKind
    action: str | None
    method: str = "POST"
    timeout: int = 0
    num_digits: int | None = None
    finish_on_key: str = ""
    max_length: int = 0
    action_on_empty_result: bool = False
    number: str = ""  # for DIAL
    url: str = ""  # for STREAM: the wss:// address
    parameters: tuple[tuple[str, str], ...] = ()  # for STREAM: the <Parameter>s, handed back in `start`


@dataclass(frozen=True)
class Step:
    """One stretch of a call: prompts, then exactly one of wait / redirect / end."""

    prompts: tuple[Prompt, ...]
    wait: Wait | None = None
    redirect: str | None = None
    redirect_method: str = "POST"
    end: EndKind | None = None
    rest: str = ""  # TwiML of the verbs after `wait` (what runs on no input)
    messages: tuple[str, ...] = ()  # <Message> bodies (messaging TwiML)


def parse(twiml: str | bytes) -> list[ET.Element]:
    """The verbs of a TwiML document; raises BadTwiml unless it is a <Response>."""
    try:
        root = ET.fromstring(twiml)
    except ET.ParseError as exc:
        raise BadTwiml(f"not XML: {exc}") from None
    if root.tag != "Response":
        raise BadTwiml(f"expected <Response>, got <{root.tag}>")
    return list(root)


def _text(element: ET.Element) -> str:
    """All the words of a <Say>, SSML children (<prosody>, <say-as>, <break>) included."""
    return " ".join(" ".join(element.itertext()).split())


def _int(element: ET.Element, name: str, default: int) -> int:
    raw = element.get(name, "")
    return int(raw) if raw.strip().isdecimal() else default


def _prompt(element: ET.Element) -> Prompt | None:
    if element.tag == "Play":
        return Prompt(PromptKind.PLAY, url=(element.text or "").strip())
    if element.tag == "Say":
        return Prompt(PromptKind.SAY, text=_text(element), language=element.get("language", "en-US"))
    if element.tag == "Pause":
        return Prompt(PromptKind.PAUSE, seconds=float(_int(element, "length", 1)))
    return None


def _rest(verbs: list[ET.Element]) -> str:
    root = ET.Element("Response")
    root.extend(verbs)
    return ET.tostring(root, encoding="unicode")


def step(verbs: list[ET.Element]) -> Step:
    """Read verbs in order up to the first that waits for the caller, moves the call, or ends it."""
    prompts: list[Prompt] = []
    messages: list[str] = []
    for index, verb in enumerate(verbs):
        prompt = _prompt(verb)
        if prompt is not None:
            prompts.append(prompt)
            continue
        after = verbs[index + 1 :]
        if verb.tag == "Message":
            messages.append(_text(verb))
            continue
        if verb.tag == "Gather":
            prompts.extend(p for p in (_prompt(child) for child in verb) if p is not None)
            num_digits = _int(verb, "numDigits", 0) or None
            wait = Wait(
                WaitKind.KEYS,
                action=verb.get("action"),
                method=verb.get("method", "POST").upper(),
                timeout=_int(verb, "timeout", GATHER_TIMEOUT_DEFAULT),
                num_digits=num_digits,
                finish_on_key=verb.get("finishOnKey", GATHER_FINISH_DEFAULT),
                action_on_empty_result=verb.get("actionOnEmptyResult", "false").lower() == "true",
            )
            return Step(tuple(prompts), wait=wait, rest=_rest(after), messages=tuple(messages))
        if verb.tag == "Record":
            wait = Wait(
                WaitKind.RECORD,
                action=verb.get("action"),
                method=verb.get("method", "POST").upper(),
                timeout=_int(verb, "timeout", RECORD_TIMEOUT_DEFAULT),
                max_length=_int(verb, "maxLength", RECORD_MAX_LENGTH_DEFAULT),
                finish_on_key=verb.get("finishOnKey", RECORD_FINISH_DEFAULT),
            )
            return Step(tuple(prompts), wait=wait, rest=_rest(after), messages=tuple(messages))
        if verb.tag == "Dial":
            number = (verb.findtext("Number") or verb.text or "").strip()
            wait = Wait(
                WaitKind.DIAL,
                action=verb.get("action"),
                method=verb.get("method", "POST").upper(),
                timeout=_int(verb, "timeout", 30),
                number=number,
            )
            return Step(tuple(prompts), wait=wait, rest=_rest(after), messages=tuple(messages))
        if verb.tag == "Connect":
            stream = verb.find("Stream")
            if stream is None or not stream.get("url"):
                raise BadTwiml("<Connect> without a <Stream url>")
            parameters = tuple((p.get("name", ""), p.get("value", "")) for p in stream.findall("Parameter"))
            wait = Wait(
                WaitKind.STREAM,
                action=verb.get("action"),
                method=verb.get("method", "POST").upper(),
                url=stream.get("url", ""),
                parameters=parameters,
            )
            return Step(tuple(prompts), wait=wait, rest=_rest(after), messages=tuple(messages))
        if verb.tag == "Redirect":
            target = (verb.text or "").strip()
            if not target:
                raise BadTwiml("<Redirect> without a URL")
            return Step(
                tuple(prompts),
                redirect=target,
                redirect_method=verb.get("method", "POST").upper(),
                messages=tuple(messages),
            )
        if verb.tag in {"Hangup", "Reject"}:
            end = EndKind.HANGUP if verb.tag == "Hangup" else EndKind.REJECT
            return Step(tuple(prompts), end=end, messages=tuple(messages))
        raise BadTwiml(f"unsupported verb <{verb.tag}>")
    return Step(tuple(prompts), end=EndKind.END_OF_DOCUMENT, messages=tuple(messages))


def local_path(public_base_url: str, document_url: str, target: str | None) -> str:
    """The path and query of an action or redirect, resolved as Twilio does against the current document.

    Raises ForeignUrl when it leaves our public address (a simulator never posts anywhere else).
    """
    absolute = urljoin(document_url, target) if target else document_url
    base = urlsplit(public_base_url.rstrip("/") + "/")
    found = urlsplit(absolute)
    if (found.scheme, found.netloc) != (base.scheme, base.netloc) or not found.path.startswith(base.path):
        raise ForeignUrl(f"{absolute} is not under {public_base_url}")
    return found.path + (f"?{found.query}" if found.query else "")


def play_path(public_base_url: str, url: str) -> str:
    """A <Play> URL on our own address as a path (a browser on another address fetches it from us)."""
    try:
        return local_path(public_base_url, public_base_url, url)
    except ForeignUrl:
        return url
