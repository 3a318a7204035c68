"""Development tools: the phone simulator page, `flask simulate-call`, the TwiML follower, a local Twilio stand-in.

Nothing in production imports this package: app.py registers it only when `simulator_enabled` is set, so a
production app has neither the /simulator pages (404) nor the simulate-call command.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the TwiML follower in this package stays free of flask (tests/browser/test_twiml_follow.py)
    from flask import Flask


def register(app: Flask, rebuild: Callable[[Mapping[str, Any]], Flask]) -> None:
    """Add the simulator's blueprint and command; `rebuild` makes an app from settings (the app factory)."""
    from simulator.commands import register_commands
    from simulator.page import bp

    app.register_blueprint(bp)
    register_commands(app, rebuild)
