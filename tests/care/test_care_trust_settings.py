"""Production refuses guessable secrets; a second Twilio auth token is accepted while the first is rotated."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from twilio.request_validator import RequestValidator

from care.settings import SettingsError, load_settings
from tests.conftest import PUBLIC_BASE_URL
from web.context import EXTENSION_KEY

REAL_LOOKING_TOKEN = "0123456789abcdef0123456789abcdef"
SECOND_TOKEN = "fedcba9876543210fedcba9876543210"
GOOD_SECRET = "k3N9s-2vQ8pL1xZ7rT4wY6uB0mC5dF8hJ"


def _production(**overrides: Any) -> dict[str, Any]:
    return {
        "environment": "production",
        "secret_key": GOOD_SECRET,
        "twilio_account_sid": "AC" + "1" * 32,
        "twilio_auth_token": REAL_LOOKING_TOKEN,
        "public_base_url": "https://hotline.example.org",
        "simulator_enabled": False,
        **overrides,
    }


def test_production_accepts_a_real_looking_token_and_a_random_secret() -> None:
    settings = load_settings(_production(twilio_auth_token_secondary=SECOND_TOKEN), environ={})
    assert settings.webhook_auth_tokens == (REAL_LOOKING_TOKEN, SECOND_TOKEN)


@pytest.mark.parametrize("token", ["", "x", "test-auth-token-0123456789abcdef", "0123456789ABCDEF", " " * 32])
def test_production_refuses_an_empty_or_trivial_auth_token(token: str) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings(_production(twilio_auth_token=token), environ={})
    assert any(p.startswith("TWILIO_AUTH_TOKEN:") for p in caught.value.problems), caught.value.problems


def test_production_refuses_a_trivial_secondary_token() -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings(_production(twilio_auth_token_secondary="x"), environ={})
    assert any(p.startswith("TWILIO_AUTH_TOKEN_SECONDARY:") for p in caught.value.problems)


@pytest.mark.parametrize("secret", ["a" * 64, "0" * 32, "abababababababababababababababab"])
def test_production_refuses_a_secret_key_of_repeated_characters(secret: str) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings(_production(secret_key=secret), environ={})
    assert any(p.startswith("SECRET_KEY:") for p in caught.value.problems), caught.value.problems


def test_the_secondary_token_is_read_from_its_customary_environment_name() -> None:
    settings = load_settings(_production(), environ={"TWILIO_AUTH_TOKEN_SECONDARY": SECOND_TOKEN})
    assert settings.twilio_auth_token_secondary == SECOND_TOKEN


def _signed_sms(app: Flask, token: str) -> int:
    params = {"MessageSid": "SM" + "7" * 32, "From": "+15550009999", "To": "+15550100000", "Body": "hello"}
    signature = RequestValidator(token).compute_signature(PUBLIC_BASE_URL + "/sms/incoming", params)
    response = app.test_client().post("/sms/incoming", data=params, headers={"X-Twilio-Signature": signature})
    return response.status_code


def test_a_webhook_signed_with_either_token_passes_and_with_neither_is_refused(
    make_app: Callable[..., Flask],
) -> None:
    app = make_app(twilio_auth_token=REAL_LOOKING_TOKEN, twilio_auth_token_secondary=SECOND_TOKEN)
    assert _signed_sms(app, "0" * 32) == 403
    assert _signed_sms(app, "") == 403
    assert _signed_sms(app, REAL_LOOKING_TOKEN) == 200
    assert _signed_sms(app, SECOND_TOKEN) == 200


def test_without_a_secondary_token_only_the_primary_signs(make_app: Callable[..., Flask]) -> None:
    app = make_app(twilio_auth_token=REAL_LOOKING_TOKEN)
    assert app.extensions[EXTENSION_KEY].settings.webhook_auth_tokens == (REAL_LOOKING_TOKEN,)
    assert _signed_sms(app, REAL_LOOKING_TOKEN) == 200
    assert _signed_sms(app, SECOND_TOKEN) == 403
    assert _signed_sms(app, "") == 403


def test_production_app_starts_with_good_secrets(tmp_path: Path, make_app: Callable[..., Flask]) -> None:
    app = make_app(**_production())
    assert app.extensions[EXTENSION_KEY].settings.is_production


@pytest.mark.parametrize("number", ["988", "116 123", "109", "024", "+44 116 123", "(02) 1393"])
def test_a_crisis_line_may_be_a_short_number_as_people_dial_it(number: str) -> None:
    assert load_settings({"crisis_line_number": number}, environ={}).crisis_line_number == number


@pytest.mark.parametrize("number", ["call 988", "12", "988#", "+1 555 0100 0000 0000 00"])
def test_a_crisis_line_that_cannot_be_dialled_stops_the_start(number: str) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings({"crisis_line_number": number}, environ={})
    assert any(p.startswith("HEARTHLINE_CRISIS_LINE_NUMBER:") for p in caught.value.problems), caught.value.problems
