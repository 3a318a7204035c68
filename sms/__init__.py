"""Texting: the SMS conversation (pure), the Twilio messaging webhook, segment rules and the outbound sender."""
