"""The analytics store's contract: its layout, the one set of Parquet schemas and the keyed
hashes (docs/analytics-store.md). Imports only zizhu.lib; the engine, the register import, the
list export and the generator import it. Layers: docs/architecture.md."""
