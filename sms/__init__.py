"""sms package."""
