"""Prompts in the console: listen, upload a new version, approve (admins), roll back, refuse bad audio."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from i18n import messages
from prompts import catalog
from prompts.audio import PromptAudio
from tests.console.html import parse_html
from tests.console.support import ADMIN, STAFF, Seeded, login
from web.context import Hearthline


def _first_prompt() -> tuple[str, str]:
    prompt = catalog.static_prompts()[0]
    return prompt.key, messages.translate(prompt.domain, prompt.key, "en")


def _store(hl: Hearthline) -> PromptAudio:
    assert isinstance(hl.prompt_voice, PromptAudio)
    return hl.prompt_voice


def test_staff_upload_a_draft_an_admin_approves_it_and_can_roll_back_to_the_computer_voice(
    app: Flask, hearthline: Hearthline, seeded: Seeded
) -> None:
    key, text = _first_prompt()
    staff, admin = app.test_client(), app.test_client()
    staff_token, admin_token = login(staff, *STAFF), login(admin, *ADMIN)
    url = f"/console/prompts/en/{key}"
    wav = hearthline.synthesizer.synthesize(text, "en", 140)

    response = staff.post(
        url + "/upload", data={"csrf_token": staff_token, "approve": "1", "audio": (_file(wav), "take1.wav")}
    )
    assert response.status_code == 303
    versions = _store(hearthline).store.versions(key, "en")
    assert [(v.version, v.state.value, v.live, v.recorded_by) for v in versions] == [(1, "draft", False, "staff:sam")]
    assert _store(hearthline).store.live(key, "en") is None  # staff cannot make it live by themselves
    page = parse_html(staff.get(url).get_data(as_text=True))
    assert page.find("li", data_version="1").attrs["data-state"] == "draft"
    assert (
        staff.post(url + "/approve", data={"csrf_token": staff_token, "recording_id": str(versions[0].id)}).status_code
        == 403
    )

    assert (
        admin.post(url + "/approve", data={"csrf_token": admin_token, "recording_id": str(versions[0].id)}).status_code
        == 303
    )
    live = _store(hearthline).store.live(key, "en")
    assert live is not None and live.version == 1
    # What callers hear now is the recording, served to Twilio by the prompts route.
    assert hearthline.prompt_voice.audio_url(key, "en", text) == _store(hearthline).url_for(live.audio_id)
    listen = parse_html(admin.get(url).get_data(as_text=True)).by_id("listen-heading")
    assert listen.text == "Listen"
    audio = admin.get(f"/console/prompts/recording/{live.id}.wav")
    assert audio.status_code == 200 and audio.data[:4] == b"RIFF"

    admin.post(url + "/upload", data={"csrf_token": admin_token, "approve": "1", "audio": (_file(wav), "take2.wav")})
    assert _store(hearthline).store.live(key, "en").version == 2  # type: ignore[union-attr]
    admin.post(url + "/rollback", data={"csrf_token": admin_token})
    assert _store(hearthline).store.live(key, "en").version == 1  # type: ignore[union-attr]
    admin.post(url + "/rollback", data={"csrf_token": admin_token})
    assert _store(hearthline).store.live(key, "en") is None
    history = parse_html(admin.get(url).get_data(as_text=True)).by_id("prompt-history")
    assert len(history.find_all("li")) == 6  # 2 recorded, 2 approved, 2 rolled back, each with who did it


def test_audio_that_cannot_be_a_prompt_is_refused_with_the_reason_and_nothing_is_stored(
    client: FlaskClient, hearthline: Hearthline, seeded: Seeded
) -> None:
    key, _ = _first_prompt()
    token = login(client, *ADMIN)
    url = f"/console/prompts/en/{key}"
    client.post(url + "/upload", data={"csrf_token": token, "audio": (_file(b"not audio at all"), "x.wav")})
    client.post(url + "/upload", data={"csrf_token": token})
    errors = [e.text for e in parse_html(client.get(url).get_data(as_text=True)).find_all("p", class_="flash-error")]
    assert len(errors) == 2 and all(e.startswith("Not saved:") for e in errors)
    assert errors[1] == "Not saved: choose a sound file first"
    assert _store(hearthline).store.versions(key, "en") == []
    answer = client.post(
        url + "/upload",
        data={"audio": (_file(b"RIFF nonsense"), "x.wav")},
        headers={"X-CSRF-Token": token, "Accept": "application/json"},
    )
    assert answer.status_code == 422 and answer.get_json()["ok"] is False


def test_an_upload_over_the_request_limit_gets_a_readable_page(client: FlaskClient, app: Flask, seeded: Seeded) -> None:
    key, _ = _first_prompt()
    token = login(client, *ADMIN)
    huge = b"RIFF" + b"\0" * (app.config["MAX_CONTENT_LENGTH"] + 10)
    response = client.post(
        f"/console/prompts/en/{key}/upload", data={"csrf_token": token, "audio": (_file(huge), "a.wav")}
    )
    assert response.status_code == 413
    assert "too large" in parse_html(response.get_data(as_text=True)).by_id("error-message").text


def test_the_prompt_list_shows_every_numbered_prompt_and_unknown_keys_are_404(
    client: FlaskClient, seeded: Seeded
) -> None:
    login(client, *STAFF)
    page = parse_html(client.get("/console/prompts?locale=ko").get_data(as_text=True))
    rows = page.by_id("prompts").find("tbody").find_all("tr")
    assert [row.attrs["data-key"] for row in rows] == [p.key for p in catalog.static_prompts()]
    assert client.get("/console/prompts/en/web.nav.queue").status_code == 404
    assert client.get("/console/prompts/fr/" + catalog.static_prompts()[0].key).status_code == 404


def _file(data: bytes):  # type: ignore[no-untyped-def]
    import io

    return io.BytesIO(data)
