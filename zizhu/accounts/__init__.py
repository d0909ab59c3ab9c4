"""Users (one role at one unit), password rules, login with lockout and TOTP for the
administrators, session limits. Platform layer: imports only the platform and zizhu.lib.

Layers: docs/architecture.md."""
