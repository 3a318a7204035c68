"""Download a caller's recording from Twilio (with our credentials), then delete it there."""

from __future__ import annotations

import re
import time
from urllib.parse import urlsplit

import requests

from care.ports import Deadline, OutOfTime, RecordingUnavailable
from care.settings import Settings

# Twilio may post the <Record> action before the file can be fetched; it is usually there within a second.
# Retry briefly, well inside Twilio's 15 s webhook limit.
RETRY_DELAYS_SECONDS = (0.2, 0.4, 0.8, 1.2)
FETCH_TIMEOUT_SECONDS = 5
MAX_RECORDING_BYTES = 8 * 1024 * 1024  # two minutes of 8 kHz 16-bit mono is ~2 MB; refuse anything absurd
# A Recording SID is RE followed by 32 hex characters (Twilio's SID format: two letters, 32 hex digits).
RECORDING_SID = r"RE[0-9a-fA-F]{32}"


class TwilioRecordings:
    """Fetch and delete recordings, only ever at our own account on the configured Twilio API host."""

    def __init__(self, settings: Settings) -> None:
        self._auth = (settings.twilio_account_sid, settings.twilio_auth_token)
        api = urlsplit(settings.twilio_api_base.rstrip("/"))
        self._origin = f"{api.scheme}://{api.netloc}"
        prefix = f"{api.path}/2010-04-01/Accounts/{settings.twilio_account_sid}/Recordings/"
        self._path = re.compile(re.escape(prefix) + f"({RECORDING_SID})" + r"(?:\.wav|\.mp3|\.json)?")
        self._http = requests.Session()

    def _check(self, recording_url: str) -> str:
        """The canonical URL of one of our recordings, or RecordingUnavailable.

        Never send our credentials anywhere a webhook field names unless it is exactly one recording of our
        account on the configured API host: a prefix check on the raw text can be escaped with `..` segments
        (plain or percent-encoded, which HTTP clients and servers resolve) to reach other resources.
        """
        parts = urlsplit(recording_url)
        # The whole path must be the prefix and a SID: no dot segment or percent-escape can fit in it.
        found = self._path.fullmatch(parts.path)
        if f"{parts.scheme}://{parts.netloc}" != self._origin or parts.query or parts.fragment or found is None:
            raise RecordingUnavailable(f"refusing to fetch a recording from {recording_url!r}")
        return f"{self._origin}{parts.path.rsplit('/', 1)[0]}/{found.group(1)}"

    def download(self, recording_url: str, deadline: Deadline | None = None) -> bytes:
        base = self._check(recording_url)
        last_error = ""
        for delay in (0.0, *RETRY_DELAYS_SECONDS):
            if deadline is not None and deadline.remaining() <= delay:
                raise OutOfTime(f"recording not fetched before the turn's deadline: {last_error or 'no answer'}")
            time.sleep(delay)
            timeout = FETCH_TIMEOUT_SECONDS if deadline is None else deadline.timeout(FETCH_TIMEOUT_SECONDS)
            try:
                response = self._http.get(base + ".wav", auth=self._auth, timeout=timeout)
            except requests.Timeout as exc:
                last_error = f"no answer in {timeout:.1f} s"
                if deadline is not None and deadline.remaining() <= 0.0:
                    raise OutOfTime(f"recording not fetched before the turn's deadline: {last_error}") from exc
                continue
            except requests.RequestException as exc:
                last_error = str(exc)
                continue
            if response.status_code == 200:
                if len(response.content) > MAX_RECORDING_BYTES:
                    raise RecordingUnavailable("recording is larger than any call answer can be")
                return response.content
            last_error = f"HTTP {response.status_code}"
            if response.status_code not in (404, 429, 500, 502, 503, 504):
                break
        raise RecordingUnavailable(f"recording not available: {last_error}")

    def delete(self, recording_url: str, deadline: Deadline | None = None) -> None:
        base = self._check(recording_url)
        timeout = FETCH_TIMEOUT_SECONDS if deadline is None else deadline.timeout(FETCH_TIMEOUT_SECONDS)
        try:
            response = self._http.delete(base + ".json", auth=self._auth, timeout=timeout)
        except requests.Timeout as exc:
            raise OutOfTime(f"could not delete recording: no answer in {timeout:.1f} s") from exc
        except requests.RequestException as exc:
            raise RecordingUnavailable(f"could not delete recording: {exc}") from exc
        if response.status_code not in (204, 404):
            raise RecordingUnavailable(f"could not delete recording: HTTP {response.status_code}")
