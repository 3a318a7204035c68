"""Whether the production path's servers (PostgreSQL, Redis) answer here; `python -m tests.backends` tells a person.

Exit status 0 when both answer at HEARTHLINE_TEST_POSTGRES_URL and HEARTHLINE_TEST_REDIS_URL, else 1 with the reason.
"""

from __future__ import annotations

import os
import sys

POSTGRES_URL = os.environ.get("HEARTHLINE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("HEARTHLINE_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
# Long enough for a loaded machine, short enough that `make test` does not stall when nothing listens.
CONNECT_TIMEOUT_SECONDS = 2


def postgres_reason(url: str = POSTGRES_URL) -> str | None:
    """None when a PostgreSQL server answers at `url`, else why not."""
    try:
        import psycopg

        with psycopg.connect(url, connect_timeout=CONNECT_TIMEOUT_SECONDS):
            return None
    except Exception as exc:  # any failure means: no usable server here
        return f"PostgreSQL not reachable at {url}: {exc}"


def redis_reason(url: str = REDIS_URL) -> str | None:
    """None when a Redis server answers at `url`, else why not."""
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=CONNECT_TIMEOUT_SECONDS).ping()
        return None
    except Exception as exc:
        return f"Redis not reachable at {url}: {exc}"


def main() -> int:
    reasons = [reason for reason in (postgres_reason(), redis_reason()) if reason]
    for reason in reasons:
        print(reason.splitlines()[0])
    return 1 if reasons else 0


if __name__ == "__main__":
    sys.exit(main())
