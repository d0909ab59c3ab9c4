"""Helpers that know no domain and import no other zizhu package (each has its own tests).
Most need no Django; `env` raises Django's ImproperlyConfigured, `bulk` and `exports` use its
database connection and HTTP response. Layers: docs/architecture.md."""
