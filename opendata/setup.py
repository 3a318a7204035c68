"""Wiring the open-data layer into the app: its blueprint, commands, flush listeners and the worker's jobs."""

from __future__ import annotations

from flask import Flask

from opendata import providers, webhooks
from opendata.commands import register_commands
from opendata.routes import bp
from web.context import EXTENSION_KEY, Hearthline

DELIVER_JOB = "opendata.deliver_partners"


def register(app: Flask) -> None:
    hl: Hearthline = app.extensions[EXTENSION_KEY]
    app.register_blueprint(bp)
    register_commands(app)
    providers.install()
    # Partner payloads state times on the centre's clock; sessions carry the zone to the flush listener.
    hl.db.sessions.configure(info={webhooks.SESSION_ZONE: hl.settings.timezone})
    policy = webhooks.Policy.from_settings(hl.settings)

    def deliver(_payload: object = None) -> None:
        webhooks.deliver_due(hl.db, policy)

    hl.queue.register(DELIVER_JOB, deliver)
    hl.queue.every_minute(DELIVER_JOB, deliver)

    def wake() -> None:
        try:
            hl.queue.enqueue(DELIVER_JOB, {})
        except Exception:  # committed already: the minute's sweep delivers what a lost wake-up leaves
            app.logger.exception("could not wake the partner delivery; the sweep will deliver")

    webhooks.install(hl.db.sessions, wake)
