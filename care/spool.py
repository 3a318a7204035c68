"""The SMS spool: texts that came while the database could not be reached, kept on disk and replayed once.

Twilio does not retry a messaging webhook it got an answer to, so a text the database could not take must be
kept somewhere that does not need the database: one append-only file per process in the instance folder, each
text a JSON line written and fsynced before Twilio hears "we got your message". Replaying hands every kept
text, oldest first, to the ordinary handling, which stores each MessageSid once; a replayer that dies half-way
leaves its claimed files for the next one, which skips what was already stored.

Writers and replayers meet through file locks: a replayer claims a file by renaming it, then takes its lock,
so a writer still holding the old file finishes its line first; a writer that got the lock after a claim sees
that its path now names another file (or none) and starts a fresh one.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import socket
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

FOLDER_NAME = "sms-spool"
WRITING = ".jsonl"  # a process's current spool file
CLAIMED = ".replaying"  # claimed by a replayer; a crashed replayer's claim is taken over by the next one
SET_ASIDE = "set-aside.jsonl"  # texts the handling refused for good (kept for staff, never retried)
LOCK_NAME = ".replay.lock"


@dataclass(frozen=True)
class Spooled:
    """One text as it reached us: Twilio's id, the sender (E.164), the words, and when (ns since the epoch)."""

    message_sid: str
    from_phone: str
    body: str
    received_ns: int

    def line(self) -> bytes:
        fields = {"sid": self.message_sid, "from": self.from_phone, "body": self.body, "at": self.received_ns}
        return (json.dumps(fields, ensure_ascii=False) + "\n").encode("utf-8")

    @classmethod
    def parse(cls, line: bytes) -> Spooled:
        fields = json.loads(line)
        return cls(str(fields["sid"]), str(fields["from"]), str(fields["body"]), int(fields["at"]))


@dataclass(frozen=True)
class ReplayReport:
    """What one replay did: texts handed on, set aside for good, left for later (the database went again)."""

    replayed: int = 0
    set_aside: int = 0
    left: int = 0
    busy: bool = False  # another process was replaying; nothing done here


