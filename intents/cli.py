"""The intent engine's command line: `python -m intents match --locale L` reads lines, writes JSON lines."""

from __future__ import annotations

import argparse
import io
import json
import sys
from collections.abc import Sequence
from typing import TextIO

from intents.locale import parse_locale
from intents.matcher import match
from intents.types import Decision, Intent, Match, UnknownLocale

# Exit status for a usage error, as argparse uses.
EXIT_USAGE = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m intents", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("match", help="match one utterance per stdin line; one JSON object per stdout line")
    run.add_argument("--locale", required=True, help="en, zh, ko or es (tags like zh-CN, es-419 are accepted)")
    run.add_argument(
        "--expect",
        default="",
        help="comma-separated intents this turn expects (emergency and operator are always considered)",
    )
    return parser


def run_match(locale_name: str, expect: str, stdin: TextIO, stdout: TextIO, stderr: TextIO) -> int:
    """Match every stdin line and print its JSON; an unknown locale or intent is an error with exit code 2."""
    try:
        locale = parse_locale(locale_name)
    except UnknownLocale as exc:
        print(f"error: {exc}", file=stderr)
        return EXIT_USAGE
    expected: set[Intent] | None = None
    if expect.strip():
        try:
            expected = {Intent(name.strip()) for name in expect.split(",") if name.strip()}
        except ValueError as exc:
            print(f"error: {exc}", file=stderr)
            return EXIT_USAGE
    for line in stdin:
        text = line.rstrip("\r\n")
        result = match(text, locale, expected) if text.strip() else Match(None, 0.0, Decision.REJECT, ())
        stdout.write(json.dumps(result.to_json(), ensure_ascii=False) + "\n")
        stdout.flush()  # a caller may hold the pipe open and wait for each answer
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of `python -m intents`."""
    args = _parser().parse_args(argv)
    # The contract is UTF-8 lines whatever the environment's locale (cron and containers often run with C/ASCII).
    for stream in (sys.stdin, sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(encoding="utf-8", errors="replace")
    if args.command == "match":
        return run_match(args.locale, args.expect, sys.stdin, sys.stdout, sys.stderr)
    return EXIT_USAGE  # pragma: no cover - argparse rejects unknown commands first
