"""`flask broadcasts start|pause|resume|status|tag`: crisis calls from a terminal, as on the console's page."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import select

from care.models import Senior
from care.phones import BadPhoneNumber, to_e164
from care.routing import TEAMS
from care.tags import Tag
from outreach import crisis
from prompts.audio import PromptAudio
from prompts.audio_processing import BadAudio
from web.context import current

broadcasts_cli = AppGroup("broadcasts", help="Crisis calls: call a group in order of risk, see who is safe.")
TAGS = [t.value for t in Tag]


@broadcasts_cli.command("start")
@click.option("--message", default="", help=f"What the call says first (at most {crisis.MESSAGE_MAX_CHARS}).")
@click.option(
    "--recording",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="A recorded message to play instead (MP3, M4A, OGG, FLAC, WAV; up to a minute and 10 MB).",
)
@click.option("--area", default="", help="Only seniors in this area.")
@click.option("--team", default="", type=click.Choice(["", *TEAMS]), help="Only seniors this team looks after.")
@click.option("--tag", "tags", multiple=True, type=click.Choice(TAGS), help="Only seniors with any of these tags.")
@click.option("--preview", is_flag=True, help="Only say how many would be called.")
def start(message: str, recording: Path | None, area: str, team: str, tags: tuple[str, ...], preview: bool) -> None:
    """Start a broadcast: everyone in the group is called, most at risk first."""
    hl = current()
    audio_url = ""
    if recording is not None and not preview:
        voice = hl.prompt_voice
        if not isinstance(voice, PromptAudio):
            raise click.ClickException("recordings cannot be played here (no prompt audio)")
        try:
            audio_id, _ = voice.store.keep(
                recording.read_bytes(),
                max_bytes=crisis.RECORDING_MAX_BYTES,
                max_seconds=crisis.RECORDING_MAX_SECONDS,
            )
        except BadAudio as exc:
            raise click.ClickException(f"nothing was started: {exc}") from None
        audio_url = voice.url_for(audio_id)
    try:
        group = crisis.Group.of(area, team, tags)
        with hl.db.transaction() as session:
            if preview:
                click.echo(f"{len(crisis.pick(session, group))} seniors in this group")
                return
            broadcast = crisis.start(session, group, message, actor="cli", audio_url=audio_url)
            count = len(crisis.board(session, broadcast.id).rows)
    except crisis.BroadcastError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"broadcast {broadcast.id} started: calling {count} seniors")


@broadcasts_cli.command("pause")
@click.argument("broadcast_id", type=int)
def pause(broadcast_id: int) -> None:
    """Withdraw the queued calls (calls already ringing finish)."""
    try:
        with current().db.transaction() as session:
            withdrawn = crisis.pause(session, broadcast_id)
    except crisis.BroadcastError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"broadcast {broadcast_id} paused: {withdrawn} queued calls withdrawn")


@broadcasts_cli.command("resume")
@click.argument("broadcast_id", type=int)
def resume(broadcast_id: int) -> None:
    """Call again everyone not reached yet."""
    try:
        with current().db.transaction() as session:
            again = crisis.resume(session, broadcast_id)
    except crisis.BroadcastError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"broadcast {broadcast_id} resumed: {again} seniors queued")


@broadcasts_cli.command("status")
@click.argument("broadcast_id", type=int, required=False)
def status(broadcast_id: int | None) -> None:
    """The board of one broadcast (or the list of broadcasts)."""
    with current().db.sessions() as session:
        if broadcast_id is None:
            for b in crisis.broadcasts(session):
                click.echo(f"{b.id}: {b.status}, {b.created_at:%Y-%m-%d %H:%M} UTC, {b.message[:60]}")
            return
        try:
            board = crisis.board(session, broadcast_id)
        except crisis.BroadcastError as exc:
            raise click.ClickException(str(exc)) from None
    click.echo(
        f"broadcast {board.broadcast_id} ({board.status}): {board.total} seniors; reached {board.reached}, "
        f"safe {board.safe}, needs help {board.help}, not reached yet {board.waiting}, "
        f"unreachable {board.unreachable}"
    )
    for row in board.rows:
        request = f" request {row.reference}" if row.reference else ""
        click.echo(f"  {row.name} {row.phone}: {row.state} (tries {row.tries}){request}")


@broadcasts_cli.command("tag")
@click.option("--senior", "phone", required=True, help="The senior's phone.")
@click.option("--tag", "tags", multiple=True, type=click.Choice(TAGS), help="Their tags (replaces the old ones).")
@click.option("--team", default=None, type=click.Choice(["", *TEAMS]), help="The team that looks after them.")
def tag(phone: str, tags: tuple[str, ...], team: str | None) -> None:
    """Set a senior's tags (and team), which crisis broadcasts pick and order by."""
    hl = current()
    try:
        e164 = to_e164(phone, hl.settings.default_region)
    except BadPhoneNumber as exc:
        raise click.ClickException(str(exc)) from None
    with hl.db.transaction() as session:
        senior = session.scalar(select(Senior).where(Senior.phone == e164))
        if senior is None:
            raise click.ClickException(f"no senior with the number {phone}")
        crisis.set_tags(session, senior, [Tag(t) for t in tags])
        if team is not None:
            senior.team = team
    click.echo(f"{senior.name}: tags {', '.join(tags) or '-'}")


def register_commands(app: Flask) -> None:
    app.cli.add_command(broadcasts_cli)
