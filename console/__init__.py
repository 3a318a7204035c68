"""The staff console: request queue, people, prompts and summary pages, behind a login (blueprint "console")."""

from __future__ import annotations

from console import auth, people, prompts_page, queue, summary  # noqa: F401  (registers the pages)
from console.web import bp

__all__ = ["bp"]
