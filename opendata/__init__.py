"""Open data: Open311 GeoReport v2, API keys, the HSDS provider directory, exports and partner webhooks."""
