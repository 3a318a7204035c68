"""Admin commands: `flask apikeys`, `flask directory import`, `flask partners`, `flask export requests`."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from i18n.clock import local
from opendata import exports, hsds, keys, webhooks
from web.context import current

apikeys = AppGroup("apikeys", help="API keys for Open311 clients (stored hashed; every use is logged).")
directory_cli = AppGroup("directory", help="The provider directory (Open Referral HSDS).")
partners = AppGroup("partners", help="Partner systems that receive signed request events (webhooks).")
export_cli = AppGroup("export", help="Export requests for reporting.")


@apikeys.command("create")
@click.argument("name")
@click.option("--scope", "scopes", multiple=True, help="submit, names, phones, transcripts, addresses (repeatable).")
@click.option("--by", "created_by", default="cli", help="Who granted it (for the record).")
def create_key(name: str, scopes: tuple[str, ...], created_by: str) -> None:
    """Create a key; its secret is printed once and never again."""
    try:
        with current().db.transaction() as session:
            new = keys.create_key(session, name=name, scopes=keys.parse_scopes(scopes), created_by=created_by)
    except keys.ApiKeyError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"key {new.id} {new.name} ({' '.join(sorted(new.scopes)) or 'public view only'})")
    click.echo(new.token)
    click.echo("Keep it now: only its hash is stored.", err=True)


@apikeys.command("list")
def list_keys() -> None:
    zone = current().settings.zone
    with current().db.sessions() as session:
        for row in keys.list_keys(session):
            state = f"revoked {local(row.revoked_at, zone):%Y-%m-%d %H:%M}" if row.revoked_at else "live"
            used = f"last used {local(row.last_used_at, zone):%Y-%m-%d %H:%M}" if row.last_used_at else "never used"
            click.echo(f"{row.id}\t{row.name}\t{row.prefix}…\t{row.scopes or '-'}\t{state}\t{used}")


@apikeys.command("revoke")
@click.argument("name")
def revoke_key(name: str) -> None:
    """Revoke a key by name (or its shown prefix); it is refused from the next call on."""
    try:
        with current().db.transaction() as session:
            row = keys.revoke(session, name)
            click.echo(f"revoked {row.name}")
    except keys.ApiKeyError as exc:
        raise click.ClickException(str(exc)) from None


@directory_cli.command("import")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
def import_directory(path: Path) -> None:
    """Replace the directory with an HSDS package: a CSV datapackage (folder or datapackage.json) or JSON."""
    try:
        with current().db.transaction() as session:
            summary = hsds.import_directory(session, path)
    except hsds.ImportFailed as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        raise click.ClickException(f"{len(exc.problems)} problem(s) in {path}; nothing was imported") from None
    click.echo(f"imported {summary}")


@partners.command("add")
@click.argument("name")
@click.argument("url")
@click.option("--scope", "scopes", multiple=True, help="names, phones, transcripts, addresses (repeatable).")
def add_partner(name: str, url: str, scopes: tuple[str, ...]) -> None:
    """Subscribe a partner to request events; prints the signing secret once."""
    try:
        with current().db.transaction() as session:
            row, secret = webhooks.subscribe(session, name=name, url=url, scopes=" ".join(scopes))
            click.echo(f"partner {row.id} {row.name} -> {row.url}")
    except webhooks.PartnerError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(secret)


@partners.command("list")
def list_partners() -> None:
    from sqlalchemy import func, select

    from opendata.models import PartnerDelivery, PartnerSubscription

    with current().db.sessions() as session:
        for row in session.scalars(select(PartnerSubscription).order_by(PartnerSubscription.id)):
            counts = dict(
                session.execute(
                    select(PartnerDelivery.status, func.count())
                    .where(PartnerDelivery.subscription_id == row.id)
                    .group_by(PartnerDelivery.status)
                ).all()
            )
            state = "active" if row.active else "stopped"
            click.echo(f"{row.id}\t{row.name}\t{row.url}\t{state}\t{row.scopes or '-'}\t{counts}")


@partners.command("remove")
@click.argument("name")
def remove_partner(name: str) -> None:
    """Stop sending to a partner (its deliveries stay on record)."""
    try:
        with current().db.transaction() as session:
            webhooks.unsubscribe(session, name)
    except webhooks.PartnerError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"stopped {name}")


@partners.command("deliver")
def deliver_partners() -> None:
    """Run one delivery pass now (the worker does this on its own)."""
    hl = current()
    report = webhooks.deliver_due(hl.db, webhooks.Policy.from_settings(hl.settings))
    click.echo(f"sent {report.sent}, retrying {report.retrying}, failed {report.failed}")


@export_cli.command("requests")
@click.option("--from", "start", required=True, type=click.DateTime(["%Y-%m-%d"]))
@click.option("--to", "end", required=True, type=click.DateTime(["%Y-%m-%d"]))
@click.option("--team", default="")
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True)
@click.option("--personal", is_flag=True, help="Include names, numbers, addresses and transcripts.")
def export_requests(start: datetime, end: datetime, team: str, fmt: str, personal: bool) -> None:
    """Requests created between two days (inclusive, centre's clock) to standard output."""
    hl = current()
    query = exports.ExportQuery(start=start.date(), end=end.date(), team=team)
    with hl.db.sessions() as session:
        records = exports.rows(session, query, zone=hl.settings.zone, personal=personal)
        click.echo(exports.to_csv(records, personal) if fmt == "csv" else exports.to_json(records), nl=False)


def register_commands(app: Flask) -> None:
    for group in (apikeys, directory_cli, partners, export_cli):
        app.cli.add_command(group)
