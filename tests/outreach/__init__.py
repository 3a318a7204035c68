"""Tests of outbound calling: the attempt contract, the dialer, the outbound voice routes, confirmation calls."""
