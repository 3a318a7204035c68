"""`make test`'s two passes of the suite, on SQLite and on the production path, side by side on the machine's cores.

Each pass is one pytest process, mostly busy on one core (the production path's PostgreSQL and Redis take a little
of the other), so running both at once takes about as long as the longer one instead of the sum. Their output is
kept apart, in a log per pass printed whole when both have finished, then a summary: each pass's exit status,
its failures and its closing line. Scratch files go to memory (/dev/shm) when the machine has it: the tests'
SQLite files are rewritten and fsynced all the time, and nothing in them has to outlive the run.
"""

from __future__ import annotations

import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from tests import backends

MEMORY = Path("/dev/shm")
# pytest's last line: "=== 3 failed, 1320 passed, 2 skipped in 601.2s (0:10:01) ===" (no "=" under -q).
CLOSING = re.compile(r"\b\d+ (passed|failed|errors?|skipped|deselected)\b.* in [\d.]+s")


@dataclass
class Pass:
    """One pytest run of the suite, its output going to `log`."""

    name: str
    args: list[str]
    log: Path
    process: subprocess.Popen[bytes] | None = None
    started: float = 0.0
    seconds: float = 0.0

    def start(self, basetemp: Path) -> None:
        self.started = time.monotonic()
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "pytest", f"--basetemp={basetemp}", "--durations=10", *self.args],
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )

    def wait(self) -> int:
        assert self.process is not None
        status = self.process.wait()
        self.seconds = time.monotonic() - self.started
        return status

    def lines(self) -> list[str]:
        return self.log.read_text(errors="replace").splitlines()


def scratch_root() -> Path:
    return MEMORY if MEMORY.is_dir() and shutil.disk_usage(MEMORY).free > 2 * 1024**3 else Path(tempfile.gettempdir())


def _stop(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)  # so `finally` ends both passes when CI or a person stops make


def main(extra: list[str]) -> int:
    signal.signal(signal.SIGTERM, _stop)
    scratch = Path(tempfile.mkdtemp(prefix="hearthline-tests-", dir=scratch_root()))
    passes = [Pass("SQLite", extra, scratch / "sqlite.log")]
    if backends.main() == 0:
        # The `slow` tests (Vosk recognition, headless Chromium) exercise speech and pages over the same storage
        # code the other tests cover, so the production path leaves them out.
        passes.append(Pass("production path", ["--production-path", "-m", "not slow", *extra], scratch / "pg.log"))
    else:
        print("production-path pass skipped: it needs both PostgreSQL and Redis (see above)")
    try:
        for run in passes:
            run.start(scratch / run.name.replace(" ", "-"))
            print(f"{run.name} pass started; output follows when it ends", flush=True)
        statuses = [run.wait() for run in passes]
        for run in passes:
            print(f"\n{'=' * 30} {run.name} pass ({run.seconds:.0f} s) {'=' * 30}")
            print("\n".join(run.lines()), flush=True)
        print(f"\n{'=' * 30} summary {'=' * 30}")
        for run, status in zip(passes, statuses, strict=True):
            failures = [line for line in run.lines() if line.startswith(("FAILED ", "ERROR "))]
            verdict = "passed" if status == 0 else f"FAILED (pytest exit status {status})"
            print(f"{run.name} pass {verdict} in {run.seconds:.0f} s")
            for line in failures:
                print(f"  {line}")
            closing = [line for line in run.lines() if CLOSING.search(line)]
            # pytest's own closing line last, unchanged, so a reader of the run's tail finds its counts.
            print(closing[-1] if closing else "(no closing line: pytest did not finish)", flush=True)
        return max(statuses)
    finally:
        for run in passes:  # interrupted: no pass outlives make
            if run.process is not None and run.process.poll() is None:
                run.process.terminate()
                run.process.wait()
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
