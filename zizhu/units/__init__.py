"""The unit tree (materialised path), its import and the GB/T 2260 divisions. Platform
layer.

Layers: docs/architecture.md."""
