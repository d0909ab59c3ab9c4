"""The demo province as one world (units, users, lists, registers, a funds year, a real
monthly run) and the `serve` command. A tool: nothing in the product imports it.

Layers: docs/architecture.md."""
