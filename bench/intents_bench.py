"""Measure the intent engine against a plain rapidfuzz baseline on the evaluation set in bench/data."""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz import process, utils

from intents import Decision, Intent, Locale, match
from intents.catalog import load

DATA = Path(__file__).parent / "data"
# The baseline accepts the nearest catalog phrase when its WRatio similarity reaches this, else rejects.
BASELINE_CUTOFF = 85.0
LATENCY_REPEATS = 5
# The tuning set (written with the catalogs) and the held-out set (written independently, never used for tuning).
EVAL_STEM = "intents_eval"
HELDOUT_STEM = "intents_heldout"
HELDOUT_TITLE = "held-out set, not used for tuning"


@dataclass(frozen=True)
class Case:
    """One evaluation utterance: expected intent (None = out of scope), kind (clean/noisy/oos) and text."""

    expected: Intent | None
    kind: str
    text: str


@dataclass(frozen=True)
class Outcome:
    """What a matcher said about one case."""

    intent: Intent | None
    decision: Decision


@dataclass(frozen=True)
class Report:
    """Quality and speed of one matcher on one locale."""

    n: int
    in_scope_accuracy: float
    emergency_recall: float
    wrong_accept_rate: float
    oos_rejection: float
    p50_ms: float
    p99_ms: float
    misses: tuple[tuple[Case, Outcome], ...]
    # CPU time of the matching thread: on a shared machine wall-clock p99 mostly measures preemption by other
    # processes (a ~5 ms scheduler slice), while this is what the engine itself costs.
    p99_cpu_ms: float = 0.0


def load_cases(locale: Locale, stem: str = EVAL_STEM) -> list[Case]:
    """Read bench/data/<stem>_<locale>.tsv (expected<TAB>kind<TAB>text, "-" = out of scope)."""
    cases = []
    for line in (DATA / f"{stem}_{locale.value}.tsv").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        expected, kind, text = line.split("\t", 2)
        cases.append(Case(None if expected == "-" else Intent(expected), kind, text))
    return cases


def engine(locale: Locale) -> Callable[[str], Outcome]:
    """The intent engine as a matcher."""

    def run(text: str) -> Outcome:
        result = match(text, locale)
        return Outcome(result.intent, result.decision)

    return run


def baseline(locale: Locale) -> Callable[[str], Outcome]:
    """rapidfuzz.process.extractOne over all catalog phrases with a fixed cutoff: accept or reject."""
    catalog = load(locale)
    choices = [p.surface for p in catalog.phrases]
    intents = [p.intent for p in catalog.phrases]

    def run(text: str) -> Outcome:
        found = process.extractOne(text, choices, processor=utils.default_process, score_cutoff=BASELINE_CUTOFF)
        if found is None:
            return Outcome(None, Decision.REJECT)
        return Outcome(intents[found[2]], Decision.ACCEPT)

    return run


def _pct(part: int, whole: int) -> float:
    return 100.0 * part / whole if whole else float("nan")


def evaluate(cases: Sequence[Case], matcher: Callable[[str], Outcome]) -> Report:
    """Run every case, then time each one a few more times for the latency percentiles."""
    outcomes = [matcher(case.text) for case in cases]
    timings: list[float] = []
    cpu: list[float] = []
    for _ in range(LATENCY_REPEATS):
        for case in cases:
            start, cpu_start = time.perf_counter(), time.thread_time()
            matcher(case.text)
            cpu.append((time.thread_time() - cpu_start) * 1000.0)
            timings.append((time.perf_counter() - start) * 1000.0)
    timings.sort()
    cpu.sort()
    in_scope = [(c, o) for c, o in zip(cases, outcomes, strict=True) if c.expected is not None]
    oos = [(c, o) for c, o in zip(cases, outcomes, strict=True) if c.expected is None]
    emergencies = [(c, o) for c, o in in_scope if c.expected is Intent.EMERGENCY]
    understood = sum(o.intent == c.expected and o.decision is not Decision.REJECT for c, o in in_scope)
    wrong_accepts = sum(
        o.decision is Decision.ACCEPT and o.intent != c.expected for c, o in zip(cases, outcomes, strict=True)
    )
    misses = tuple(
        (c, o)
        for c, o in zip(cases, outcomes, strict=True)
        if (c.expected is None and o.decision is not Decision.REJECT)
        or (c.expected is not None and (o.intent != c.expected or o.decision is Decision.REJECT))
    )
    return Report(
        n=len(cases),
        in_scope_accuracy=_pct(understood, len(in_scope)),
        emergency_recall=_pct(
            sum(o.intent is Intent.EMERGENCY and o.decision is not Decision.REJECT for _, o in emergencies),
            len(emergencies),
        ),
        wrong_accept_rate=_pct(wrong_accepts, len(cases)),
        oos_rejection=_pct(sum(o.decision is Decision.REJECT for _, o in oos), len(oos)),
        p50_ms=statistics.median(timings),
        p99_ms=timings[min(len(timings) - 1, int(0.99 * len(timings)))],
        misses=misses,
        p99_cpu_ms=cpu[min(len(cpu) - 1, int(0.99 * len(cpu)))],
    )


