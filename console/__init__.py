"""The staff console: request queue, people, prompts and summary pages, behind a login (blueprint "console")."""

from __future__ import annotations

from console import (  # noqa: F401  (registers the pages)
    auth,
    broadcasts_page,
    calls_page,
    checkins_page,
    inbox,
    opendata_pages,
    people,
    prompts_page,
    queue,
    summary,
)
from console.web import bp

__all__ = ["bp"]
