"""The shape DESIGN.md draws, enforced: a pure core without I/O libraries, and a docstring atop every module."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("intents", "voice", "sms", "prompts", "care", "simulator", "bench")

# The pure core: understanding, the dialogue, the SMS conversation, prompt selection, the request life cycle.
PURE_MODULES = [
    "intents",
    "intents.matcher",
    "intents.normalise",
    "intents.negation",
    "voice.dialogue",
    "voice.keypad",
    "sms.conversation",
    "sms.keywords",
    "sms.segments",
    "prompts.catalog",
    "prompts.spoken",
    "care.lifecycle",
    "care.routing",
    "care.states",
]
FORBIDDEN = ("flask", "werkzeug", "twilio", "vosk", "pyttsx3", "sqlalchemy", "requests", "huey", "soundfile")


@pytest.mark.parametrize("module", PURE_MODULES)
def test_pure_core_loads_no_io_library(module: str) -> None:
    # A fresh interpreter, so what the module pulls in transitively is seen, not what other tests loaded.
    code = (
        f"import importlib, json, sys; importlib.import_module({module!r}); "
        f"print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}})))"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    loaded = set(json.loads(result.stdout))
    assert not loaded & set(FORBIDDEN), f"{module} loads {sorted(loaded & set(FORBIDDEN))}"


def _modules() -> list[Path]:
    files = [ROOT / "app.py"]
    for package in PACKAGES:
        files.extend(p for p in (ROOT / package).rglob("*.py") if "__pycache__" not in p.parts)
    return files


def test_every_module_opens_with_a_one_line_docstring() -> None:
    missing = []
    for path in _modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        doc = ast.get_docstring(tree)
        if not doc or not doc.splitlines()[0].strip():
            missing.append(str(path.relative_to(ROOT)))
    assert not missing, f"modules without a docstring: {missing}"


def test_only_app_names_concrete_adapters() -> None:
    # Routes and domain code reach outside systems through care.context.current(), never by building adapters.
    adapters = {"TwilioSender", "TwilioRecordings", "VoskRecognizer", "EspeakSynthesizer", "PromptAudio", "HueyQueue"}
    offenders = []
    for path in _modules():
        if path.name == "app.py" or path.parent.name == "bench":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in adapters:
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} builds {node.func.id}")
    assert not offenders, offenders


def _imports(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside a function (relative imports resolved)."""
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def _package_of(module: str) -> str | None:
    """The top-level part of the product a module belongs to (app.py counts as its own), or None if outside."""
    top = module.split(".")[0]
    return top if top in (*PACKAGES, "app") else None


def test_production_code_never_imports_the_development_tools() -> None:
    # app.py loads `simulator` only when the simulator is enabled; nothing else may reach it.
    offenders = [
        str(path.relative_to(ROOT))
        for path in _modules()
        if path.parts[len(ROOT.parts)] not in ("simulator", "bench", "app.py")
        and any(_package_of(name) == "simulator" for name in _imports(path))
    ]
    assert not offenders, offenders
