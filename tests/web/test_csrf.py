"""web.csrf: one token per session, and a post matches only the token that was issued."""

from __future__ import annotations

from typing import Any

from web import csrf


def test_a_session_keeps_one_token_and_only_it_matches() -> None:
    session: dict[str, Any] = {}
    token = csrf.session_token(session)
    assert csrf.session_token(session) == token and len(token) >= 43  # 32 random bytes, base64
    assert csrf.tokens_match(session[csrf.SESSION_KEY], token)
    assert not csrf.tokens_match(session[csrf.SESSION_KEY], token[:-1] + ("A" if token[-1] != "A" else "B"))


def test_nothing_matches_when_no_token_was_issued() -> None:
    assert not csrf.tokens_match(None, "")
    assert not csrf.tokens_match("", "")
    assert csrf.new_token() != csrf.new_token()
