"""The domain and its storage (seniors, family links, staff, requests and their life cycle, the outbox); no Flask."""
