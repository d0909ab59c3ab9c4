"""The append-only audit trail: `audit_record`, the auditor's pages and export, retention,
and the admin mixin that audits every admin write. Platform layer.

Layers: docs/architecture.md."""
