"""Simulator commands: `flask simulate-call` plays a call without a phone; `flask standin` serves Twilio's side."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import fields
from typing import Any

import click
from flask import Flask
from flask.cli import with_appcontext

from care.settings import LOCALES
from simulator.phone import NotWaiting, local_port
from simulator.script import BadStep, CallFailed, CallSimulator, parse_step, print_lines
from simulator.twilio_standin import TwilioStandIn
from web.context import current


def register_commands(app: Flask, rebuild: Callable[[Mapping[str, Any]], Flask]) -> None:
    """Add `simulate-call`; it replays the call on an app rebuilt by `rebuild` with a local Twilio stand-in."""

    @click.command("simulate-call")
    @click.option("--locale", default=None, help="The caller's language (en, zh, ko, es); chosen at the language menu.")
    @click.option("--from", "from_phone", required=True, help="The caller's phone number.")
    @click.option("--twiml", "show_twiml", is_flag=True, help="Also print each TwiML answer.")
    @click.option(
        "--stream",
        "use_stream",
        is_flag=True,
        help="Questions over a Media Stream (voice_path=stream), served locally.",
    )
    @click.argument("steps", nargs=-1)
    @with_appcontext
    def simulate_call(
        locale: str | None, from_phone: str, show_twiml: bool, use_stream: bool, steps: tuple[str, ...]
    ) -> None:
        """Play a call: steps are say:TEXT, wav:PATH, press:DIGITS, dial:STATUS, silence, hangup.

        Speech is synthesised with espeak-ng at 8 kHz and served as the recording by a local Twilio stand-in,
        so Vosk hears it; requests are created in the configured database, as from a real call.
        """
        settings = current().settings
        if locale is not None and locale not in LOCALES:
            raise click.BadParameter(f"{locale!r}: expected {', '.join(LOCALES)}", param_hint="--locale")
        try:
            parsed = [parse_step(s) for s in steps]
        except BadStep as exc:
            raise click.BadParameter(str(exc), param_hint="STEP") from exc
        standin = TwilioStandIn(settings.twilio_account_sid, settings.twilio_auth_token)
        standin.start()
        try:
            # The same settings (and so the same database), with recordings fetched from the local stand-in.
            same = {f.name: getattr(settings, f.name) for f in fields(settings)}
            same["twilio_api_base"] = standin.base_url
            if use_stream:
                from simulator.stream_script import StreamCallSimulator

                same["voice_path"] = "stream"
                streamed = StreamCallSimulator(rebuild(same), from_phone, locale=locale)
                try:
                    print_lines(streamed.run(parsed), click.echo, show_twiml=show_twiml)
                finally:
                    streamed.close()
                return
            simulator = CallSimulator(rebuild(same), from_phone, locale=locale)
            print_lines(simulator.run(parsed), click.echo, show_twiml=show_twiml)
        except (CallFailed, NotWaiting) as exc:
            raise click.ClickException(str(exc)) from exc
        finally:
            standin.stop()

    app.cli.add_command(simulate_call)

    @click.command("standin")
    @with_appcontext
    def standin_command() -> None:
        """Serve the local Twilio stand-in at twilio_api_base until stopped (`make run` starts it).

        Texts the worker sends and calls the dialer places reach it instead of the real Twilio, from the first
        minute: without it they wait in the outbox until someone first speaks in the browser simulator.
        """
        settings = current().settings
        port = local_port(settings)
        if port is None:
            raise click.ClickException(
                f"twilio_api_base is {settings.twilio_api_base!r}: the stand-in serves only a local http address"
            )
        standin = TwilioStandIn(settings.twilio_account_sid, settings.twilio_auth_token)
        try:
            standin.start(port)
        except OSError as exc:
            raise click.ClickException(f"cannot serve the stand-in on port {port}: {exc}") from exc
        click.echo(f"Twilio stand-in serving on {standin.base_url} (Ctrl-C stops it)")
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass
        finally:
            standin.stop()

    app.cli.add_command(standin_command)
