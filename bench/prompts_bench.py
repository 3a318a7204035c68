"""Measure prompt synthesis per engine side by side: ms per prompt per locale (median, p95), failures, cache hits."""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from app import create_schema
from care.db import Database
from care.ports import Synthesizer
from care.settings import TtsEngine, load_settings
from i18n import messages
from prompts import catalog
from prompts.audio import PromptAudio
from prompts.audio_processing import wav_seconds
from prompts.pyttsx3_tts import Pyttsx3Synthesizer
from prompts.tts import EspeakSynthesizer, SynthesisFailed

# The bench builds its adapters itself (as app.py does), so one run can put both engines side by side.
ENGINES: dict[TtsEngine, Callable[[], Synthesizer]] = {
    TtsEngine.ESPEAK: EspeakSynthesizer,
    TtsEngine.PYTTSX3: Pyttsx3Synthesizer,
}
# Web threads asking for uncached prompts at the same time (a busy hour's dynamic prompts).
THREADS = 4
HEADER = (
    f"{'engine':<9}{'locale':<7}{'prompts':>8}{'failed':>7}{'median ms':>11}{'p95 ms':>9}{'max ms':>9}"
    f"{'audio s':>9}{'KiB':>7}"
)


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _row(engine: str, locale: str, times: list[float], failed: int, seconds: float, size: float) -> str:
    if not times:
        return f"{engine:<9}{locale:<7}{0:>8}{failed:>7}{'-':>11}{'-':>9}{'-':>9}{seconds:>9.1f}{size / 1024:>7.0f}"
    return (
        f"{engine:<9}{locale:<7}{len(times):>8}{failed:>7}{statistics.median(times):>11.1f}"
        f"{_percentile(times, 0.95):>9.1f}{max(times):>9.1f}{seconds:>9.1f}{size / 1024:>7.0f}"
    )


def _bench_engine(engine: TtsEngine, rate: int | None, hits: int) -> list[str]:
    """Render every static prompt in every locale with one engine on an empty cache; the table rows."""
    synthesizer = ENGINES[engine]()
    lines: list[str] = []
    with tempfile.TemporaryDirectory(prefix="hearthline-bench-") as folder:
        overrides: dict[str, object] = {"data_dir": Path(folder), "secret_key": "bench-" + "x" * 32}
        if rate:
            overrides["speaking_rate_wpm"] = rate
        settings = load_settings(overrides, environ={})
        db = Database(settings.effective_database_url)
        create_schema(db, settings)
        voice = PromptAudio(settings, db, synthesizer)
        started = time.perf_counter()
        try:
            synthesizer.synthesize("Hello.", "en", settings.speaking_rate_wpm)  # starts pyttsx3's process
        except SynthesisFailed as exc:
            return [f"{engine.value:<9}cannot synthesise here: {exc}"]
        start_ms = (time.perf_counter() - started) * 1000
        prompts = catalog.static_prompts()
        items: list[tuple[str, str, str]] = []
        all_times: list[float] = []
        all_failed = 0
        total_seconds = total_bytes = 0.0
        for locale in messages.LOCALES:
            times: list[float] = []
            failed = 0
            size = seconds = 0.0
            for prompt in prompts:
                text = messages.translate(prompt.domain, prompt.key, locale)
                started = time.perf_counter()
                try:
                    rendered = voice.render(prompt.key, locale, text)
                except SynthesisFailed:
                    failed += 1
                    continue
                times.append((time.perf_counter() - started) * 1000)
                items.append((prompt.key, locale, text))
                data = rendered.path.read_bytes()
                size += len(data)
                seconds += wav_seconds(data)
            lines.append(_row(engine.value, locale, times, failed, seconds, size))
            all_times += times
            all_failed += failed
            total_seconds += seconds
            total_bytes += size
        lines.append(_row(engine.value, "all", all_times, all_failed, total_seconds, total_bytes))
        lookups: list[float] = []
        for index in range(hits if items else 0):
            key, locale, text = items[index % len(items)]
            started = time.perf_counter()
            voice.audio_url(key, locale, text)
            lookups.append((time.perf_counter() - started) * 1000)
        hit = f"cache hit median {statistics.median(lookups):.2f} ms" if lookups else "no cache hits timed"
        texts = [(locale, text) for _key, locale, text in items]
        rate = settings.speaking_rate_wpm
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=THREADS) as pool:
            list(pool.map(lambda item: synthesizer.synthesize(item[1], item[0], rate), texts))
        wall = time.perf_counter() - started
        lines.append(
            f"{'':<9}{voice.engine()}: start-up {start_ms:.0f} ms; {total_bytes / 1_048_576:.2f} MB, "
            f"{total_seconds / 60:.1f} min of audio; {hit}"
        )
        lines.append(
            f"{'':<9}{THREADS} threads at once (as busy web workers ask): {len(texts)} prompts in {wall:.1f} s, "
            f"{len(texts) / wall:.1f} prompts/s"
        )
        db.dispose()
    close = getattr(synthesizer, "close", None)
    if close is not None:
        close()
    return lines


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench prompts", description=__doc__)
    parser.add_argument("--rate", type=int, default=None, help="words per minute (default: the settings')")
    parser.add_argument("--hits", type=int, default=200, help="cache lookups to time per engine")
    parser.add_argument(
        "--engines", default=",".join(ENGINES), help=f"comma-separated, of {', '.join(ENGINES)} (default: all)"
    )
    args = parser.parse_args(argv)
    try:
        engines = [TtsEngine(name.strip()) for name in args.engines.split(",") if name.strip()]
    except ValueError as exc:
        parser.error(str(exc))
    print(f"{len(catalog.static_prompts())} static prompts per locale, each rendered once on an empty cache")
    print()
    print(HEADER)
    print("-" * len(HEADER))
    for engine in engines:
        for line in _bench_engine(engine, args.rate, args.hits):
            print(line)
        print("-" * len(HEADER))
    return 0
