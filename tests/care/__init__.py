"""Tests of the care package: domain, storage, outbox delivery, job queue, staff commands."""
