"""The page shell: base template, menu and breadcrumbs, home pages with the to-do, the unit
browser, the security page, the admin site. The top layer: asks the domains, is imported by
none of them.

Layers: docs/architecture.md."""
