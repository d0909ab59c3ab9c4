"""The aid projects (资助项目) per category and stage, seeded from catalogue_data/. Imports
only the platform.

Layers: docs/architecture.md."""
