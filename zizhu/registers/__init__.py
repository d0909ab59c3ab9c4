"""Register snapshots (比对数据) imported into the keyed analytics store. Must not import
the other domains, the shell (web) or the tools.

Layers: docs/architecture.md."""
