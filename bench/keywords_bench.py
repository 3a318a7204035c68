"""Audit the catalogs' strong words: how often each fires on sentences of its own intent and on the others.

A strong word is meant to settle an intent on its own ("plumber": a repair). One that fires mostly on sentences that
mean something else ("neighbour" in thanks for a neighbour's soup, "경로당" in "I played cards at the senior centre")
makes the matcher accept small talk; such a word belongs with the weak hints. Counted over the training corpus and
the readable bench sets (never the fresh set): `python -m bench keywords [--locale L] [--top N]`.
"""

from __future__ import annotations

import argparse
from collections import Counter
from collections.abc import Iterable

from bench.intents_bench import BLIND, SETS
from intents.catalog import STRONG
from intents.corpus import Example, read_examples
from intents.matcher import keywords_heard
from intents.types import SERVICES, Intent, Locale

Key = tuple[Intent, str]


def tally(examples: Iterable[Example]) -> tuple[Counter[Key], Counter[Key], Counter[Key]]:
    """For every service's strong word: sentences of its own intent, of another intent, and out of scope."""
    own: Counter[Key] = Counter()
    other: Counter[Key] = Counter()
    small_talk: Counter[Key] = Counter()
    for ex in examples:
        heard = {(i, words) for i, words, weight in keywords_heard(ex.text, ex.locale) if weight >= STRONG}
        for key in heard:
            if key[0] not in SERVICES:
                continue
            if ex.expected is None:
                small_talk[key] += 1
            elif ex.expected is key[0]:
                own[key] += 1
            else:
                other[key] += 1
    return own, other, small_talk


def suspects(
    own: Counter[Key], other: Counter[Key], small_talk: Counter[Key], least: int = 4
) -> list[tuple[Key, int, int, int]]:
    """Strong words that fire on at least `least` sentences of other meanings and on no more than half as many of
    their own, most lopsided first."""
    rows = [(k, own[k], other[k], small_talk[k]) for k in set(own) | set(other) | set(small_talk)]
    rows = [r for r in rows if r[2] + r[3] >= least and 2 * r[1] <= r[2] + r[3]]
    return sorted(rows, key=lambda r: (r[1] - r[2] - r[3], r[0][0].value, r[0][1]))


def main(argv: list[str]) -> int:
    """Print, per locale, the strong words that fire more on other sentences than on their own."""
    parser = argparse.ArgumentParser(prog="python -m bench keywords", description=__doc__)
    parser.add_argument("--locale", action="append", choices=[loc.value for loc in Locale])
    parser.add_argument("--top", type=int, default=25, help="rows a locale (default 25)")
    args = parser.parse_args(argv)
    for locale in [Locale(v) for v in args.locale] if args.locale else list(Locale):
        examples: list[Example] = []
        for name, path_of in SETS.items():
            path = path_of(locale)
            if name not in BLIND and path.exists():
                examples += read_examples(path, locale)
        rows = suspects(*tally(examples))
        print(f"{locale.value}: {len(examples)} sentences (corpus and readable bench sets); strong words firing more")
        print(f"on other sentences than on their own ({len(rows)}):")
        print(f"  {'intent':<14}{'words':<24}{'own':>5}{'other':>7}{'small talk':>12}")
        for (intent, words), own, other, talk in rows[: args.top]:
            print(f"  {intent.value:<14}{words:<24}{own:>5}{other:>7}{talk:>12}")
    return 0
