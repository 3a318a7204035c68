"""The `flask prompts` commands: render synthesised audio, record staff versions, roll back, see status."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from i18n import messages
from prompts import catalog
from prompts.audio import PromptAudio
from prompts.audio_processing import BadAudio
from prompts.models import RecordingSource
from prompts.routes import prompt_audio
from prompts.store import StoreError, Version

prompts_group = AppGroup(
    "prompts", help="Voice prompts: render synthesised audio, record staff versions, roll back, see status."
)


def _static_items() -> list[tuple[str, str, str]]:
    """(key, locale, text) of every static prompt in every locale."""
    return [
        (prompt.key, locale, messages.translate(prompt.domain, prompt.key, locale))
        for prompt in catalog.static_prompts()
        for locale in messages.LOCALES
    ]


@prompts_group.command("render")
@click.option("--quiet", is_flag=True, help="No progress bar.")
def render_command(quiet: bool) -> None:
    """Synthesise every static prompt in every locale ahead of time (cached; only new text is rendered)."""
    from tqdm import tqdm

    from prompts.tts import SynthesisFailed

    voice = prompt_audio()
    missing = catalog.unnumbered()
    if missing:
        click.echo(f"warning: {len(missing)} prompt(s) have no number yet (python -m prompts.catalog)", err=True)
    items = _static_items()
    with tqdm(total=len(items), unit="prompt", disable=quiet, desc="rendering") as bar:
        try:
            done = voice.render_all(items, progress=lambda _rendered: bar.update(1))
        except SynthesisFailed as exc:
            raise click.ClickException(f"synthesis failed: {exc}") from exc
    fresh = sum(1 for r in done if not r.cached)
    size = sum(r.path.stat().st_size for r in done)
    pruned = voice.prune()
    if not quiet:
        click.echo(
            f"{len(done)} prompts ready ({fresh} synthesised now, {len(done) - fresh} cached), "
            f"{size / 1_048_576:.1f} MB; {pruned} expired dynamic render(s) deleted"
        )


def _resolve(key: str, locale: str) -> tuple[catalog.StaticPrompt, str]:
    try:
        locale = messages.normalise_locale(locale)
    except messages.MissingTranslation as exc:
        raise click.BadParameter(str(exc), param_hint="LOCALE") from None
    prompt = catalog.by_key(key) or (catalog.by_number(int(key)) if key.isdecimal() else None)
    if prompt is None:
        raise click.BadParameter(f"{key} is not a prompt that can be recorded (see flask prompts status)")
    return prompt, locale


@prompts_group.command("record")
@click.argument("key")
@click.argument("locale")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--by", default="cli", show_default=True, help="Who recorded it (kept in the history).")
def record_command(key: str, locale: str, file: Path, by: str) -> None:
    """Upload FILE (WAV) as the new live recording of prompt KEY (key or number) in LOCALE."""
    prompt, locale = _resolve(key, locale)
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise click.ClickException(f"cannot read {file}: {exc.strerror}") from None
    text = messages.translate(prompt.domain, prompt.key, locale)
    try:
        version = prompt_audio().store.add(
            prompt.key, locale, text, data, source=RecordingSource.UPLOAD, by=by, approve=True
        )
    except BadAudio as exc:
        raise click.ClickException(f"{file.name}: {exc}. Nothing was changed.") from None
    click.echo(f"{prompt.key} ({locale}) version {version.version} is live: {version.seconds:.1f} s")


@prompts_group.command("versions")
@click.argument("key")
@click.argument("locale")
def versions_command(key: str, locale: str) -> None:
    """List every recorded version of a prompt in a locale (* marks the one callers hear)."""
    prompt, locale = _resolve(key, locale)
    rows = prompt_audio().store.versions(prompt.key, locale)
    if not rows:
        click.echo(f"{prompt.key} ({locale}) has no recordings; callers hear synthesis")
        return
    for row in rows:
        mark = "*" if row.live else " "
        click.echo(f"{mark} v{row.version:<3} {row.state:<9} {row.seconds:5.1f} s  {row.source:<6} {row.recorded_by}")


@prompts_group.command("rollback")
@click.argument("key")
@click.argument("locale")
@click.option("--to", "to", type=int, default=None, help="Version to make live (default: the one before).")
@click.option("--by", default="cli", show_default=True)
def rollback_command(key: str, locale: str, to: int | None, by: str) -> None:
    """Make an earlier approved version live again (past the first one: back to synthesis)."""
    prompt, locale = _resolve(key, locale)
    try:
        version = prompt_audio().store.rollback(prompt.key, locale, by=by, to=to)
    except StoreError as exc:
        raise click.ClickException(str(exc)) from None
    if version is None:
        click.echo(f"{prompt.key} ({locale}): callers now hear synthesis")
    else:
        click.echo(f"{prompt.key} ({locale}): version {version.version} is live")


STATE_MARKS = {"recorded": "R", "outdated": "O", "synthesised": "S", "missing": "-"}


@prompts_group.command("status")
def status_command() -> None:
    """Per prompt and locale: R recorded, O recorded but the text changed since, S synthesised, - missing."""
    voice = prompt_audio()
    live = voice.store.live_all()
    totals = {locale: dict.fromkeys(STATE_MARKS, 0) for locale in messages.LOCALES}
    lines = []
    for prompt in catalog.static_prompts():
        marks = []
        for locale in messages.LOCALES:
            state = prompt_state(voice, prompt, locale, live.get((prompt.key, locale)))
            totals[locale][state] += 1
            marks.append(STATE_MARKS[state])
        lines.append(f"{prompt.number:>4}  {'  '.join(marks)}   {prompt.key}")
    click.echo("   #  " + "  ".join(messages.LOCALES) + "  key")
    for line in lines:
        click.echo(line)
    click.echo("")
    click.echo(f"{'locale':<8}" + "".join(f"{name:>13}" for name in STATE_MARKS))
    for locale, counts in totals.items():
        click.echo(f"{locale:<8}" + "".join(f"{counts[name]:>13}" for name in STATE_MARKS))
    unnumbered = catalog.unnumbered()
    if unnumbered:
        click.echo(f"\n{len(unnumbered)} prompt(s) without a number: " + ", ".join(unnumbered))


def prompt_state(voice: PromptAudio, prompt: catalog.StaticPrompt, locale: str, live: Version | None) -> str:
    """recorded, outdated (recorded, but the catalog text changed since), synthesised, or missing."""
    text = messages.translate(prompt.domain, prompt.key, locale)
    if live is not None:
        return "recorded" if live.text == text else "outdated"
    return "synthesised" if voice.cached(prompt.key, locale, text) else "missing"


@prompts_group.command("numbers")
def numbers_command() -> None:
    """Give new static prompts their stable numbers (appends to prompts/numbers.tsv)."""
    added = catalog.assign_numbers()
    for prompt in added:
        click.echo(f"{prompt.number}\t{prompt.key}")
    click.echo(f"{len(added)} new number(s)")


def register_commands(app: Flask) -> None:
    app.cli.add_command(prompts_group)
