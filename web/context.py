"""The adapters built once by create_app, reachable from any request handler or command."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from care.db import Database
from care.ports import CallPlacer, JobQueue, PromptVoice, Recognizer, RecordingSource, SmsSender, Synthesizer
from care.settings import Settings
from care.spool import Spool
from intents.opinion import SecondOpinion

EXTENSION_KEY = "hearthline"
# The app's schema check at start (app.SchemaAtStart), for commands that need the tables once the database answers.
SCHEMA_KEY = "hearthline.schema"


@dataclass
class Hearthline:
    """Settings and one adapter per outside system."""

    settings: Settings
    db: Database
    sender: SmsSender
    recordings: RecordingSource
    recognizer: Recognizer
    synthesizer: Synthesizer
    prompt_voice: PromptVoice
    queue: JobQueue
    # Texts that came while the database could not be reached, kept on disk until it answers (care.spool).
    spool: Spool
    # The semantic second opinion the edge adds to every utterance (intents.opinion.enrich); None: matcher alone.
    understanding: SecondOpinion | None = None
    # Outbound calls (outreach.dialer); None where nothing may call out.
    placer: CallPlacer | None = None


def current() -> Hearthline:
    """The running app's adapters."""
    return current_app.extensions[EXTENSION_KEY]
