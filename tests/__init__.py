"""Hearthline's tests."""
