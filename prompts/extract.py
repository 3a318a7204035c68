"""Find the message keys the code uses (`translate("voice", "voice.greeting")`, `N_("sms", "sms.help")`).

`python -m prompts.extract` (make extract) writes one template per domain, i18n/locales/<domain>.pot, with
Babel, and lists keys the code uses that a catalog lacks and catalog keys no code uses. Keys built at run time
from an f-string (`translate("common", f"service.{intent}")`) count as a prefix: every key starting with the
literal part is used.
"""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, cast

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.pofile import write_po

from i18n import messages

ROOT = Path(__file__).resolve().parent.parent
SOURCE_DIRS = (
    "app.py",
    "intents",
    "i18n",
    "care",
    "web",
    "voice",
    "sms",
    "prompts",
    "outreach",
    "opendata",
    "console",
    "simulator",
)
# Functions whose first two arguments are (domain, key).
MARKERS = frozenset({"translate", "N_"})
# Domains whose keys start with the domain's name; a literal such as "voice.greeting" anywhere in the code is a
# use of that key, however the code passes it on (helpers like say("voice.greeting")). Common keys
# (service.meals) and web keys (people.added) have no such prefix and are found through translate(domain, ...).
PREFIXED_DOMAINS = frozenset({"voice", "sms", "notify", "staffline"})
_KEY = re.compile(r"[a-z][a-z0-9_]*(\.[a-z0-9_]+)+")
# Helpers that translate one key of a fixed domain: t("queue.title") in the staff console (Python and Jinja
# templates and the simulator page).
HELPERS = {"t": "web", "_t": "web"}
TEMPLATE_DIRS = ("console", "voice", "sms", "prompts", "simulator")
_TEMPLATE_CALL = re.compile(r"""\b(t)\(\s*["']([a-z][a-z0-9_.]*)["']""")


@dataclass(frozen=True)
class KeyUse:
    """One place the code names a key: exactly (`prefix` False) or as the literal start of an f-string."""

    domain: str
    key: str
    path: str
    line: int
    prefix: bool = False


def _name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _key_domain(value: str) -> str | None:
    """The domain a dotted key names by its first part (voice.greeting -> voice), if it looks like a key."""
    domain, dot, _ = value.partition(".")
    if not dot or domain not in PREFIXED_DOMAINS or not _KEY.fullmatch(value):
        return None
    return domain


def uses_in_source(source: str, path: str = "<string>") -> list[KeyUse]:
    """Every key one Python source names: marked calls, and any literal that is a domain-prefixed key."""
    found: dict[tuple[str, str, bool], KeyUse] = {}

    def add(use: KeyUse) -> None:
        found.setdefault((use.domain, use.key, use.prefix), use)

    for node in ast.walk(ast.parse(source, filename=path)):
        if isinstance(node, ast.Call) and _name(node.func) in HELPERS and node.args:
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str) and _KEY.fullmatch(first.value):
                add(KeyUse(HELPERS[_name(node.func)], first.value, path, node.lineno))
            elif isinstance(first, ast.JoinedStr) and first.values:
                head = first.values[0]
                if isinstance(head, ast.Constant) and isinstance(head.value, str) and head.value:
                    add(KeyUse(HELPERS[_name(node.func)], head.value, path, node.lineno, prefix=True))
        if isinstance(node, ast.Call) and _name(node.func) in MARKERS and len(node.args) >= 2:
            domain, key = node.args[0], node.args[1]
            if not (isinstance(domain, ast.Constant) and isinstance(domain.value, str)):
                continue
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                add(KeyUse(domain.value, key.value, path, node.lineno))
            elif isinstance(key, ast.JoinedStr) and key.values:
                head = key.values[0]
                if isinstance(head, ast.Constant) and isinstance(head.value, str) and head.value:
                    add(KeyUse(domain.value, head.value, path, node.lineno, prefix=True))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            if (domain_name := _key_domain(node.value)) is not None:
                add(KeyUse(domain_name, node.value, path, node.lineno))
        elif isinstance(node, ast.JoinedStr) and node.values:
            head = node.values[0]
            if isinstance(head, ast.Constant) and isinstance(head.value, str):
                stem = head.value.rstrip(".")
                if (domain_name := _key_domain(stem)) is not None or stem in PREFIXED_DOMAINS:
                    add(KeyUse(domain_name or stem, head.value, path, node.lineno, prefix=True))
    return sorted(found.values(), key=lambda use: (use.line, use.key))


