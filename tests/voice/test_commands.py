"""Voice commands: models install from a local HTTP server; simulate-call (the simulator's) from the command line."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
import threading
import zipfile
from collections.abc import Callable, Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from flask import Flask

from tests.voice.conftest import CALLER
from tests.voice.test_routes import ALWAYS_OPEN
from voice.recognizer import VoskRecognizer
from voice.twiml import OPEN_MAX_SECONDS


@pytest.fixture
def archive_server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A local HTTP server over a folder (model archives are served from it, as alphacephei.com would)."""
    folder = tmp_path / "served"
    folder.mkdir()

    class Quiet(SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
            super().__init__(*args, directory=str(folder), **kwargs)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}", folder
    server.shutdown()
    server.server_close()


def fake_model_tar(path: Path, top: str = "vosk-model-small-es-0.42") -> str:
    """A model-shaped archive (am/, conf/, graph/) and its SHA-256."""
    with tarfile.open(path, "w:gz") as tar:
        for name, data in {
            f"{top}/am/final.mdl": b"\x00" * 2048,
            f"{top}/conf/mfcc.conf": b"--sample-frequency=16000\n",
            f"{top}/conf/model.conf": b"--beam=10.0\n",
            f"{top}/graph/HCLr.fst": b"\x01" * 4096,
        }.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_models_install_downloads_verifies_and_unpacks(
    make_app: Callable[..., Flask], archive_server: tuple[str, Path]
) -> None:
    base, folder = archive_server
    digest = fake_model_tar(folder / "es.tar.gz")
    app = make_app()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["models", "install", "es", "--from", f"{base}/es.tar.gz", "--sha256", digest])
    assert result.exit_code == 0, result.output
    assert f"sha256 {digest}" in result.output
    installed = Path(app.extensions["hearthline"].settings.vosk_model_dir) / "es"
    assert (installed / "am" / "final.mdl").stat().st_size == 2048
    assert json.loads((installed / "SOURCE.json").read_text())["sha256"] == digest
    assert VoskRecognizer(installed.parent).has_model("es")
    listed = runner.invoke(args=["models", "list"])
    assert "es\tspeech + keypad" in listed.output and "en\tkeypad only" in listed.output


def test_models_install_refuses_a_wrong_checksum_and_keeps_nothing(
    make_app: Callable[..., Flask], archive_server: tuple[str, Path]
) -> None:
    base, folder = archive_server
    fake_model_tar(folder / "es.tar.gz")
    app = make_app()
    result = app.test_cli_runner().invoke(
        args=["models", "install", "es", "--from", f"{base}/es.tar.gz", "--sha256", "0" * 64, "--quiet"]
    )
    assert result.exit_code != 0 and "checksum mismatch" in result.output
    model_dir = Path(app.extensions["hearthline"].settings.vosk_model_dir)
    assert not (model_dir / "es").exists() and list(model_dir.iterdir()) == []


def test_models_install_refuses_unsafe_archives_and_missing_files(
    make_app: Callable[..., Flask], archive_server: tuple[str, Path]
) -> None:
    base, folder = archive_server
    with zipfile.ZipFile(folder / "evil.zip", "w") as zf:
        zf.writestr("../../outside.txt", "x")
        zf.writestr("model/am/final.mdl", "x")
    runner = make_app().test_cli_runner()
    result = runner.invoke(args=["models", "install", "zh", "--from", f"{base}/evil.zip", "--quiet"])
    assert result.exit_code != 0 and "unsafe path" in result.output
    result = runner.invoke(args=["models", "install", "zh", "--from", f"{base}/missing.zip", "--quiet"])
    assert result.exit_code != 0 and "HTTP 404" in result.output
    result = runner.invoke(args=["models", "install", "xx", "--quiet"])
    assert result.exit_code != 0


def test_simulate_call_command_prints_one_json_line_per_turn(make_app: Callable[..., Flask]) -> None:
    app = make_app(**ALWAYS_OPEN)
    result = app.test_cli_runner().invoke(
        args=["simulate-call", "--locale", "es", "--from", "+15559876543", "press:2", "press:3", "hangup"]
    )
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines() if line.startswith("{")]
    assert lines[0]["phase"] == "language" and lines[1]["heard"] == "4"  # Español chosen at the menu
    assert lines[1]["prompt"].startswith("Hola")
    assert lines[-1]["requests"][0]["intent"] == "home_repair"
    assert {"turn", "prompt", "heard", "intent", "decision", "verbs"} <= set(lines[2])


@pytest.mark.slow
@pytest.mark.parametrize(
    ("said", "intent", "decision", "listens_for"),
    [
        # The phrase list hears "말동무" (companionship), but the free decoding of the same espeak-ng audio does not
        # support it (intents/hearing.py), so the word is dropped and the caller is asked again: so must the log say.
        ("말동무", None, "reject", OPEN_MAX_SECONDS),
        # Not understood (espeak-ng Korean is barely intelligible): the caller is asked to say it again.
        ("식사 배달 부탁해요", None, "reject", OPEN_MAX_SECONDS),
    ],
)
def test_simulate_call_prints_the_decision_the_caller_got(
    voice_app: Callable[..., Flask], said: str, intent: str | None, decision: str, listens_for: int
) -> None:
    app = voice_app(**ALWAYS_OPEN)
    result = app.test_cli_runner().invoke(
        args=["simulate-call", "--locale", "ko", "--from", CALLER, "--twiml", f"say:{said}", "hangup"]
    )
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines() if line.startswith("{")]
    spoken = next(line for line in lines if line.get("heard") and line["verbs"] and line["turn"] > 2)
    assert (spoken["intent"], spoken["decision"]) == (intent, decision)
    # The TwiML that answered that turn is the same decision: a yes/no question, or the open question again.
    root = ET.fromstring(spoken["twiml"])
    (record,) = root.iter("Record")
    assert int(record.attrib["maxLength"]) == listens_for
    assert spoken["phase"] == ("confirm" if decision == "confirm" else "open")


def test_simulate_call_refuses_bad_steps(make_app: Callable[..., Flask]) -> None:
    result = make_app().test_cli_runner().invoke(args=["simulate-call", "--from", CALLER, "shout:hello"])
    assert result.exit_code != 0 and "unknown step" in result.output
