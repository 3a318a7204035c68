"""Read labelled utterance files (training corpus, bench sets): `intent<TAB>tag<TAB>text`, "-" = out of scope."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from intents.types import Intent, Locale

CORPUS_DIR = Path(__file__).parent / "corpus"
OUT_OF_SCOPE = "-"


class Tag(StrEnum):
    """How an example is phrased (the bench reports each separately)."""

    PLAIN = "plain"
    INDIRECT = "indirect"
    NOISY = "noisy"
    TRICKY = "tricky"


@dataclass(frozen=True)
class Example:
    """One labelled utterance: the intent it means (None = out of scope), how it is phrased, the text."""

    expected: Intent | None
    tag: str
    text: str
    locale: Locale


def read_examples(path: Path, locale: Locale) -> list[Example]:
    """Every example line of `path`; '#' lines and blank lines are skipped."""
    examples = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        expected, tag, text = line.split("\t", 2)
        examples.append(Example(None if expected == OUT_OF_SCOPE else Intent(expected), tag, text.strip(), locale))
    return examples


def corpus_files(directory: Path = CORPUS_DIR) -> dict[Locale, Path]:
    """The training corpus, one file a locale (intents/corpus/<locale>.tsv)."""
    return {loc: directory / f"{loc.value}.tsv" for loc in Locale if (directory / f"{loc.value}.tsv").exists()}
