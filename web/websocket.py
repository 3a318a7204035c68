"""A WebSocket on the request's own socket (simple-websocket), and the response that ends such a request."""

from __future__ import annotations

from typing import Any

from flask import Response
from simple_websocket import Server


class WebSocketDone(Response):
    """The answer once a WebSocket has ended: the socket was the request's, so nothing more is written.

    Gunicorn's worker must be told to stop (StopIteration), Werkzeug's dev server writes nothing further
    (as flask-sock does it, for the servers the README runs: `make run` and gunicorn's threaded workers).
    """

    def __init__(self, ws: Server) -> None:
        super().__init__()
        self._mode = ws.mode

    def __call__(self, environ: Any, start_response: Any) -> Any:
        if self._mode == "gunicorn":
            raise StopIteration()
        if self._mode == "werkzeug":
            return super().__call__(environ, start_response)
        return []
