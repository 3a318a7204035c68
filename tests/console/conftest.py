"""Fixtures of the console tests: the app with people on file."""

from __future__ import annotations

import pytest

from tests.console.support import Seeded, seed_people
from web.context import Hearthline


@pytest.fixture
def seeded(hearthline: Hearthline) -> Seeded:
    return seed_people(hearthline)
