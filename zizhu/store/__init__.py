"""The analytics store: Parquet files keyed by HMAC (see docs/analytics-store.md)."""
