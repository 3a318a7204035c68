"""Prompts: message catalogs per locale, spoken formats, synthesis and its cache, staff recordings, prompt audio."""
