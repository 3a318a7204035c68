"""Database engine, sessions and the declarative base; SQLite by default, PostgreSQL by DATABASE_URL."""

from __future__ import annotations

import logging
import os
import sqlite3
import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, exc, make_url, text
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

log = logging.getLogger(__name__)

# Twilio waits at most 15 s for a webhook answer, and a turn may touch the database a few times: every wait on it
# is bounded well below that, so a hung database still leaves time for an apology and a person.
# libpq's connect_timeout counts whole seconds and 2 is its smallest useful value (PostgreSQL docs, 34.1.2).
CONNECT_TIMEOUT_SECONDS = 2
STATEMENT_TIMEOUT_MS = 4000
# Waiting for a row lock another transaction holds (two texts from one number) ends before the statement timeout,
# so that a long wait is reported as what it is (SQLSTATE 55P03, lock_not_available), not as a database gone quiet.
LOCK_TIMEOUT_MS = 3000
# Waiting for a pooled connection when every one is busy (SQLAlchemy's default is 30 s).
POOL_TIMEOUT_SECONDS = 3
# SQLite: how long a writer waits for another's lock (the sqlite3 default is 5 s; we had 15, Twilio's whole wait).
SQLITE_BUSY_TIMEOUT_SECONDS = 4
# What sqlite3 says when another writer holds the file past the busy timeout (contention: the file answers, it is
# busy) and, besides, when the file cannot be opened; waiting and trying again will do for all of them.
SQLITE_CONTENTION = ("database is locked", "database table is locked")
SQLITE_WAITS = (*SQLITE_CONTENTION, "unable to open database")
# PostgreSQL's answers that another transaction was in the way: class 40 (serialization failure, deadlock) and a
# lock not granted within lock_timeout (PostgreSQL docs, Appendix A, "PostgreSQL Error Codes").
PG_CONTENTION_CLASSES = ("40",)
PG_CONTENTION_CODES = ("55P03",)
# After the database failed to answer, skip it for this long where there is a way around it (the apology, prompt
# recordings), instead of every request waiting out its own timeout on a database known to be gone.
UNAVAILABLE_SECONDS = 3.0
# A process waiting for the database to come back tries after 1 s, then doubling up to every 30 s: quick after a
# blip (a restart takes seconds), and a long outage costs one connection attempt a half-minute.
FIRST_RETRY_SECONDS = 1.0
LONGEST_RETRY_SECONDS = 30.0


def unreachable(error: BaseException) -> bool:
    """The database did not answer in time (down, hung, locked past its timeout, every pooled connection busy),
    as opposed to refusing what was asked of it (a missing table, a bad value): waiting and trying again will do."""
    if isinstance(error, exc.TimeoutError):  # no pooled connection came free
        return True
    if not isinstance(error, exc.DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    if isinstance(error.orig, sqlite3.Error):
        # sqlite3 calls nearly everything OperationalError ("no such table" too); only these are waits.
        return isinstance(error, exc.OperationalError) and any(
            words in str(error.orig).lower() for words in SQLITE_WAITS
        )
    # psycopg: connection refused or lost, connect_timeout, statement_timeout (QueryCanceled) are all these.
    return isinstance(error, exc.OperationalError | exc.InterfaceError)


def contended(error: BaseException) -> bool:
    """The database answered, but another transaction was in the way (a lock held past our wait, a deadlock):
    it is busy, not away, so nobody else needs to stop using it."""
    orig = getattr(error, "orig", None) or error
    if isinstance(orig, sqlite3.OperationalError):
        return any(words in str(orig).lower() for words in SQLITE_CONTENTION)
    sqlstate = getattr(orig, "sqlstate", None)
    return isinstance(sqlstate, str) and (sqlstate[:2] in PG_CONTENTION_CLASSES or sqlstate in PG_CONTENTION_CODES)


def _first_line(error: BaseException) -> str:
    """What a driver error says, on one line for the log (its type when it says nothing)."""
    said = str(error).strip().splitlines()
    return said[0] if said else type(error).__name__


class Base(DeclarativeBase):
    """Base class of every stored table."""


def make_engine(url: str) -> Engine:
    """Create the engine with bounded waits; SQLite gets WAL and a busy timeout so several workers share the file."""
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS}, pool_timeout=POOL_TIMEOUT_SECONDS
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_SECONDS * 1000}")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    parsed = make_url(url)
    # connect_args replace the URL's own options (a search_path, say), so the statement timeout is added to them.
    given = parsed.query.get("options", "")
    options = " ".join(
        [
            *([given] if isinstance(given, str) else given),
            f"-c statement_timeout={STATEMENT_TIMEOUT_MS}",
            f"-c lock_timeout={LOCK_TIMEOUT_MS}",
        ]
    )
    return create_engine(
        parsed,
        pool_pre_ping=True,
        pool_timeout=POOL_TIMEOUT_SECONDS,
        connect_args={"connect_timeout": CONNECT_TIMEOUT_SECONDS, "options": options.strip()},
    )


