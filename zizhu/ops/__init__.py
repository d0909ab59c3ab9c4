"""Running the system: the health and readiness probes, Prometheus metrics, JSON logs, the
Chinese error pages and a media storage that leaves no partial file on a full disk
(docs/operations.md). Platform layer: imports only the platform and zizhu.lib.

Layers: docs/architecture.md."""
