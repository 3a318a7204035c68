"""`make test`'s passes of the suite, on SQLite and on the production path, side by side on the machine's two cores.

Each pass is one pytest process, mostly busy on one core (the production path's PostgreSQL and Redis take a little
of the other), so running two at once takes about as long as the longer one instead of the sum; the SQLite pass's
slow tests run apart, on whichever core frees first, so neither core idles while the other works through them.
Their output is kept apart, in a log per pass printed whole when all have finished, then a summary: each pass's
exit status, its failures and its closing line. Scratch files go to memory (/dev/shm) when the machine has it:
the tests' SQLite files are rewritten and fsynced all the time, and nothing in them has to outlive the run.
Arguments are passed to every pass (`python -m tests.passes -x tests/sms`).
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
# pytest's "no tests ran": a run whose selection (extra arguments, say one file) holds no slow test.
NO_TESTS = 5
OK = (0, NO_TESTS)
COUNT = re.compile(r"(\d+) (passed|failed|skipped|errors?)\b")
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

    def poll(self) -> int | None:
        assert self.process is not None
        status = self.process.poll()
        if status is not None and not self.seconds:
            self.seconds = time.monotonic() - self.started
        return status

    def wait(self) -> int:
        assert self.process is not None
        self.process.wait()
        status = self.poll()
        assert status is not None
        return status

    def lines(self) -> list[str]:
        return self.log.read_text(errors="replace").splitlines()


def scratch_root() -> Path:
    return MEMORY if MEMORY.is_dir() and shutil.disk_usage(MEMORY).free > 2 * 1024**3 else Path(tempfile.gettempdir())


def _stop(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)  # so `finally` ends both passes when CI or a person stops make


def total(runs: list[Pass]) -> str:
    """All passes' counts in the plain closing line any reader of a run's last line understands."""
    counts = {"passed": 0, "failed": 0, "skipped": 0}
    for run in runs:
        closing = [line for line in run.lines() if CLOSING.search(line)]
        if not closing:
            counts["failed"] += 1  # the pass itself, which never got to say what it counted
        for number, word in COUNT.findall(closing[-1] if closing else ""):
            counts["failed" if word.startswith("error") else word] += int(number)
    return f"total: {counts['passed']} passed, {counts['failed']} failed, {counts['skipped']} skipped"


def plan(extra: list[str], scratch: Path, production_path: bool) -> list[Pass]:
    """The runs, longest first: the SQLite pass in two (its slow tests apart, so they fill whichever core frees
    first) and the production path. The `slow` tests (Vosk recognition, headless Chromium) exercise speech and
    pages over the same storage code the other tests cover, so the production path leaves them out."""
    runs = [Pass("SQLite", ["-m", "not slow", *extra], scratch / "sqlite.log")]
    if production_path:
        runs.append(Pass("production path", ["--production-path", "-m", "not slow", *extra], scratch / "pg.log"))
    runs.append(Pass("SQLite slow-tests", ["-m", "slow", *extra], scratch / "slow.log"))
    return runs


def run_on_cores(runs: list[Pass], scratch: Path, cores: int = 2) -> list[int]:
    """Run at most `cores` passes at once, starting the next as one ends; their exit statuses, in order."""
    waiting, running = list(runs), []
    while waiting or running:
        while waiting and len(running) < cores:
            run = waiting.pop(0)
            run.start(scratch / run.name.replace(" ", "-"))
            running.append(run)
            print(f"{run.name} pass started; output follows when it ends", flush=True)
        time.sleep(0.5)
        running = [run for run in running if run.poll() is None]
    return [run.wait() for run in runs]


def main(extra: list[str]) -> int:
    signal.signal(signal.SIGTERM, _stop)
    scratch = Path(tempfile.mkdtemp(prefix="hearthline-tests-", dir=scratch_root()))
    production_path = backends.main() == 0
    if not production_path:
        print("production-path pass skipped: it needs both PostgreSQL and Redis (see above)")
    runs = plan(extra, scratch, production_path)
    try:
        statuses = run_on_cores(runs, scratch)
        for run in runs:
            print(f"\n{'=' * 30} {run.name} pass ({run.seconds:.0f} s) {'=' * 30}")
            print("\n".join(run.lines()), flush=True)
        print(f"\n{'=' * 30} summary {'=' * 30}")
        for run, status in zip(runs, statuses, strict=True):
            failures = [line for line in run.lines() if line.startswith(("FAILED ", "ERROR "))]
            verdict = "passed" if status in OK else f"FAILED (pytest exit status {status})"
            print(f"{run.name} pass {verdict} in {run.seconds:.0f} s")
            for line in failures:
                print(f"  {line}")
            closing = [line for line in run.lines() if CLOSING.search(line)]
            # pytest's own closing line last, unchanged, so a reader of the run's tail finds its counts.
            print(closing[-1] if closing else "(no closing line: pytest did not finish)", flush=True)
        print(total(runs))
        if all(status == NO_TESTS for status in statuses):
            return NO_TESTS
        return max((status for status in statuses if status not in OK), default=0)
    finally:
        for run in runs:  # interrupted: no pass outlives make
            if run.process is not None and run.process.poll() is None:
                run.process.terminate()
                run.process.wait()
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