def python_files(root: Path = ROOT) -> Iterator[Path]:
    for name in SOURCE_DIRS:
        target = root / name
        if target.is_file():
            yield target
        elif target.is_dir():
            yield from sorted(p for p in target.rglob("*.py") if "__pycache__" not in p.parts)


def uses_in_template(text: str, path: str = "<template>") -> list[KeyUse]:
    """Keys a Jinja template translates with t("key") / w("key"); "status." ~ name counts as a prefix."""
    found: list[KeyUse] = []
    for match in _TEMPLATE_CALL.finditer(text):
        key = match.group(2)
        line = text.count("\n", 0, match.start()) + 1
        found.append(KeyUse(HELPERS[match.group(1)], key, path, line, prefix=key.endswith(".")))
    return found


def uses_in_code(root: Path = ROOT) -> list[KeyUse]:
    """Every marked key in the product's code and templates (tests excluded: they may name keys on purpose)."""
    found: list[KeyUse] = []
    for path in python_files(root):
        found.extend(uses_in_source(path.read_text(encoding="utf-8"), str(path.relative_to(root))))
    for name in TEMPLATE_DIRS:
        for template in sorted((root / name).rglob("*.html")):
            found.extend(uses_in_template(template.read_text(encoding="utf-8"), str(template.relative_to(root))))
    return found


def babel_extract(
    fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: dict[str, Any]
) -> Iterator[tuple[int, str, str, list[str]]]:
    """A Babel extraction method: yields (line, function, key, comments) with the domain as a comment."""
    source = fileobj.read().decode(options.get("encoding", "utf-8"))
    for use in uses_in_source(source):
        if not use.prefix:
            yield use.line, "translate", use.key, [f"domain: {use.domain}"]


def missing_keys(uses: list[KeyUse]) -> list[KeyUse]:
    """Exact keys the code uses that the English catalog of their domain lacks."""
    known = {domain: set(messages.keys(domain)) for domain in messages.available_domains()}
    return [u for u in uses if not u.prefix and u.key not in known.get(u.domain, set())]


def unused_keys(uses: list[KeyUse]) -> dict[str, list[str]]:
    """Catalog keys no code names (exactly or by prefix), by domain."""
    unused: dict[str, list[str]] = {}
    for domain in messages.available_domains():
        exact = {u.key for u in uses if u.domain == domain and not u.prefix}
        prefixes = tuple(u.key for u in uses if u.domain == domain and u.prefix)
        left = [k for k in messages.keys(domain) if k not in exact and not (prefixes and k.startswith(prefixes))]
        if left:
            unused[domain] = left
    return unused


def write_templates(root: Path = ROOT, out_dir: Path = messages.LOCALES_DIR) -> dict[str, int]:
    """Write i18n/locales/<domain>.pot (Babel's extraction of Python with our method, plus the Jinja
    templates' t("key") calls); return how many keys each domain has."""
    catalogs: dict[str, Catalog] = {}
    keywords = dict.fromkeys(MARKERS)
    for path in python_files(root):
        for line, key, comments, _context in extract_from_file(cast(Any, babel_extract), str(path), keywords=keywords):
            domain = comments[0].removeprefix("domain: ") if comments else "common"
            catalog = catalogs.setdefault(domain, Catalog(project="Hearthline", domain=domain))
            catalog.add(key, locations=[(str(path.relative_to(root)), line)])
    for name in TEMPLATE_DIRS:
        for template in sorted((root / name).rglob("*.html")):
            relative = str(template.relative_to(root))
            for use in uses_in_template(template.read_text(encoding="utf-8"), relative):
                if not use.prefix:
                    catalog = catalogs.setdefault(use.domain, Catalog(project="Hearthline", domain=use.domain))
                    catalog.add(use.key, locations=[(relative, use.line)])
    for domain, catalog in catalogs.items():
        with (out_dir / f"{domain}.pot").open("wb") as handle:
            write_po(handle, catalog, width=0, sort_output=True)
    return {domain: len(catalog) for domain, catalog in catalogs.items()}


def main() -> int:
    counts = write_templates()
    for domain, count in sorted(counts.items()):
        print(f"{domain}.pot: {count} key(s)")
    uses = uses_in_code()
    missing = missing_keys(uses)
    for use in missing:
        print(f"MISSING {use.domain}:{use.key} used at {use.path}:{use.line}", file=sys.stderr)
    for domain, keys in unused_keys(uses).items():
        print(f"unused in code ({domain}): {', '.join(keys)}", file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    raise SystemExit(main())
