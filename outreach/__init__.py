"""Calling out: one dialer places every outbound call (confirmations, check-ins, reminders, crisis calls)."""
