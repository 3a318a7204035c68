"""The shape DESIGN.md draws, enforced: a pure core without I/O libraries, and a docstring atop every module."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("intents", "voice", "sms", "prompts", "care", "bench")

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
    "prompts.clock",
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
