"""Texting: the SMS conversation (pure), the Twilio messaging webhook and the outbound sender."""
