"""care package."""
