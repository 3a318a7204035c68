"""Benchmarks that print tables (python -m bench [name]); speed and quality are measured here, not in tests."""
