"""Background jobs: `Job` rows with progress, the huey task that claims and runs them, and
their pages. Platform layer.

Layers: docs/architecture.md."""