class Spool:
    """The spool folder of one instance (shared by its web workers and its queue worker)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self._own: tuple[int, Path] | None = None

    def _own_path(self) -> Path:
        # One file per process (gunicorn forks after this object is built, hence the pid check): writers of one
        # process serialise on its lock, processes never share a file, and a later process that happens to get
        # the same pid never appends to a file a crash left with an unfinished line.
        pid = os.getpid()
        if self._own is None or self._own[0] != pid:
            name = f"{socket.gethostname()}-{pid}-{uuid.uuid4().hex[:8]}{WRITING}"
            self._own = (pid, self.folder / name)
        return self._own[1]

    def append(self, message_sid: str, from_phone: str, body: str) -> bool:
        """Keep one text durably (written and fsynced); True when it started a new spool file."""
        entry = Spooled(message_sid, from_phone, body, time.time_ns())
        path = self._own_path()
        while True:
            fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                if not _still_at(fd, path):
                    continue  # a replayer claimed this file between our open and our lock: use a fresh one
                created = os.fstat(fd).st_size == 0
                os.write(fd, entry.line())
                os.fsync(fd)
                if created:
                    _fsync_folder(self.folder)  # the new file's name must survive a power cut as well
                return created
            finally:
                os.close(fd)  # closing releases the lock

    def pending(self) -> bool:
        """Whether any text waits here (cheap: one directory listing, no reading)."""
        return any(name.endswith((WRITING, CLAIMED)) and name != SET_ASIDE for name in os.listdir(self.folder))

    def holds_from(self, phone: str) -> bool:
        """Whether a text from `phone` waits here (reads every file, without locks: a line being written is
        skipped, as that text and the caller's were sent together and have no order to keep)."""
        for path in self._files((WRITING, CLAIMED)):
            try:
                data = path.read_bytes()
            except FileNotFoundError:  # replayed and removed since the listing
                continue
            for line in data.splitlines(keepends=True):
                try:
                    if line.endswith(b"\n") and Spooled.parse(line).from_phone == phone:
                        return True
                except (ValueError, KeyError):
                    continue  # unreadable: the replay logs and drops it
        return False

    def count(self) -> int:
        """How many texts wait here (reads every file)."""
        total = 0
        for path in self._files((WRITING, CLAIMED)):
            total += sum(1 for line in path.read_bytes().splitlines() if line.strip())
        return total

    def _files(self, suffixes: tuple[str, ...]) -> list[Path]:
        return sorted(
            p for p in self.folder.iterdir() if p.name.endswith(suffixes) and p.name != SET_ASIDE and p.is_file()
        )

    def replay(
        self,
        act: Callable[[Spooled], None],
        *,
        retry_later: Callable[[Exception], bool],
        budget_seconds: float | None = None,
    ) -> ReplayReport:
        """Hand every kept text to `act`, oldest first, each at most once per replay.

        `act` must be idempotent by MessageSid (a crash after it but before the file is removed replays the text
        again). When it raises and `retry_later(error)` says so (the database went away again), the replay stops
        and the rest stays for the next one; any other error sets that text aside for good, with a log line, so
        one text the handling cannot take never blocks the others. `budget_seconds` stops early, in order.
        """
        with self._replay_lock() as locked:
            if not locked:
                return ReplayReport(busy=True)
            claimed = self._claim()
            entries = self._read(claimed)
            started = time.monotonic()
            done: set[Path] = set()
            replayed = set_aside = 0
            remaining = _counts(entries)
            for index, (path, entry) in enumerate(entries):
                if budget_seconds is not None and time.monotonic() - started > budget_seconds:
                    return self._finish(done, ReplayReport(replayed, set_aside, len(entries) - index))
                try:
                    act(entry)
                    replayed += 1
                except Exception as error:
                    if retry_later(error):
                        log.warning("SMS spool: the database is away again; %d texts wait", len(entries) - index)
                        return self._finish(done, ReplayReport(replayed, set_aside, len(entries) - index))
                    log.exception("SMS spool: text %s cannot be handled; set aside", entry.message_sid)
                    self._set_aside(entry)
                    set_aside += 1
                remaining[path] -= 1
                if remaining[path] == 0:
                    done.add(path)
            done.update(path for path in claimed if path not in remaining)  # empty or torn-only files
            return self._finish(done, ReplayReport(replayed, set_aside, 0))

    def _finish(self, done: set[Path], report: ReplayReport) -> ReplayReport:
        for path in done:
            path.unlink(missing_ok=True)
        if done:
            _fsync_folder(self.folder)
        if report.replayed or report.set_aside or report.left:
            log.info("SMS spool: %s", report)
        return report

    @contextmanager
    def _replay_lock(self) -> Iterator[bool]:
        fd = os.open(self.folder / LOCK_NAME, os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield False
                return
            yield True
        finally:
            os.close(fd)

    def _claim(self) -> list[Path]:
        """Rename every writing file to a claimed name (a crashed replayer's claims are kept as they are)."""
        claimed = self._files((CLAIMED,))
        for path in self._files((WRITING,)):
            target = path.with_name(f"{path.stem}.{uuid.uuid4().hex[:8]}{CLAIMED}")
            try:
                path.rename(target)
            except FileNotFoundError:
                continue
            claimed.append(target)
        return claimed

    def _read(self, claimed: list[Path]) -> list[tuple[Path, Spooled]]:
        entries: list[tuple[Path, Spooled]] = []
        for path in claimed:
            fd = os.open(path, os.O_RDONLY)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)  # a writer that opened it before the claim finishes its line first
                data = path.read_bytes()
            finally:
                os.close(fd)
            for line in data.splitlines(keepends=True):
                if not line.endswith(b"\n"):
                    # Torn by a crash mid-write: the writer never fsynced it, so Twilio never heard "got it".
                    log.warning("SMS spool: an unfinished line in %s is dropped (never acknowledged)", path.name)
                    continue
                try:
                    entries.append((path, Spooled.parse(line)))
                except (ValueError, KeyError):
                    log.error("SMS spool: an unreadable line in %s is dropped: %r", path.name, line[:200])
        entries.sort(key=lambda item: (item[1].received_ns, item[0].name))
        return entries

    def _set_aside(self, entry: Spooled) -> None:
        fd = os.open(self.folder / SET_ASIDE, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, entry.line())
            os.fsync(fd)
        finally:
            os.close(fd)


def _counts(entries: list[tuple[Path, Spooled]]) -> dict[Path, int]:
    counts: dict[Path, int] = {}
    for path, _ in entries:
        counts[path] = counts.get(path, 0) + 1
    return counts


def _still_at(fd: int, path: Path) -> bool:
    """Whether the open file `fd` is still the one `path` names (a replayer may have renamed it away)."""
    try:
        named = os.stat(path)
    except FileNotFoundError:
        return False
    opened = os.fstat(fd)
    return (named.st_dev, named.st_ino) == (opened.st_dev, opened.st_ino)


def _fsync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
