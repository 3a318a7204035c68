"""Alembic migrations of the whole schema (every package's tables); `flask db upgrade` applies them."""
