"""Fixtures of the outreach tests: the voice tests' Korean model and espeak-ng speech, for spoken answers."""

from __future__ import annotations

from tests.voice.conftest import ko_model_root, say

__all__ = ["ko_model_root", "say"]
