"""Prompts: message catalogs per locale, dates and times as read and heard, synthesis and its cache, recordings."""
