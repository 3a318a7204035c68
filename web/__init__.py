"""Flask glue every part shares, apart from the domain: the adapters of the running app, Twilio signatures, CSRF."""