def _forget_connections(engine: Engine | None) -> None:
    if engine is not None:
        engine.dispose(close=False)


class Database:
    """One engine and session factory, built once in create_app and shared by every request.

    It knows no tables: the app factory creates the schema (app.create_schema), so the table modules of every
    package can build on Base without this module importing them back.
    """

    def __init__(self, url: str) -> None:
        self.engine = make_engine(url)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        # gunicorn --preload builds the app (and opens connections) before forking its workers: a child that
        # reused the parent's pooled connections would share their sockets with its siblings, and two processes
        # talking on one PostgreSQL connection garble each other's statements ("unexpected result EMPTY_QUERY
        # from command 'BEGIN'"). The child forgets them without closing them (SQLAlchemy docs, "Using
        # Connection Pools with Multiprocessing or os.fork()"). A weak reference: many engines come and go.
        engine = weakref.ref(self.engine)
        os.register_at_fork(after_in_child=lambda: _forget_connections(engine()))
        self._unavailable_until = 0.0
        event.listen(self.engine, "handle_error", self._on_error)

    def _on_error(self, context: ExceptionContext) -> None:
        # Connection failures, timeouts and cancelled statements: the database is not answering. A lock another
        # transaction holds is no such sign (under load two texts from one number met there, and every text of
        # the next seconds went to the spool).
        if contended(context.original_exception):
            return
        if context.is_disconnect or isinstance(context.sqlalchemy_exception, exc.OperationalError):
            self._unavailable_until = time.monotonic() + UNAVAILABLE_SECONDS
            log.warning(
                "database not answering (%s: %s); skipping it where possible for %.0f s",
                type(context.original_exception).__name__,
                _first_line(context.original_exception),
                UNAVAILABLE_SECONDS,
            )

    @property
    def available(self) -> bool:
        """False for a few seconds after the database failed to answer (callers then avoid it where they can)."""
        return time.monotonic() >= self._unavailable_until

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session that commits on success and rolls back on any error."""
        with self.sessions() as session, session.begin():
            yield session

    def reachable(self) -> bool:
        """Whether the database answers a trivial query now (within its bounded waits)."""
        return self._why_unreachable() is None

    def _why_unreachable(self) -> str | None:
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except exc.SQLAlchemyError as error:
            if not unreachable(error):
                raise
            return _first_line(getattr(error, "orig", None) or error)
        self._unavailable_until = 0.0  # it answers: whoever skipped it may use it again at once
        return None

    def wait_until_reachable(
        self,
        *,
        who: str,
        first_delay: float = FIRST_RETRY_SECONDS,
        longest_delay: float = LONGEST_RETRY_SECONDS,
        sleep: Callable[[float], None] = time.sleep,
    ) -> float:
        """Block until the database answers, trying again with doubling delays; return the seconds waited.

        For processes that can do nothing without it (the queue worker): they start, say plainly that they are
        waiting and for what, and go on when it is back, instead of dying and being restarted in a loop.
        """
        started = time.monotonic()
        delay = first_delay
        while (why := self._why_unreachable()) is not None:
            log.warning(
                "%s: the database at %s is not reachable; waiting, next try in %.0f s (%s)",
                who,
                self.engine.url.render_as_string(hide_password=True),
                delay,
                why,
            )
            sleep(delay)
            delay = min(delay * 2, longest_delay)
        waited = time.monotonic() - started
        if waited > 0.5:
            log.warning("%s: the database answers again after %.0f s; going on", who, waited)
        return waited

    def dispose(self) -> None:
        self.engine.dispose()
