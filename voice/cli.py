"""Voice commands: `flask simulate-call` (a whole call without a phone) and `flask models install`."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import click
from flask.cli import AppGroup, with_appcontext

from care.context import current
from voice.models import ModelInstallError, install_model
from voice.simulator import BadStep, CallSimulator, parse_step, print_lines
from voice.twilio_standin import TwilioStandIn


@click.command("simulate-call")
@click.option("--locale", default=None, help="The caller's language (en, zh, ko, es); chosen at the language menu.")
@click.option("--from", "from_phone", required=True, help="The caller's phone number.")
@click.option("--twiml", "show_twiml", is_flag=True, help="Also print each TwiML answer.")
@click.argument("steps", nargs=-1)
@with_appcontext
def simulate_call_command(locale: str | None, from_phone: str, show_twiml: bool, steps: tuple[str, ...]) -> None:
    """Play a call: steps are say:TEXT, wav:PATH, press:DIGITS, dial:STATUS, silence, hangup.

    Speech is synthesised with espeak-ng at 8 kHz and served as the recording by a local Twilio stand-in,
    so Vosk hears it; requests are created in the configured database, as from a real call.
    """
    from app import create_app

    settings = current().settings
    if not settings.simulator_enabled:
        raise click.ClickException("the simulator is switched off (HEARTHLINE_SIMULATOR_ENABLED)")
    if locale is not None and locale not in ("en", "zh", "ko", "es"):
        raise click.BadParameter(f"{locale!r}: expected en, zh, ko or es", param_hint="--locale")
    try:
        parsed = [parse_step(s) for s in steps]
    except BadStep as exc:
        raise click.BadParameter(str(exc), param_hint="STEP") from exc
    standin = TwilioStandIn(settings.twilio_account_sid, settings.twilio_auth_token)
    standin.start()
    try:
        # The same settings (and so the same database), with recordings fetched from the local stand-in.
        same = {f.name: getattr(settings, f.name) for f in fields(settings) if f.name != "extra"}
        same.update(settings.extra)
        same["twilio_api_base"] = standin.base_url
        simulator = CallSimulator(create_app(same), standin, from_phone, locale=locale)
        print_lines(simulator.run(parsed), click.echo, show_twiml=show_twiml)
    finally:
        standin.stop()


@click.group("models", cls=AppGroup)
def models_group() -> None:
    """Speech models for each language (Korean comes from the package index; others are installed here)."""


@models_group.command("install")
@click.argument("locale")
@click.option("--from", "source", default=None, help="A URL or a local .zip/.tar.gz/folder (default: alphacephei).")
@click.option("--sha256", default=None, help="Expected SHA-256 of the archive; the install stops on a mismatch.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
def install_command(locale: str, source: str | None, sha256: str | None, quiet: bool) -> None:
    """Download, verify and unpack a Vosk model for LOCALE into the model folder."""
    if locale not in ("en", "zh", "ko", "es"):
        raise click.BadParameter(f"{locale!r}: expected en, zh, ko or es", param_hint="LOCALE")
    settings = current().settings
    if settings.is_production and sha256 is None:
        raise click.ClickException("production installs need --sha256 to verify the download")
    try:
        install_model(locale, Path(settings.vosk_model_dir), source, sha256=sha256, progress=not quiet, echo=click.echo)
    except ModelInstallError as exc:
        raise click.ClickException(str(exc)) from exc


@models_group.command("list")
def list_command() -> None:
    """Which languages have a speech model (the others work by keypad)."""
    recognizer = current().recognizer
    for locale in ("en", "zh", "ko", "es"):
        click.echo(f"{locale}\t{'speech + keypad' if recognizer.has_model(locale) else 'keypad only'}")


@click.command("sweep-call-audio")
@with_appcontext
def sweep_audio_command() -> None:
    """Delete callers' recordings past their retention date and old call states (the worker does it hourly)."""
    from care.retention import sweep_audio, sweep_call_states

    click.echo(f"deleted {sweep_audio(current().db)} recordings")
    click.echo(f"deleted {sweep_call_states(current().db)} finished call states")
