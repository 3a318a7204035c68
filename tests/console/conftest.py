"""Fixtures of the console tests: the app with people on file."""

from __future__ import annotations

import pytest

from care.context import Hearthline
from tests.console.support import Seeded, seed_people


@pytest.fixture
def seeded(hearthline: Hearthline) -> Seeded:
    return seed_people(hearthline)
