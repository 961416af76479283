"""Stratwatch's composition root: settings, the factory, the cache, reads, the CLI."""
