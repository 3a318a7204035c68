"""`make run` tells a new user where the staff console is, as the README promises."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_make_run_prints_the_console_address() -> None:
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    # -n prints the recipe without running it (nothing is installed or started).
    plan = subprocess.run(
        ["make", "-n", "run", "HOST=127.0.0.1", "PORT=5108"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    announced = [line for line in plan.stdout.splitlines() if line.startswith('echo "Hearthline on ')]
    assert len(announced) == 1, plan.stdout
    assert "http://127.0.0.1:5108/console/" in announced[0]