HEADER = (
    f"{'locale':<7}{'matcher':<10}{'n':>5}{'in-scope':>10}{'emerg.rec':>11}{'wrong-acc':>11}"
    f"{'oos-rej':>9}{'p50 ms':>9}{'p99 ms':>9}{'cpu p99':>9}"
)


def _row(locale: Locale, name: str, r: Report) -> str:
    return (
        f"{locale.value:<7}{name:<10}{r.n:>5}{r.in_scope_accuracy:>9.1f}%{r.emergency_recall:>10.1f}%"
        f"{r.wrong_accept_rate:>10.1f}%{r.oos_rejection:>8.1f}%{r.p50_ms:>9.3f}{r.p99_ms:>9.3f}{r.p99_cpu_ms:>9.3f}"
    )


def _table(locales: Sequence[Locale], stem: str, as_json: bool, extra: dict[str, str]) -> list[str]:
    """Print one row per locale and matcher for bench/data/<stem>_*.tsv; return the engine's misses as lines."""
    missed: list[str] = []
    for locale in locales:
        cases = load_cases(locale, stem)
        for name, factory in (("engine", engine), ("baseline", baseline)):
            report = evaluate(cases, factory(locale))
            if as_json:
                fields = {k: v for k, v in report.__dict__.items() if k != "misses"}
                print(json.dumps({"locale": locale.value, "matcher": name, **extra, **fields}))
            else:
                print(_row(locale, name, report))
            if name == "engine":
                missed += [
                    f"  {locale.value} {c.expected or '-':<14} -> {o.intent or '-'} {o.decision}: {c.text}"
                    for c, o in report.misses
                ]
    return missed


def main(argv: list[str]) -> int:
    """Print one table (engine and baseline per locale), then the held-out table; --misses lists the engine's misses.

    --heldout prints only the held-out table. --json keeps its rows to the tuning set unless --heldout is given,
    then it prints the held-out rows only, each tagged "set": "heldout".
    """
    parser = argparse.ArgumentParser(prog="python -m bench intents", description=__doc__)
    parser.add_argument("--locale", action="append", choices=[loc.value for loc in Locale])
    parser.add_argument("--misses", action="store_true", help="list the engine's misses")
    parser.add_argument("--json", action="store_true", help="print the reports as JSON lines instead")
    parser.add_argument("--heldout", action="store_true", help=f"evaluate only the {HELDOUT_TITLE}")
    args = parser.parse_args(argv)
    locales = [Locale(v) for v in args.locale] if args.locale else list(Locale)
    print("targets: in-scope >= 95%, emergency recall 100%, wrong accepts <= 1%, oos rejection >= 90%, p99 < 2 ms")
    if not args.heldout:
        print(HEADER)
        missed = _table(locales, EVAL_STEM, args.json, {})
        if args.misses:
            print("engine misses:")
            print("\n".join(missed) or "  none")
        if args.json:
            return 0
        print()
    print(f"{HELDOUT_TITLE}:")
    print(HEADER)
    missed = _table(locales, HELDOUT_STEM, args.json, {"set": "heldout"} if args.json else {})
    if args.misses:
        print(f"engine misses ({HELDOUT_TITLE}):")
        print("\n".join(missed) or "  none")
    return 0
