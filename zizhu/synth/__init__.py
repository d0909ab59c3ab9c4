"""A deterministic synthetic world for the anomaly checks (docs/domain.md).

`generate(out=…, scale=…, seed=…)` writes schools (a units file), recipient lists of every
stage, every register kind and planted cases of all 24 rules plus decoys that must not be
flagged, either as raw import files or, keyed, straight into the analytics-store layout. The
ground truth lists every finding the rules must produce, no more.

A tool, not part of the product: imports only zizhu.store and zizhu.lib, and nothing in the
product imports it. Layers: docs/architecture.md.
"""
