"""The call: dialogue, Twilio voice webhooks, TwiML, recording download, Vosk recognition, simulator."""
