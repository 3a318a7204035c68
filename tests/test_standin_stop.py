"""The Twilio stand-in stops at once: nearly every test starts one and stops it, and waiting out serve_forever's
default half-second poll each time cost the suite minutes."""

from __future__ import annotations

import time

from simulator.twilio_standin import TwilioStandIn
from tests.conftest import ACCOUNT_SID, AUTH_TOKEN


def test_five_standins_start_and_stop_in_well_under_the_old_half_second_each() -> None:
    began = time.monotonic()
    for _ in range(5):
        standin = TwilioStandIn(ACCOUNT_SID, AUTH_TOKEN)
        standin.start()
        standin.stop()
    assert time.monotonic() - began < 1.5  # 0.5 s a stop before: at least 2.5 s
