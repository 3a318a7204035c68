"""Compile every i18n/locales/*/LC_MESSAGES/*.po into .mo (run by make); fails on a broken catalog."""

from __future__ import annotations

import sys

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from i18n.messages import LOCALES_DIR


def compile_all() -> int:
    """Compile each catalog whose .mo is missing or older; return how many were written."""
    written = 0
    for po in sorted(LOCALES_DIR.glob("*/LC_MESSAGES/*.po")):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as handle:
            catalog = read_po(handle, locale=po.parts[-3], domain=po.stem)
        with mo.open("wb") as handle:
            write_mo(handle, catalog)
        written += 1
    return written


if __name__ == "__main__":
    count = compile_all()
    print(f"compiled {count} message catalog(s)", file=sys.stderr)
