"""Tests of the open-data layer: Open311, keys and privacy, the HSDS directory, exports, partner webhooks."""
