"""A loopback TCP proxy that can be cut or made to hang: a database or Redis going away, for tests and the load bench.

The real PostgreSQL and Redis are never touched: the app under test reaches them only through this, and the test
or the bench decides when the line is down (connections dropped, new ones refused), hung (connections accepted and
never answered, as a PostgreSQL stuck behind a dead network path) or restored.
"""

from __future__ import annotations

import enum
import socket
import struct
import threading
from contextlib import suppress
from urllib.parse import urlsplit


class Line(enum.Enum):
    """What the proxy does with a connection."""

    FORWARD = "forward"  # relayed to the target
    DOWN = "down"  # reset at once: the server is down (as near to "connection refused" as a listener can be)
    HANG = "hang"  # accepted and held without a word: a hung server


class TcpProxy:
    """Listens on 127.0.0.1 (an ephemeral port) and relays to `target`, unless cut or hung.

    `accepted` counts connections ever accepted, so a test can prove that something did not even try.
    """

    def __init__(self, target: tuple[str, int] | None = None, line: Line = Line.FORWARD) -> None:
        if line is Line.FORWARD and target is None:
            raise ValueError("a forwarding proxy needs a target")
        self.target = target
        self.line = line
        self.accepted = 0
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self.listener.getsockname()[1])
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True, name=f"tcp-proxy-{self.port}").start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return  # closed
            with self._lock:
                self.accepted += 1
                line = self.line
            if line is Line.DOWN:
                _reset(client)
            elif line is Line.HANG:
                with self._lock:
                    self._open.add(client)
            else:
                self._forward(client)

    def _forward(self, client: socket.socket) -> None:
        assert self.target is not None
        try:
            upstream = socket.create_connection(self.target, timeout=5)
        except OSError:
            _reset(client)
            return
        upstream.settimeout(None)
        with self._lock:
            self._open.update((client, upstream))
        for a, b in ((client, upstream), (upstream, client)):
            threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while chunk := source.recv(65536):
                sink.sendall(chunk)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                self._close(sock)

    def _close(self, sock: socket.socket) -> None:
        with self._lock:
            self._open.discard(sock)
        with suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
        sock.close()

    def _drop_all(self) -> None:
        with self._lock:
            doomed = list(self._open)
        for sock in doomed:
            self._close(sock)

    def cut(self) -> None:
        """The server goes away: every open connection dropped, new ones reset until `restore()`."""
        with self._lock:
            self.line = Line.DOWN
        self._drop_all()

    def hang(self) -> None:
        """The server stops answering: open connections dropped, new ones accepted and never answered."""
        with self._lock:
            self.line = Line.HANG
        self._drop_all()

    def restore(self, target: tuple[str, int] | None = None) -> None:
        """Relay again (to `target` if given): the server is back."""
        with self._lock:
            if target is not None:
                self.target = target
            if self.target is None:
                raise ValueError("restore needs a target")
            self.line = Line.FORWARD

    def url(self, server_url: str) -> str:
        """`server_url` (postgresql://, redis://) with its host and port replaced by this proxy's."""
        parts = urlsplit(server_url)
        credentials, at, _ = parts.netloc.rpartition("@")
        return parts._replace(netloc=f"{credentials}{at}127.0.0.1:{self.port}").geturl()

    def close(self) -> None:
        self.cut()
        self.listener.close()


def target_of(server_url: str, default_port: int) -> tuple[str, int]:
    """The (host, port) a server URL names (postgresql://user@host:port/db)."""
    parts = urlsplit(server_url)
    return parts.hostname or "127.0.0.1", parts.port or default_port


def _reset(sock: socket.socket) -> None:
    """Close with an RST (SO_LINGER 0), so the client fails at once instead of waiting for a reply."""
    with suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()
