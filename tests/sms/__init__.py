"""Tests of texting: conversation, keywords, segments, the webhook, the sender."""
