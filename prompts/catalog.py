"""The static prompts (voice sentences without parameters), each with a stable number staff dial to pick it.

Pure: reads the message catalogs and prompts/numbers.tsv, nothing else. A number, once given to a key, is never
given to another key, even after the key is removed (its row stays), so a printed list staff keep by the phone
never goes wrong.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from pathlib import Path

from i18n import messages

NUMBERS_FILE = Path(__file__).parent / "numbers.tsv"
# Domains whose parameter-free sentences are spoken and staff may record: what callers hear, and the staff
# recording line's own instructions. Other domains are texted.
PROMPT_DOMAINS = ("voice", "staffline")
# Three-digit numbers, so staff type every prompt number the same way; callers' prompts take 100-899 and the
# staff line's own instructions 900-999, so the ones that matter most have the low numbers.
NUMBER_RANGES = {"voice": range(100, 900), "staffline": range(900, 1000)}


class NumberingError(ValueError):
    """numbers.tsv is malformed, or gives one number to two keys or two numbers to one key."""


@dataclass(frozen=True)
class StaticPrompt:
    """A sentence callers hear that never changes between calls, so it can be pre-rendered or recorded."""

    number: int
    domain: str
    key: str


def placeholders(text: str) -> frozenset[str]:
    """The {named} parameters of a catalog text."""
    return frozenset(name for _, name, _, _ in string.Formatter().parse(text) if name is not None)


def static_keys(domain: str) -> list[str]:
    """Keys of `domain` whose English text has no parameters (empty when the domain has no catalog yet)."""
    if not messages.catalog_path("en", domain).exists() and not messages.catalog_path("en", domain, ".mo").exists():
        return []
    return [key for key in messages.keys(domain) if not placeholders(messages.translate(domain, key, "en"))]


def read_numbers(path: Path = NUMBERS_FILE) -> dict[str, int]:
    """key -> number from the data file (lines `number<TAB>key`; # starts a comment)."""
    numbers: dict[str, int] = {}
    seen: dict[int, str] = {}
    if not path.exists():
        return numbers
    for line_number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split("\t")
        if len(parts) != 2 or not parts[0].isdecimal() or not parts[1].strip():
            raise NumberingError(f"{path.name} line {line_number}: expected 'number<TAB>key', got {line!r}")
        number, key = int(parts[0]), parts[1].strip()
        if number in seen:
            raise NumberingError(f"{path.name} line {line_number}: number {number} is already {seen[number]}")
        if key in numbers:
            raise NumberingError(f"{path.name} line {line_number}: {key} already has number {numbers[key]}")
        numbers[key] = number
        seen[number] = key
    return numbers


def static_prompts(path: Path = NUMBERS_FILE) -> list[StaticPrompt]:
    """Every numbered static prompt of the prompt domains, by number (unnumbered keys are left out)."""
    numbers = read_numbers(path)
    found = [
        StaticPrompt(numbers[key], domain, key)
        for domain in PROMPT_DOMAINS
        for key in static_keys(domain)
        if key in numbers
    ]
    return sorted(found, key=lambda prompt: prompt.number)


def unnumbered(path: Path = NUMBERS_FILE) -> list[str]:
    """Static prompt keys that have no number yet (a test fails while any exists)."""
    numbers = read_numbers(path)
    return [key for domain in PROMPT_DOMAINS for key in static_keys(domain) if key not in numbers]


def by_number(number: int, path: Path = NUMBERS_FILE) -> StaticPrompt | None:
    return next((prompt for prompt in static_prompts(path) if prompt.number == number), None)


def by_key(key: str, path: Path = NUMBERS_FILE) -> StaticPrompt | None:
    return next((prompt for prompt in static_prompts(path) if prompt.key == key), None)


def assign_numbers(path: Path = NUMBERS_FILE) -> list[StaticPrompt]:
    """Give every unnumbered static prompt the next free number, appending to the file; return the new ones."""
    numbers = read_numbers(path)
    added: list[StaticPrompt] = []
    for domain in PROMPT_DOMAINS:
        span = NUMBER_RANGES[domain]
        next_number = max([span.start - 1, *(n for n in numbers.values() if n in span)]) + 1
        for key in static_keys(domain):
            if key not in numbers:
                if next_number not in span:
                    raise NumberingError(f"no free prompt numbers left for the {domain} domain")
                added.append(StaticPrompt(next_number, domain, key))
                numbers[key] = next_number
                next_number += 1
    if added:
        existing = path.read_text(encoding="utf-8") if path.exists() else _HEADER
        if existing and not existing.endswith("\n"):
            existing += "\n"
        path.write_text(existing + "".join(f"{p.number}\t{p.key}\n" for p in added), encoding="utf-8")
    return added


_HEADER = (
    "# Stable numbers staff dial on the recording line to pick a prompt: number<TAB>key.\n"
    "# Append only (python -m prompts.catalog assigns new ones); never renumber or reuse a number.\n"
)


if __name__ == "__main__":
    for prompt in assign_numbers():
        print(f"{prompt.number}\t{prompt.key}")
