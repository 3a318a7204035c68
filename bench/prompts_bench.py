"""Measure prompt synthesis: time per prompt per locale (median, p95), the rendered set's size, cache hit time."""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from app import create_schema
from care.db import Database
from care.settings import load_settings
from prompts import catalog, messages
from prompts.audio import PromptAudio
from prompts.audio_processing import wav_seconds
from prompts.tts import EspeakSynthesizer


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench prompts", description=__doc__)
    parser.add_argument("--rate", type=int, default=None, help="words per minute (default: the settings')")
    parser.add_argument("--hits", type=int, default=200, help="cache lookups to time")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="hearthline-bench-") as folder:
        overrides: dict[str, object] = {"data_dir": Path(folder), "secret_key": "bench-" + "x" * 32}
        if args.rate:
            overrides["speaking_rate_wpm"] = args.rate
        settings = load_settings(overrides, environ={})
        db = Database(settings.effective_database_url)
        create_schema(db, settings)
        voice = PromptAudio(settings, db, EspeakSynthesizer())
        prompts = catalog.static_prompts()
        print(f"espeak-ng: {voice.engine()}; {len(prompts)} static prompts; {settings.speaking_rate_wpm} wpm")
        print()
        header = f"{'locale':<7}{'prompts':>8}{'median ms':>11}{'p95 ms':>9}{'max ms':>9}{'audio s':>9}{'KiB':>9}"
        print(header)
        print("-" * len(header))
        items: list[tuple[str, str, str]] = []
        total_bytes = total_seconds = 0.0
        all_times: list[float] = []
        for locale in messages.LOCALES:
            times: list[float] = []
            size = seconds = 0.0
            for prompt in prompts:
                text = messages.translate(prompt.domain, prompt.key, locale)
                items.append((prompt.key, locale, text))
                started = time.perf_counter()
                rendered = voice.render(prompt.key, locale, text)
                times.append((time.perf_counter() - started) * 1000)
                data = rendered.path.read_bytes()
                size += len(data)
                seconds += wav_seconds(data)
            all_times += times
            total_bytes += size
            total_seconds += seconds
            print(
                f"{locale:<7}{len(times):>8}{statistics.median(times):>11.1f}{_percentile(times, 0.95):>9.1f}"
                f"{max(times):>9.1f}{seconds:>9.1f}{size / 1024:>9.0f}"
            )
        print("-" * len(header))
        print(
            f"{'all':<7}{len(all_times):>8}{statistics.median(all_times):>11.1f}"
            f"{_percentile(all_times, 0.95):>9.1f}{max(all_times):>9.1f}{total_seconds:>9.1f}{total_bytes / 1024:>9.0f}"
        )
        print()
        hits: list[float] = []
        for index in range(args.hits):
            key, locale, text = items[index % len(items)]
            started = time.perf_counter()
            url = voice.audio_url(key, locale, text)
            hits.append((time.perf_counter() - started) * 1000)
            assert url is not None
        print(
            f"rendered set: {len(items)} files, {total_bytes / 1_048_576:.2f} MB, {total_seconds / 60:.1f} min of audio"
        )
        print(
            f"cache hit (audio_url, incl. recording lookup): median {statistics.median(hits):.2f} ms, "
            f"p95 {_percentile(hits, 0.95):.2f} ms over {len(hits)} lookups"
        )
        db.dispose()
    return 0
