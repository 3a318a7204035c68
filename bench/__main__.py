"""Dispatch `python -m bench [name ...]` to a benchmark; with no name, run them all."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable

# name -> "module:function"; imported only when asked for, so one benchmark's heavy imports never slow another.
BENCHMARKS: dict[str, str] = {
    "console": "bench.console_bench:main",
    "intents": "bench.intents_bench:main",
    "keywords": "bench.keywords_bench:main",
    "load": "bench.load_bench:main",
    "open311": "bench.open311_bench:main",
    "outreach": "bench.outreach_bench:main",
    "prompts": "bench.prompts_bench:main",
    "sms": "bench.sms_bench:main",
    "speech": "bench.speech_bench:main",
    "stream": "bench.stream_bench:main",
    "voice": "bench.voice_bench:main",
}


def _load(target: str) -> Callable[[list[str]], int]:
    module_name, _, attr = target.partition(":")
    func: Callable[[list[str]], int] = getattr(importlib.import_module(module_name), attr)
    return func


def main(argv: list[str]) -> int:
    """Run the named benchmark with the remaining arguments, or every benchmark when none is named."""
    if argv and argv[0] in ("-h", "--help"):
        print(f"usage: python -m bench [{'|'.join(BENCHMARKS)}] [args...]")
        return 0
    if not argv:
        return max((_load(target)([]) for target in BENCHMARKS.values()), default=0)
    name, rest = argv[0], argv[1:]
    if name not in BENCHMARKS:
        print(f"unknown benchmark {name!r}; choose from: {', '.join(BENCHMARKS)}", file=sys.stderr)
        return 2
    return _load(BENCHMARKS[name])(rest)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
