"""Words and times for people, below the domain: Babel catalogs and their lookup, Korean particles, local times.

Pure (Babel only): care/ and every channel above it may import this package; it imports only intents.types.
"""
