"""Prompts: the prompt catalog, synthesis and its cache, staff recordings, the routes that serve prompt audio."""
